# A library installed the Debian way (dist-packages): its frames are not the user's.
import asyncio


async def fetch(n):
    await asyncio.sleep(n)
    return n
