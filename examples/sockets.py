"""Real sockets: how the loop learns that data arrived.

Question: how does the loop know when to come back to a task waiting for the network?
Look in Loopscope: the kitchen's `readline` and the client's `readline` suspend with reason "io
read": there is no timer to wait for. The loop asks the operating system (select/epoll) to watch
the sockets; when bytes arrive, that tick lists the socket in its I/O, a transport callback reads
them and wakes the waiting task, which runs in a following tick.
"""
import asyncio


async def kitchen(reader, writer):
    order = await reader.readline()  # the server waits for the order to arrive
    print("kitchen got:", order.decode().strip())
    await asyncio.sleep(1)  # cooking
    writer.write(b"pancakes ready\n")
    await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(kitchen, "127.0.0.1", 0)  # port 0: any free port
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"one pancake please\n")
    reply = await reader.readline()  # the client waits for the reply to arrive
    print("client got:", reply.decode().strip())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
