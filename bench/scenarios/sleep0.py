"""Tracer overhead workload: 10,000 tasks, each yielding to the loop 10 times with sleep(0)."""
import asyncio


async def worker():
    for _ in range(10):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(worker() for _ in range(10_000)))


asyncio.run(main())
