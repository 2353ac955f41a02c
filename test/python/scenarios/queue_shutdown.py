# Python 3.13+: Queue.shutdown() wakes a consumer waiting in get() with QueueShutDown, and a
# producer waiting in put() on a full queue.
import asyncio


async def consumer(q):
    try:
        while True:
            item = await q.get()
            print("got", item)
            q.task_done()
    except asyncio.QueueShutDown:
        print("consumer: queue shut down")


async def producer(q):
    try:
        await q.put("late")
    except asyncio.QueueShutDown:
        print("producer: queue shut down")


async def main():
    q = asyncio.Queue()
    c = asyncio.create_task(consumer(q))
    await q.put(1)
    await asyncio.sleep(0.1)
    q.shutdown()
    await c
    full = asyncio.Queue(maxsize=1)
    full.put_nowait("x")
    p = asyncio.create_task(producer(full))
    await asyncio.sleep(0.1)
    full.shutdown(immediate=True)
    await p


asyncio.run(main())
