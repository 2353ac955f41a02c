"""A producer/consumer Queue.

Question: how do tasks hand work to each other?
Look in Loopscope: the chef puts dishes on a counter that holds two (`Queue(maxsize=2)`). The
waiter is slower, so the counter fills up and the chef waits at `put` (reason queue.put); when it
is empty the waiter waits at `get` (queue.get). Each `get` wakes the waiting chef, each `put` wakes
the waiting waiter. main waits at `join` until every dish was marked done.
"""
import asyncio


async def chef(counter):
    for dish in ["soup", "salad", "steak", "cake", "coffee"]:
        await asyncio.sleep(0.4)  # cooking
        await counter.put(dish)  # waits while the counter is full
        print("chef: put", dish)


async def waiter(counter):
    while True:
        dish = await counter.get()  # waits while the counter is empty
        await asyncio.sleep(1)  # walking to the table
        print("waiter: served", dish)
        counter.task_done()


async def main():
    counter = asyncio.Queue(maxsize=2)
    serving = asyncio.create_task(waiter(counter))
    cooking = asyncio.create_task(chef(counter))
    await cooking
    await counter.join()  # until task_done() was called for every dish
    serving.cancel()  # the waiter loops forever: send them home


asyncio.run(main())
