# Bytes held by the kernel: the client corks its socket (TCP_CORK holds small writes for up to
# 200 ms), so for a while nothing is readable anywhere, yet the server's read will complete.
# Nothing but real time can tell when: the virtual clock must not jump the 10 s timeout.
import asyncio
import socket


async def main():
    got = asyncio.get_running_loop().create_future()

    async def serve(reader, writer):
        data = await asyncio.wait_for(reader.readexactly(4), 10)
        got.set_result(data)
        writer.close()

    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    writer.get_extra_info('socket').setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    writer.write(b'ping')
    print('server read', await asyncio.wait_for(got, 10))
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
