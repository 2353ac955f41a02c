# A task suspended on gather, asyncio.wait and a TaskGroup while the tasks it waits for finish.
import asyncio
import sys


async def nap(delay):
    await asyncio.sleep(delay)


async def main():
    await asyncio.gather(nap(0.1), nap(0.2), nap(0.3))
    first, second = asyncio.create_task(nap(0.1)), asyncio.create_task(nap(0.2))
    await asyncio.wait([first, second])
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as tg:
            tg.create_task(nap(0.1))
            tg.create_task(nap(0.2))


asyncio.run(main())
