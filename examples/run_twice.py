"""asyncio.run called twice: two separate loops.

Question: what happens when `asyncio.run` is called twice?
Look in Loopscope: there are two loops, one after the other. Each `asyncio.run` creates a new event
loop, runs main to the end, cancels the tasks still pending (the dishes never get washed: that task
ends cancelled) and closes the loop. The second run starts from scratch: a new loop, new tasks, and
tick numbers start again at 1. Nothing is carried over from the first run.
"""
import asyncio


async def wash_dishes():
    await asyncio.sleep(60)
    print("dishes: clean")  # never printed: asyncio.run cancels this task


async def main(meal, orders):
    asyncio.create_task(wash_dishes())  # left running when main returns
    for order in orders:
        await asyncio.sleep(1)
        print(f"{meal}: served {order}")


asyncio.run(main("breakfast", ["eggs", "toast"]))  # loop 1
asyncio.run(main("dinner", ["soup"]))  # loop 2
