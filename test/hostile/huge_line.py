import asyncio

async def main():
    print("x" * 10_000_000)
    await asyncio.sleep(0)

asyncio.run(main())
