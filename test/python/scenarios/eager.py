# Python 3.12+: an eager task factory runs a task's first step inside create_task.
import asyncio


async def quick(n):
    return n * 2


async def slow(n):
    await asyncio.sleep(0.1)
    return n


async def main():
    asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    a = asyncio.create_task(quick(1))
    b = asyncio.create_task(slow(2))
    print(a.done(), b.done())
    print(await a, await b)


asyncio.run(main())
