# Three tasks sleeping 2+3+4 = 9 s in total; prints loop-relative and wall-clock deltas.
import asyncio
import time


async def fetch_data(a, b):
    await asyncio.sleep(a + b)
    print("fetched", a, b, round(asyncio.get_running_loop().time() - START, 1))
    return a * b


async def main():
    global START
    START = asyncio.get_running_loop().time()
    t0 = time.time()
    p0 = time.perf_counter()
    results = await asyncio.gather(fetch_data(1, 1), fetch_data(1, 2), fetch_data(2, 2))
    print(results)
    print("time.time", round(time.time() - t0, 1), "perf", round(time.perf_counter() - p0, 1))


asyncio.run(main())
