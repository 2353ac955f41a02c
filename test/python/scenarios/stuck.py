# Blocks the loop thread for good: only the wall-clock limit stops it.
import asyncio
import time


async def main():
    print("about to block", flush=True)
    while True:
        time.sleep(0.05)


asyncio.run(main())
