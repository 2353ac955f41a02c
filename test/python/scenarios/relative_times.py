import asyncio


async def main():
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    async with asyncio.timeout(10) if hasattr(asyncio, 'timeout') else _null():
        await asyncio.sleep(5)
    print('slept', round(loop.time() - t0))
    print('big clock', loop.time() > 100)


class _null:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


asyncio.run(main())
