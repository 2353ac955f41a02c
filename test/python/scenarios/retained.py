# The tracer must not keep frames (or their locals) alive: with the cycle collector off,
# locals die as soon as the task is gone.
import asyncio
import gc
import weakref

gc.disable()
REFS = []


class Marker:
    pass


async def holder():
    m = Marker()
    REFS.append(weakref.ref(m))
    await asyncio.sleep(0.1)
    await asyncio.sleep(0.1)
    return "held"


async def main():
    t = asyncio.ensure_future(holder())
    await asyncio.sleep(0.15)
    print("alive while suspended:", REFS[0]() is not None)
    print(await t)
    del t
    print("alive after the task is gone:", REFS[0]() is not None)


asyncio.run(main())
