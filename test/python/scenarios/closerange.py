# Closes every descriptor above 2, the tracer's included.
import asyncio
import os


async def main():
    await asyncio.sleep(0.1)
    print("closing")
    os.closerange(3, 65536)
    print("closed everything")


try:
    asyncio.run(main())
except Exception as e:
    print("run failed:", type(e).__name__)
