# Prints what is in the ready queue and the timer heap at several points: the tracer must not
# add or reorder handles.
import asyncio


def show(loop, where):
    ready = [type(h).__name__ + ":" + getattr(h._callback, "__name__", type(h._callback).__name__)
             for h in loop._ready]
    print(where, "ready", ready, "scheduled", len(loop._scheduled))


async def child(n):
    await asyncio.sleep(n)
    return n


async def main():
    loop = asyncio.get_running_loop()
    show(loop, "start")
    tasks = [asyncio.create_task(child(i / 10)) for i in range(3)]
    fut = loop.create_future()
    fut.add_done_callback(lambda f: print("fut done", f.result()))
    loop.call_soon(fut.set_result, 42)
    show(loop, "after create")
    await asyncio.sleep(0)
    show(loop, "after yield")
    print(await asyncio.gather(*tasks))
    show(loop, "end")


asyncio.run(main())
