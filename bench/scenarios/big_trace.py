"""Ingest workload: 10,000 tasks x 100 sleep(0) gives a trace of more than 1,000,000 events.

An argument changes the number of sleep(0) per task: 1000 gives more than 10,000,000 events.
"""
import asyncio
import sys

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 100


async def worker():
    for _ in range(ROUNDS):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(worker() for _ in range(10_000)))


asyncio.run(main())
