# Executor jobs (run_in_executor, to_thread), a failing job, and threads printing at once.
import asyncio
import threading
import time


def work(n):
    time.sleep(0.05)
    print("work", n, "on a worker thread")
    return n * 10


def fail():
    raise KeyError("bad job")


def chatter(name):
    for i in range(50):
        print("%s line %d" % (name, i))


async def main():
    loop = asyncio.get_running_loop()
    r = await asyncio.gather(loop.run_in_executor(None, work, 1),
                             loop.run_in_executor(None, work, 2))
    print("results", r)
    try:
        await loop.run_in_executor(None, fail)
    except KeyError as e:
        print("caught", repr(e))
    if hasattr(asyncio, "to_thread"):
        print("to_thread", await asyncio.to_thread(work, 3))
    threads = [threading.Thread(target=chatter, args=("T%d" % i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("joined")


asyncio.run(main())
