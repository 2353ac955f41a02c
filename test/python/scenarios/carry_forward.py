import asyncio


async def worker():
    for _ in range(3):
        await asyncio.sleep(0)
    await asyncio.sleep(0.5)
    await asyncio.sleep(0.5)


asyncio.run(worker())
