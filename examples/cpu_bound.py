"""A CPU-bound step blocks the loop.

Question: my coroutine never calls time.sleep, so why does everything stall?
Look in Loopscope: `count_calories` is pure computation with no `await` in it, so the step that
calls it holds the loop until it returns. Loopscope marks the step as blocking, on the line it was
busy on. The timer task's 0.1 s sleep fires late, only after the computation ends.
"""
import asyncio


def count_calories(n):
    return sum(i % 7 for i in range(n))  # busy: no await, the loop cannot run anything else


async def timer():
    for _ in range(3):
        await asyncio.sleep(0.1)
        print("timer: tick")


async def recipe():
    calories = count_calories(15_000_000)
    print("recipe: calories counted:", calories)


async def main():
    await asyncio.gather(timer(), recipe())


asyncio.run(main())
