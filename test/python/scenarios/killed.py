import asyncio
import os
import signal


async def main():
    print("about to die", flush=True)
    await asyncio.sleep(0.5)
    await asyncio.sleep(0.5)
    os.kill(os.getpid(), signal.SIGKILL)


asyncio.run(main())
