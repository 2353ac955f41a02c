"""A Semaphore limiting concurrency.

Question: how do I start many downloads but run only a few at a time?
Look in Loopscope: five downloads start at once, but `Semaphore(2)` lets only two inside the
`async with` block at a time. The others wait at `async with` (reason semaphore); each time one
finishes and leaves the block, the next waiting download gets in. At no tick are more than two
downloading.
"""
import asyncio


async def download(name, seconds, slots):
    async with slots:  # wait here for a free slot
        print("downloading", name)
        await asyncio.sleep(seconds)  # downloading: holds one slot
    print("finished", name)


async def main():
    slots = asyncio.Semaphore(2)
    sizes = {"a.zip": 1, "b.iso": 2.5, "c.mp4": 1, "d.pdf": 1.5, "e.png": 0.5}
    await asyncio.gather(*(download(name, seconds, slots) for name, seconds in sizes.items()))


asyncio.run(main())
