"""Awaiting one after another vs create_task.

Question: what happens at `await`? If I await two coroutines one after the other, do they overlap?
Look in Loopscope: in part 1 there is one lane, `main`: `await boil(...)` runs the coroutine inside
main's own task, and main stays suspended on that line until the rice is done; only then does the
soup start (3 s in all). In part 2 `create_task` gives each dish its own lane, both timers are
pending at the same time, and both dishes are done after 2 s.
"""
import asyncio


async def boil(dish, seconds):
    print(f"{dish}: on the stove")
    await asyncio.sleep(seconds)  # suspended here; the loop is free to run others
    print(f"{dish}: done")
    return dish


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    # Part 1: one after another. No new task: boil() runs inside main.
    await boil("rice", 1)  # part 1: rice
    await boil("soup", 2)  # part 1: soup
    print(f"one after another: {loop.time() - start:.0f} s")

    start = loop.time()
    # Part 2: two tasks. Both start at the next tick and wait at the same time.
    rice = asyncio.create_task(boil("rice", 1))  # part 2: rice task
    soup = asyncio.create_task(boil("soup", 2))  # part 2: soup task
    await rice
    await soup
    print(f"as two tasks: {loop.time() - start:.0f} s")


asyncio.run(main())
