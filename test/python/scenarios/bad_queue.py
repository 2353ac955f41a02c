# A queue whose qsize() fails: computing the wait reason fails inside the tracer, which must
# report an internal_error and leave the program alone.
import asyncio


class BadQueue(asyncio.Queue):
    def qsize(self):
        raise RuntimeError("qsize is broken")


async def consumer(q):
    return await q.get()


async def main():
    q = BadQueue()
    c = asyncio.create_task(consumer(q))
    await asyncio.sleep(0.1)
    q.put_nowait("item")
    print(await c)


asyncio.run(main())
