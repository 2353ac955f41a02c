# What put each step in the ready queue (step.by), one case of each kind.
import asyncio
import socket
import time


async def sleeper():
    await asyncio.sleep(0.1)


async def yielder():
    await asyncio.sleep(0)


async def waiter(event):
    await event.wait()


async def setter(event):
    event.set()


async def reader(loop):
    rsock, wsock = socket.socketpair()
    fut = loop.create_future()

    def on_readable():
        loop.remove_reader(rsock)
        fut.set_result(rsock.recv(10))
    loop.add_reader(rsock, on_readable)
    wsock.send(b'x')
    data = await fut
    rsock.close()
    wsock.close()
    return data


async def main():
    loop = asyncio.get_running_loop()
    event = asyncio.Event()
    asyncio.create_task(waiter(event))
    await asyncio.gather(sleeper(), yielder(), setter(event))
    await loop.run_in_executor(None, time.sleep, 0.01)
    print(await reader(loop))
    await asyncio.create_task(yielder())


asyncio.run(main())
