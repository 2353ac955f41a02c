"""Lock: one task at a time.

Question: how do I stop two tasks from using the same thing at once?
Look in Loopscope: three cooks share one cutting board, an `asyncio.Lock`. Anna gets it first;
Ben and Cleo wait at `async with board` (reason lock) and get it in the order they asked, each
when the previous cook leaves the block. The loop keeps running other tasks meanwhile, but never
two cooks inside the block: only one lane at a time is on the chopping line.
"""
import asyncio


async def cook(name, board):
    print(name, "wants the board")
    async with board:  # wait for the lock
        print(name, "is chopping")
        await asyncio.sleep(1)  # chopping, still holding the lock
    print(name, "is done with the board")


async def main():
    board = asyncio.Lock()
    await asyncio.gather(cook("Anna", board), cook("Ben", board), cook("Cleo", board))


asyncio.run(main())
