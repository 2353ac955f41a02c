"""sleep(0): letting the other task go first.

Question: why does `await asyncio.sleep(0)` let the other task run, and in which order do ready
tasks run?
Look in Loopscope: step through the ticks. After each onion a chef awaits `sleep(0)`: the task is
suspended with reason "yield" and goes straight to the back of the ready queue, behind the other
chef. The loop runs the ready queue first in, first out, so the chefs take turns (Anna, Ben, Anna,
Ben...). At the tick after a yield, the ready queue lists the chefs in the order they yielded.
"""
import asyncio


async def chef(name, onions):
    for onion in range(1, onions + 1):
        print(f"{name} chops onion {onion}")
        await asyncio.sleep(0)  # yield: back of the ready queue
    print(f"{name} is done")


async def main():
    anna = asyncio.create_task(chef("Anna", 3))
    ben = asyncio.create_task(chef("Ben", 2))
    await anna
    await ben


asyncio.run(main())
