# Programs that change what loop.time() reads: a loop class with its own time(), a time()
# set on one loop, and time.monotonic replaced while tasks run. Step times must follow them.
import asyncio
import time


async def worker(n):
    for _ in range(n):
        await asyncio.sleep(0)


async def main():
    await asyncio.gather(worker(2), worker(3))
    real = time.monotonic
    time.monotonic = lambda: real() + 5.0
    try:
        await asyncio.gather(worker(2), worker(2))
    finally:
        time.monotonic = real
    await worker(1)


class LaterLoop(asyncio.SelectorEventLoop):
    def time(self):
        return super().time() + 1000.0


for make in (LaterLoop, asyncio.new_event_loop):
    loop = make()
    if make is asyncio.new_event_loop:
        base = loop.time
        loop.time = lambda: base() + 2000.0
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
print('done')
