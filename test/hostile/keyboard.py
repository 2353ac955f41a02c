import asyncio

async def main():
    await asyncio.sleep(0.1)
    raise KeyboardInterrupt

asyncio.run(main())
