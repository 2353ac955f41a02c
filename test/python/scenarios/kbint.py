import asyncio


async def main():
    await asyncio.sleep(0.1)
    print("interrupting", flush=True)
    raise KeyboardInterrupt


asyncio.run(main())
