# Tasks whose outermost coroutine is asyncio's own, made by the program: gather() wraps each
# wait_for(...) in a task, create_task(asyncio.sleep(...)), asyncio.wait on Event.wait(). They
# are the program's tasks, not asyncio's internal ones; a server's own helpers are internal.
import asyncio


async def work(n):
    await asyncio.sleep(n / 10)
    return n


async def main():
    print(await asyncio.gather(asyncio.wait_for(work(1), 5), asyncio.wait_for(work(2), 5)))
    nap = asyncio.create_task(asyncio.sleep(0.1))
    event = asyncio.Event()
    waiter = asyncio.create_task(event.wait())
    asyncio.get_running_loop().call_later(0.2, event.set)
    await asyncio.wait([nap, waiter])
    server = await asyncio.start_server(lambda r, w: w.close(), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    await reader.read()
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
