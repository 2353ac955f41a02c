# A client protocol whose reply is a future the program awaits: what resolves it is the
# connection to the server (its data_received), and the server answers 0.1 s later.
import asyncio


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        asyncio.get_running_loop().call_later(0.1, self.transport.write, data.upper())


class Client(asyncio.Protocol):
    def __init__(self, loop):
        self.reply = loop.create_future()

    def connection_made(self, transport):
        transport.write(b'ping')

    def data_received(self, data):
        self.reply.set_result(data)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    transport, client = await loop.create_connection(lambda: Client(loop), '127.0.0.1', port)
    print(await client.reply)
    transport.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
