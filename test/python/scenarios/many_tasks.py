import asyncio


async def leaf(i):
    await asyncio.sleep(0)
    return i


async def main():
    tasks = [asyncio.create_task(leaf(i)) for i in range(100000)]
    total = sum(await asyncio.gather(*tasks))
    print("total", total)


asyncio.run(main())
