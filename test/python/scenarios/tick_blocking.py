# Two steps of 70 ms each in the same tick: no single step is blocking, the tick is.
import asyncio
import time


async def part(n):
    time.sleep(0.07)
    return n


async def main():
    print(await asyncio.gather(part(1), part(2)))


asyncio.run(main())
