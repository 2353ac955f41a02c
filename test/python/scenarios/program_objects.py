# Objects of the program the tracer meets and must not run or trip over: a result, a key and
# an exception whose __repr__/__str__ count their calls; a loop subclass still being built
# when its base __init__ returns; a selector replaced by a mock; a task factory returning a
# Task-like object; run_in_executor given something that is not callable.
import asyncio
from unittest import mock

calls = []


class Counted:
    def __repr__(self):
        calls.append('repr')
        return 'Counted()'


class Shouting(Exception):
    def __str__(self):
        calls.append('str')
        return 'SHOUT'


async def result(x):
    return Counted()


async def fail():
    raise Shouting('quiet', Counted())


async def missing():
    return {}[Counted()]


class LateLoop(asyncio.SelectorEventLoop):
    def __init__(self):
        super().__init__()
        self.offset = 0.0   # time() needs it: not set while the base __init__ runs

    def time(self):
        return super().time() + self.offset


class TaskLike:
    def __init__(self, loop, coro, **kwargs):
        self._task = asyncio.Task(coro, loop=loop, **kwargs)

    def __await__(self):
        return self._task.__await__()

    def add_done_callback(self, *args, **kwargs):
        return self._task.add_done_callback(*args, **kwargs)

    def done(self):
        return self._task.done()


async def main():
    await result(Counted())
    for coro in (fail(), missing()):
        try:
            await asyncio.create_task(coro)
        except Exception:
            pass
    try:
        await asyncio.get_running_loop().run_in_executor(None, 42)
    except TypeError as e:
        print('not callable:', e)
    loop = asyncio.get_running_loop()
    loop.set_task_factory(TaskLike)
    print('task-like:', await loop.create_task(result(1)))
    loop.set_task_factory(None)


late = LateLoop()
late.run_until_complete(main())
late.close()

mocked = asyncio.new_event_loop()
selector = mocked._selector
mocked._selector = mock.Mock()
mocked._selector.select.return_value = []
mocked.call_soon(mocked.stop)
mocked.run_forever()
mocked._selector = selector
mocked.close()
print('calls:', calls)
