# Another thread calls call_soon_threadsafe while the loop's ready queue is long: the tracer
# reads the queue at each tick while that thread appends to it.
import asyncio
import sys
import threading

sys.setswitchinterval(1e-6)


async def main():
    loop = asyncio.get_running_loop()
    calls = []

    def storm():
        for _ in range(20000):
            loop.call_soon_threadsafe(calls.append, 1)

    thread = threading.Thread(target=storm)
    thread.start()

    async def spin():
        for _ in range(20):
            await asyncio.sleep(0)

    await asyncio.gather(*(spin() for _ in range(2000)))
    thread.join()
    await asyncio.sleep(0)
    print("threadsafe calls run:", len(calls))


asyncio.run(main())
