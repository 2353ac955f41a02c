# Two ways to hold the loop: time.sleep in a coroutine, and a CPU loop in a helper (0.25 s of
# the thread's CPU time, however loaded the machine is).
import asyncio
import time


def crunch(n):
    total = 0
    deadline = time.thread_time() + 0.25
    while time.thread_time() < deadline:
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
