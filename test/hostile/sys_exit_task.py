import asyncio, sys

async def quitter():
    await asyncio.sleep(0.1)
    sys.exit(4)

async def main():
    await asyncio.create_task(quitter())

asyncio.run(main())
