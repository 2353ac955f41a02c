# Callbacks and tasks the C step path takes over, beside the ones it leaves to Python: plain
# functions one after another in a tick (the same one twice, then others), a function with
# attributes, nested gathers (one done callback each), tasks made by Task() and from a callback,
# and tasks that end cancelled, with a result, with an exception.
import asyncio


def ping(n):
    print("ping", n)


def pong(n):
    print("pong", n)


def tagged(n):
    print("tagged", n)


tagged.func = pong      # callable_name unwraps a `func` attribute


async def child(n):
    await asyncio.sleep(0)
    if n == 3:
        raise ValueError(n)
    return n * 10


async def forever():
    await asyncio.sleep(3600)


async def main():
    loop = asyncio.get_running_loop()
    for cb, n in ((ping, 1), (ping, 2), (pong, 3), (ping, 4), (tagged, 5), (tagged, 6), (pong, 7)):
        loop.call_soon(cb, n)
    await asyncio.sleep(0)
    inner = [asyncio.gather(child(1), child(2)), asyncio.gather(child(4))]
    print(await asyncio.gather(*inner))
    direct = asyncio.Task(child(5))
    spawned = []
    loop.call_soon(lambda: spawned.append(loop.create_task(child(6))))
    await asyncio.sleep(0)
    print(await direct, await spawned[0])
    sleeper = asyncio.create_task(forever())
    failing = asyncio.create_task(child(3))
    await asyncio.sleep(0)
    sleeper.cancel()
    print(await asyncio.gather(sleeper, failing, return_exceptions=True))


asyncio.run(main())
