import asyncio

real_sleep = asyncio.sleep

async def loud_sleep(delay, result=None):
    print("sleeping", delay)
    return await real_sleep(delay, result)

asyncio.sleep = loud_sleep
asyncio.base_events.BaseEventLoop._run_once = asyncio.base_events.BaseEventLoop._run_once

async def main():
    await asyncio.sleep(1)
    print("done")

asyncio.run(main())
