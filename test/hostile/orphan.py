import asyncio, subprocess

async def main():
    child = subprocess.Popen(["sleep", "300"])
    print(child.pid, flush=True)
    await asyncio.sleep(0.1)

asyncio.run(main())
