# The overhead benchmark: 10,000 tasks x 10 asyncio.sleep(0).
import asyncio


async def w():
    for _ in range(10):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(w() for _ in range(10000)))


asyncio.run(main())
