"""Tracer overhead on a real server and client: 5,000 lines echoed over a local socket with asyncio
streams, one round trip at a time, so most ticks run one handle (the opposite of sleep0.py)."""
import asyncio

async def handle(reader, writer):
    while line := await reader.readline():
        writer.write(line)
        await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    for i in range(5000):
        writer.write(b'ping %d\n' % i)
        await writer.drain()
        await reader.readline()
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    print('done')

asyncio.run(main())
