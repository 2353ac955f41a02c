# A loop that never sleeps: only the tick or event limit stops it.
import asyncio


async def main():
    print("spinning", flush=True)
    while True:
        await asyncio.sleep(0)


asyncio.run(main())
