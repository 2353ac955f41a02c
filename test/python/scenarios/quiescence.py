# The virtual clock must not jump while another thread or an executor job runs.
import asyncio
import threading
import time


async def ticker(tag):
    for i in range(3):
        await asyncio.sleep(0.05)
        print(tag, i, flush=True)


async def main():
    print("phase thread", flush=True)
    th = threading.Thread(target=time.sleep, args=(1.0,))
    th.start()
    await ticker("with thread")
    th.join()
    print("phase executor", flush=True)
    loop = asyncio.get_running_loop()
    job = loop.run_in_executor(None, time.sleep, 1.0)
    await ticker("with job")
    await job
    print("phase alone", flush=True)
    await ticker("alone")


asyncio.run(main())
