import asyncio, os

async def main():
    await asyncio.sleep(0.1)
    # Close every pipe above stderr: the tracer's event and control descriptors among them.
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                os.close(fd)
        except OSError:
            pass
    await asyncio.sleep(0.1)
    print("still running")

asyncio.run(main())
