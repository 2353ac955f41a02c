# A library installed the Debian way (dist-packages): its frames are not the user's.
import asyncio


async def fetch(n):
    await asyncio.sleep(n)
    return n


async def serve(handler):
    """Runs the user's (blocking) handler in a task of its own, as a web framework would."""
    return await asyncio.create_task(_handle(handler))


async def _handle(handler):
    await asyncio.sleep(0.01)
    return handler()
