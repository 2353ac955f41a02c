# Tries to write into and close descriptors 3 and 4 (where the session hands the tracer its
# channels) before any loop exists, then runs a loop.
import asyncio
import os

for fd in (3, 4):
    try:
        os.write(fd, b"garbage\n")
        print("wrote", fd)
    except OSError as e:
        print("write", fd, e.errno)
    try:
        os.close(fd)
        print("closed", fd)
    except OSError as e:
        print("close", fd, e.errno)


async def main():
    await asyncio.sleep(1)
    print("still alive")


asyncio.run(main())
