import asyncio, os

async def main():
    await asyncio.sleep(0.1)
    pid = os.fork()
    if pid == 0:
        print("child", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    await asyncio.sleep(0.1)
    print("parent done")

asyncio.run(main())
