# Non-ASCII output, a partial last line, stderr lines from a task.
import asyncio
import sys


async def main():
    print("héllo wörld ✓ 日本")
    sys.stderr.write("warn from task\n")
    await asyncio.sleep(0.1)
    sys.stdout.write("partial line without newline")


asyncio.run(main())
