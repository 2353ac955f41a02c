# "Task exception was never retrieved" logged when the task is collected, then a clean exit.
import asyncio


async def fail():
    await asyncio.sleep(0.5)
    raise RuntimeError("nobody awaited me")


async def main():
    t = asyncio.create_task(fail())
    await asyncio.sleep(1)
    del t
    print("main done")


asyncio.run(main())
print("after run")
