# A TaskGroup whose tasks raise a plain exception and a nested ExceptionGroup in one tick (3.11+).
import asyncio


async def plain():
    await asyncio.sleep(0)
    raise RuntimeError("boom inside the task group")


async def grouped():
    await asyncio.sleep(0)
    raise ExceptionGroup("inner", [ValueError("bad value"), KeyError("missing")])


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(plain())
        tg.create_task(grouped())


asyncio.run(main())
