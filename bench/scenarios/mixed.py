"""A mixed workload closer to a real service: 300 clients exchange messages with a local echo
server, results flow through a Queue to workers limited by a Semaphore, and some jobs run in the
default executor."""
import asyncio
import hashlib

CLIENTS = 300
MESSAGES = 20


async def handle(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line.upper())
        await writer.drain()
    writer.close()


def checksum(data):
    return hashlib.sha256(data * 200).hexdigest()[:8]


async def client(n, port, queue):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(MESSAGES):
        writer.write(f"client {n} message {i}\n".encode())
        await writer.drain()
        await queue.put(await reader.readline())
    writer.close()
    await writer.wait_closed()


async def worker(queue, limit, loop, totals):
    while True:
        data = await queue.get()
        async with limit:
            if len(totals) % 50 == 0:
                await loop.run_in_executor(None, checksum, data)
            totals.append(len(data))
        queue.task_done()


async def main():
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    queue = asyncio.Queue(maxsize=100)
    limit = asyncio.Semaphore(10)
    totals = []
    workers = [asyncio.create_task(worker(queue, limit, loop, totals)) for _ in range(20)]
    await asyncio.gather(*(client(n, port, queue) for n in range(CLIENTS)))
    await queue.join()
    for task in workers:
        task.cancel()
    server.close()
    await server.wait_closed()
    print(f"{len(totals)} messages, {sum(totals)} bytes")


asyncio.run(main())
