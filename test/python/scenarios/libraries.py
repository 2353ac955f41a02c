# Tasks and waits inside libraries (dist-packages, another environment's site-packages).
import asyncio
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'libs', 'dist-packages'),
                os.path.join(HERE, 'libs', 'site-packages')]

import fakelib  # noqa: E402
import venvlib  # noqa: E402


async def main():
    background = asyncio.create_task(fakelib.fetch(1))
    event = asyncio.Event()
    waiter = asyncio.create_task(venvlib.wait_for_event(event))
    await fakelib.fetch(2)
    event.set()
    print(await background, await waiter)


asyncio.run(main())
