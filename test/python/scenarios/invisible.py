"""What a program can see of the stack it runs on: asyncio's debug-mode source tracebacks of
the handles and tasks it makes, and inspect.stack() in a callback, a task step, an eager
task's first step, an exception handler and an executor job. Traced, it must print what it
prints untraced. Only frames from this file's <module> up are printed: below it, untraced, is
nothing (the tracer's runner is there, traced); an executor job's thread is printed whole."""
import asyncio
import inspect
import os
import sys


def where(filename, line, function):
    return '%s:%s %s' % (os.path.basename(filename), line, function)


def show_stack(tag):
    stack = inspect.stack()[1:]
    bottom = next((i for i, f in enumerate(stack)
                   if f.function == '<module>' and f.filename == __file__), len(stack))
    print(tag, '<', ' < '.join(where(f.filename, f.lineno, f.function)
                               for f in stack[:bottom + 1]))


def show_created(tag, obj):
    # asyncio keeps the last 10 frames at most.
    tb = obj._source_traceback
    start = max((i for i, f in enumerate(tb) if f.name == '<module>' and f.filename == __file__),
                default=0)
    print(tag, 'created at', ' > '.join(where(f.filename, f.lineno, f.name) for f in tb[start:]))


def callback(tag):
    show_stack(tag)


async def step(tag):
    show_stack(tag)
    await asyncio.sleep(0)


def handler(loop, context):
    show_stack('exception handler')


def failing():
    raise ValueError('logged by the handler')


async def main():
    loop = asyncio.get_running_loop()
    # Debug mode logs callbacks slower than this: a loaded machine is not what is tested.
    loop.slow_callback_duration = 3600
    show_created('call_soon', loop.call_soon(callback, 'soon callback'))
    show_created('call_soon_threadsafe', loop.call_soon_threadsafe(callback, 'threadsafe callback'))
    show_created('call_later', loop.call_later(0.01, callback, 'timer callback'))
    show_created('call_at', loop.call_at(loop.time() + 0.02, callback, 'call_at callback'))
    task = loop.create_task(step('task step'))
    show_created('create_task', task)
    await task
    await asyncio.sleep(0.05)
    if hasattr(asyncio, 'eager_task_factory'):
        loop.set_task_factory(asyncio.eager_task_factory)
        await asyncio.create_task(step('eager first step'))
        loop.set_task_factory(None)
    else:
        print('no eager tasks before 3.12')
    loop.set_exception_handler(handler)
    loop.call_soon(failing)
    await asyncio.sleep(0)
    await loop.run_in_executor(None, callback, 'executor job')


asyncio.run(main(), debug=True)
print('done', sys.version_info[:2] >= (3, 8))
