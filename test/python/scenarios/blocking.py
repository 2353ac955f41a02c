# Two ways to hold the loop: time.sleep in a coroutine, and a CPU loop in a helper.
import asyncio
import time


def crunch(n):
    total = 0
    deadline = time.perf_counter() + 0.25
    while time.perf_counter() < deadline:
        total += n
    return total > 0


async def sleepy():
    await asyncio.sleep(0.01)
    time.sleep(0.3)
    return "slept"


async def busy():
    await asyncio.sleep(0.02)
    ok = crunch(3)
    return ok


async def main():
    print(await asyncio.gather(sleepy(), busy()))


asyncio.run(main())
