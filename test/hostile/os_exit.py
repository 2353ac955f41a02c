import asyncio, os

async def main():
    print("before exit", flush=True)
    await asyncio.sleep(0.1)
    os._exit(3)

asyncio.run(main())
