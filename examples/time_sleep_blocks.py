"""time.sleep vs asyncio.sleep.

Question: why does `time.sleep` freeze everything?
Look in Loopscope: the kettle uses `asyncio.sleep`: its task is suspended and the loop is free
meanwhile. The toaster uses `time.sleep`: its step never gives control back, so the whole loop
stops on that line for 1 s (marked as blocking). The kettle's 0.2 s timer can only fire after the
toaster's step ends, so the kettle is 0.8 s late.
"""
import asyncio
import time


async def kettle():
    for _ in range(3):
        print("kettle: heating")
        await asyncio.sleep(0.2)  # the loop is free while the kettle waits
    print("kettle: boiled")


async def toaster():
    print("toaster: on")
    time.sleep(1)  # blocks the whole loop: nothing else can run
    print("toaster: toast ready")


async def main():
    await asyncio.gather(kettle(), toaster())


asyncio.run(main())
