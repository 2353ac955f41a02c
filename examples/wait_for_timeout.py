"""wait_for: giving up after a timeout.

Question: how do I stop waiting for something that takes too long?
Look in Loopscope: main waits for the pizza delivery with a 2 s deadline. The delivery needs 5 s,
so the deadline passes first: wait_for cancels the delivery (its 5 s timer is cancelled) and raises
TimeoutError in main, 2 s in. The salad needs 1 s, within its deadline, so wait_for returns it.
Up to Python 3.11 wait_for runs the delivery as a task of its own (reason wait_for in main); from
3.12 it runs it inside main, under a timeout.
"""
import asyncio


async def deliver(food, seconds):
    await asyncio.sleep(seconds)  # on the road
    return food


async def main():
    try:
        await asyncio.wait_for(deliver("pizza", 5), timeout=2)  # too slow
    except asyncio.TimeoutError:  # the builtin TimeoutError on 3.11+
        print("pizza: gave up after 2 s")
    salad = await asyncio.wait_for(deliver("salad", 1), timeout=2)  # in time
    print("got", salad)


asyncio.run(main())
