import asyncio, os

async def main():
    await asyncio.sleep(0.1)
    # Write into every pipe and socket above stderr: the tracer's event descriptor among them.
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith(("pipe:", "socket:")):
                os.set_blocking(fd, False)
                os.write(fd, b"this is not json\n{broken\n")
        except OSError:
            pass
    await asyncio.sleep(0.1)
    print("wrote garbage")

asyncio.run(main())
