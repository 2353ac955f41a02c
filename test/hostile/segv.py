import asyncio, os, signal

async def main():
    await asyncio.sleep(0.1)
    os.kill(os.getpid(), signal.SIGSEGV)

asyncio.run(main())
