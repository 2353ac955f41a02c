# input() without a prompt, then a loop over sys.stdin: the program waits without having
# written anything first.
import asyncio
import sys


async def main():
    name = input()
    print("hello", name)
    for line in sys.stdin:
        print("got", line.strip())


asyncio.run(main())
