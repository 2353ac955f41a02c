# Every way to get a loop: asyncio.run twice, Runner, get_event_loop, a loop built by hand.
import asyncio
import sys


async def work(n):
    await asyncio.sleep(0.01 * n)
    return n


print("run1", asyncio.run(work(1)))
print("run2", asyncio.run(work(2)))

if sys.version_info >= (3, 11):
    with asyncio.Runner() as runner:
        print("runner", runner.run(work(3)))
else:
    print("runner", asyncio.run(work(3)))

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
print("class", type(loop).__name__, type(loop).__module__)
print("repr", repr(loop).split(" at ")[0] if " at " in repr(loop) else repr(loop)[:40])
print("legacy", asyncio.get_event_loop().run_until_complete(work(4)))
loop.close()

custom = asyncio.SelectorEventLoop()
print("custom", custom.run_until_complete(work(5)), type(custom).__name__)
custom.close()
