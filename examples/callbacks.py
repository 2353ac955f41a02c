"""call_soon and call_later: plain callbacks.

Question: what does the loop run besides tasks?
Look in Loopscope: callbacks are not tasks and get no lane; they show up in the ready queue of the
tick that runs them. The two `call_soon` callbacks run in the next tick, in the order they were
scheduled. `call_later` sets a timer, listed as pending until it fires 1 s later. The handle that is
cancelled loses its timer and never rings.
"""
import asyncio


def ring(what):
    print("ring:", what)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(ring, "first")  # runs in the next tick
    loop.call_soon(ring, "second")  # runs right after "first"
    loop.call_later(1, ring, "egg timer")  # a timer that fires 1 s from now
    forgotten = loop.call_later(2, ring, "never rings")
    forgotten.cancel()  # removes its timer
    await asyncio.sleep(1.5)


asyncio.run(main())
