"""Ingest workload: 10,000 tasks x 100 sleep(0) gives a trace of more than 1,000,000 events."""
import asyncio


async def worker():
    for _ in range(100):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(worker() for _ in range(10_000)))


asyncio.run(main())
