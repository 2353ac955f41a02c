# Steps while a trace function is set (a debugger's, coverage's) and after it is removed: the
# line of a suspended frame is then the interpreter's to say, and the C step path must read it
# as the Python one does (it keeps lines by code and instruction only while none is set).
import asyncio
import sys

lines = 0


def tracer(frame, event, arg):
    global lines
    if event == "line":
        lines += 1
    return tracer


async def worker(n):
    for _ in range(3):
        await asyncio.sleep(0)
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(*(worker(n) for n in range(3)))
    sys.settrace(tracer)
    await asyncio.gather(*(worker(n) for n in range(3)))
    sys.settrace(None)
    await asyncio.gather(*(worker(n) for n in range(3)))
    print("lines traced:", lines > 0)


asyncio.run(main())
