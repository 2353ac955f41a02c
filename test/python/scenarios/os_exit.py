import asyncio
import os
import sys


async def main():
    print("before exit", flush=True)
    await asyncio.sleep(0.5)
    sys.stdout.flush()
    os._exit(7)


asyncio.run(main())
