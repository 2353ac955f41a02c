import asyncio

async def main():
    for i in range(100_000):
        print("line", i)
    await asyncio.sleep(0)

asyncio.run(main())
