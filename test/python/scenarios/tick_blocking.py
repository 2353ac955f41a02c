# Two steps of 200 ms each in the same tick: with a 300 ms threshold no single step is
# blocking, the tick is.
import asyncio
import time


async def part(n):
    time.sleep(0.2)
    return n


async def main():
    print(await asyncio.gather(part(1), part(2)))


asyncio.run(main())
