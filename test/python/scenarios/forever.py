import asyncio


async def main():
    n = 0
    while True:
        await asyncio.sleep(1)
        n += 1
        if n % 1000 == 0:
            print("still going", n, flush=True)


asyncio.run(main())
