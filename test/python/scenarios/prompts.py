# Text written without a newline that the program then waits after (a prompt).
import asyncio
import sys


async def main():
    name = input("Your name? ")
    print("hello", name)
    sys.stdout.write("Press enter> ")
    sys.stdin.readline()
    print("progress: ", end="")
    await asyncio.sleep(0.1)
    print("done")
    sys.stderr.write("warning: ")
    sys.stderr.flush()
    sys.stderr.write("careful\n")


asyncio.run(main())
