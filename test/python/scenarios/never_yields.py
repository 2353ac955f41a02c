import asyncio

async def spin():
    while True:  # spins forever
        pass

asyncio.run(spin())
