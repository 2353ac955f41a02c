"""Condition: wait until shared state changes.

Question: how do tasks wait for something shared to become true?
Look in Loopscope: two waiters wait at `wait_for(...)` (reason condition) until a plate is on the
pass, a list guarded by a Condition. Each time the chef puts a plate and calls `notify(1)`, exactly
one waiter wakes (the one waiting longest), takes the lock back, checks that a plate is there and
takes it; the other keeps waiting.
"""
import asyncio


async def waiter(name, bell, plates):
    async with bell:
        await bell.wait_for(lambda: plates)  # wait until a plate is on the pass
        print(name, "takes", plates.pop(0))


async def chef(bell, plates):
    for dish in ["soup", "pie"]:
        await asyncio.sleep(1)  # cooking
        async with bell:
            plates.append(dish)
            bell.notify(1)  # wake one waiter


async def main():
    bell = asyncio.Condition()
    plates = []
    waiters = [asyncio.create_task(waiter(name, bell, plates)) for name in ["Ana", "Ben"]]
    await chef(bell, plates)
    await asyncio.gather(*waiters)


asyncio.run(main())
