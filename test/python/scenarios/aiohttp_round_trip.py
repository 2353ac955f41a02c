# An aiohttp server and client in one loop (Debian's python3-aiohttp): the client waits for a
# response that the server's handler sends 0.5 s later.
import asyncio

from aiohttp import ClientSession, web


async def hello(request):
    await asyncio.sleep(0.5)
    return web.Response(text='hi')


async def main():
    app = web.Application()
    app.router.add_get('/', hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, '127.0.0.1', 0)
    await site.start()
    port = runner.addresses[0][1]
    async with ClientSession() as session:
        async with session.get('http://127.0.0.1:%d/' % port) as response:
            print(response.status, await response.text())
    await runner.cleanup()


asyncio.run(main())
