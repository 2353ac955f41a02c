# Sleeps between pieces of work: under --clock deterministic the work takes no loop time, so
# every wake-up lands on its exact deadline, on every run.
import asyncio
import random
import time

random.seed(12)


def crunch():
    return sum(i * i for i in range(30000))


async def worker(name, delays):
    loop = asyncio.get_running_loop()
    print(name, 'delays', delays)
    for d in delays:
        await asyncio.sleep(d)
        crunch()
        print(name, 'woke at %.6f' % (loop.time() - T0))


async def main():
    global T0
    loop = asyncio.get_running_loop()
    T0 = loop.time()
    p0 = time.perf_counter()
    crunch()
    await asyncio.gather(*(worker('w%d' % i, [random.choice((0.1, 0.25, 0.5)) for _ in range(3)])
                           for i in range(3)))
    await asyncio.sleep(1)
    print('sleep(1) woke at %.6f' % (loop.time() - T0))
    time.sleep(0.2)
    print('after time.sleep(0.2) at %.6f, perf_counter %.6f' % (loop.time() - T0,
                                                               time.perf_counter() - p0))
    await loop.run_in_executor(None, time.sleep, 0.05)
    print('after a real wait of 0.05:', loop.time() - T0 >= 2.45)


asyncio.run(main())
