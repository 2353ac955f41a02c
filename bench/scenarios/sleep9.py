"""Virtual clock workload: a cook whose steps sleep 9 seconds in total."""
import asyncio
import time


async def step(name, seconds):
    await asyncio.sleep(seconds)
    return name


async def main():
    started = time.monotonic()
    await step("boil water", 2)
    await asyncio.gather(step("cook pasta", 4), step("make sauce", 3))
    await step("serve", 3)
    print(f"dinner took {time.monotonic() - started:.1f} s")


asyncio.run(main())
