"""Two tasks ready at the same moment.

Question: if two tasks become ready at once, which one runs first?
Look in Loopscope: Anna and Ben both wait for the same oven task (reason: awaits Task-2). When
the oven finishes, both become ready in that same tick. The next tick runs them one after the
other, never in parallel, in the order they started waiting: the ready queue is first in, first
out. Step to the tick where the oven finishes and read "Explain this tick".
"""
import asyncio


async def bake():
    print("oven: baking the pie")
    await asyncio.sleep(2)
    print("oven: ding!")
    return "pie"


async def cook(name, oven):
    print(f"{name} waits for the oven")
    pie = await oven  # both cooks wait on the same task
    print(f"{name} takes a slice of {pie}")


async def main():
    oven = asyncio.create_task(bake())
    anna = asyncio.create_task(cook("Anna", oven))
    ben = asyncio.create_task(cook("Ben", oven))
    await asyncio.gather(anna, ben)


asyncio.run(main())
