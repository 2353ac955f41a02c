import asyncio

async def tiny(i):
    await asyncio.sleep(0)
    return i

async def main():
    results = await asyncio.gather(*(tiny(i) for i in range(100_000)))
    print(len(results))

asyncio.run(main())
