# Three workers with interleaved sleeps (deadlines well apart), for pause/step tests.
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
    await asyncio.gather(worker("a", [0.1, 0.2, 0.3]), worker("b", [0.42, 0.2]),
                         worker("c", [0, 0, 0.81]))
    print("elapsed", round(time.time() - w0, 1))


asyncio.run(main())
