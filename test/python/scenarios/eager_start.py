# Python 3.14: eager tasks through the factory, in gather and in a TaskGroup, and one task
# started eagerly by create_task(eager_start=True) under the default factory.
import asyncio


async def quick(n):
    return n * 2


async def slow(n):
    await asyncio.sleep(0.1)
    return n


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(quick(5), eager_start=True)
    print("eager_start done at once:", t.done(), t.result())
    loop.set_task_factory(asyncio.eager_task_factory)
    print("gather:", await asyncio.gather(quick(1), slow(2), quick(3)))
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(quick(4), name="tg-quick")
        b = tg.create_task(slow(6), name="tg-slow")
        print("in the group:", a.done(), b.done())
    print("group:", a.result(), b.result())


asyncio.run(main())
