# Three workers with interleaved sleeps, for pause/step tests. Every wake-up lands on a
# distinct multiple of 0.1 s, so a late real-time wake (machine load) of up to 50 ms still
# prints the same line.
import asyncio
import time


async def worker(name, delays):
    for d in delays:
        await asyncio.sleep(d)
        print(name, "woke at", round(asyncio.get_running_loop().time() - T0, 1), flush=True)


async def main():
    global T0
    T0 = asyncio.get_running_loop().time()
    w0 = time.time()
    await asyncio.gather(worker("a", [0.1, 0.2, 0.3]), worker("b", [0.4, 0.3]),
                         worker("c", [0, 0, 0.9]))
    print("elapsed", round(time.time() - w0, 1))


asyncio.run(main())
