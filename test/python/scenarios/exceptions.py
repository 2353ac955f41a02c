# An uncaught exception after a task exception nobody retrieved and a never-awaited coroutine.
import asyncio
import gc


async def boom():
    raise ValueError("boom in task")


async def never():
    pass


def helper(x):
    return 1 / x


async def main():
    asyncio.ensure_future(boom())
    await asyncio.sleep(0.1)
    never()
    gc.collect()
    await asyncio.sleep(0.1)
    helper(0)


asyncio.run(main())
