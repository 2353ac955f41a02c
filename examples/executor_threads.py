"""run_in_executor and to_thread: blocking work on worker threads.

Question: how are threads different from tasks?
Look in Loopscope: `weigh` calls the blocking `time.sleep`, but on worker threads (see the jobs
and their thread names), so the loop stays free: the `stir` task keeps stirring and no step is
marked blocking. The two jobs overlap: two threads really run at the same time, while tasks take
turns on the one loop thread. main waits with reason "executor" until a thread hands back a result.
"""
import asyncio
import sys
import time


def weigh(ingredient):
    time.sleep(0.5)  # blocking, but on a worker thread
    return f"{ingredient}: 200 g"


async def stir():
    for turn in range(1, 4):
        await asyncio.sleep(0.1)
        print("stir", turn)


async def main():
    loop = asyncio.get_running_loop()
    stirring = asyncio.create_task(stir())
    flour = loop.run_in_executor(None, weigh, "flour")  # starts on a worker thread right away
    if sys.version_info >= (3, 9):
        sugar = await asyncio.to_thread(weigh, "sugar")  # a second thread, while flour runs
    else:  # asyncio.to_thread is new in 3.9; underneath it is this same run_in_executor
        sugar = await loop.run_in_executor(None, weigh, "sugar")
    print(sugar, "/", await flour)
    await stirring


asyncio.run(main())
