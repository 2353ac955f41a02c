import asyncio
import sys


async def main():
    await asyncio.sleep(1)
    print("exiting with", sys.argv[1:])
    if sys.argv[1] == "msg":
        sys.exit("fatal: message to stderr")
    sys.exit(int(sys.argv[1]))


asyncio.run(main())
