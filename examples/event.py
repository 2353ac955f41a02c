"""Event: many tasks wait for one signal.

Question: how does one task tell several others "go"?
Look in Loopscope: three guests wait at `dinner_ready.wait()` (reason event). When the chef calls
`set()`, all three become ready in that same tick, in the order they started waiting, and they
eat one after the other in the next tick.
"""
import asyncio


async def guest(name, dinner_ready):
    print(name, "sits down")
    await dinner_ready.wait()  # wait for the signal
    print(name, "eats")


async def chef(dinner_ready):
    await asyncio.sleep(2)  # cooking
    print("chef: dinner is ready!")
    dinner_ready.set()  # wakes every waiting guest


async def main():
    dinner_ready = asyncio.Event()
    guests = [asyncio.create_task(guest(name, dinner_ready)) for name in ["Ana", "Ben", "Cy"]]
    await chef(dinner_ready)
    await asyncio.gather(*guests)


asyncio.run(main())
