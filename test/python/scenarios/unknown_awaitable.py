# Awaitables the tracer cannot know: a bare-yield iterator, a generator-based coroutine,
# an object awaiting a future from another loop's world, an async generator.
import asyncio
import types


class BareYield:
    def __await__(self):
        yield
        return "bare"


@types.coroutine
def legacy():
    yield from asyncio.sleep(0.1).__await__()
    return "legacy"


async def agen():
    for i in range(3):
        await asyncio.sleep(0.1)
        yield i


async def main():
    print(await BareYield())
    print(await legacy())
    print([i async for i in agen()])
    fut = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(0.1, fut.set_result, "plain future")
    print(await fut)


asyncio.run(main())
