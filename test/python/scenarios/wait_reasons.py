# One phase per wait reason. Each waiting coroutine is named after the kind it should show.
import asyncio
import sys
import time

PY311 = sys.version_info >= (3, 11)


async def child(n=1):
    await asyncio.sleep(n)
    return n


async def sleep_kind():
    await asyncio.sleep(5)


async def yield_kind():
    for _ in range(3):
        await asyncio.sleep(0)


async def task_kind(t):
    return await t


async def gather_kind():
    return await asyncio.gather(child(1), child(2))


async def queue_get_kind(q):
    return await q.get()


async def queue_put_kind(q):
    await q.put("a")
    await q.put("b")


async def queue_join_kind(q):
    await q.join()


async def lock_kind(lock):
    async with lock:
        return "locked"


async def semaphore_kind(sem):
    async with sem:
        return "acquired"


async def event_kind(ev):
    await ev.wait()


async def condition_kind(cond):
    async with cond:
        await cond.wait()


async def executor_kind():
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, time.sleep, 0.05)


def slow_sum(numbers):
    # Slow on purpose: on 3.14, a job already over when run_in_executor chains its future makes
    # that future done at once, and the await does not suspend (CPython does it too, under load).
    time.sleep(0.1)
    return sum(numbers)


async def wait_for_kind():
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.5)
    except asyncio.TimeoutError:
        return "timed out"


async def wait_kind(a, b):
    done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
    return len(done), len(pending)


async def shield_kind(t):
    return await asyncio.shield(t)


class Odd:
    """A custom awaitable that yields a foreign future-like object to the task."""
    def __await__(self):
        fut = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.2, fut.set_result, "odd")
        return (yield from fut)


async def future_kind():
    return await Odd()


async def handle_client(reader, writer):
    data = await reader.readline()
    writer.write(data.upper())
    await writer.drain()
    writer.close()


async def io_kinds(port_box):
    server = await asyncio.start_server(handle_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.sleep(0.1)
    writer.write(b"hello\n")
    line = await reader.readline()
    writer.close()
    server.close()
    await server.wait_closed()
    return line


async def slow_reader(reader, writer):
    await asyncio.sleep(0.2)
    data = await reader.readexactly(4 * 1024 * 1024)
    writer.write(b"%d\n" % len(data))
    writer.close()


async def io_write_kind():
    server = await asyncio.start_server(slow_reader, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    serving = asyncio.create_task(server.serve_forever())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"x" * (4 * 1024 * 1024))
    await writer.drain()
    answer = await reader.readline()
    writer.close()
    serving.cancel()
    try:
        await serving
    except asyncio.CancelledError:
        pass
    return answer


async def io_accept_kind(sock):
    loop = asyncio.get_running_loop()
    conn, _ = await loop.sock_accept(sock)
    conn.close()
    return "accepted"


async def subprocess_kind():
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await proc.wait()


async def main():
    t = asyncio.create_task(sleep_kind())
    y = asyncio.create_task(yield_kind())
    c = asyncio.create_task(child(1))
    tk = asyncio.create_task(task_kind(c))
    g = asyncio.create_task(gather_kind())
    await asyncio.sleep(0.1)
    t.cancel()
    print("task:", await tk, "gather:", await g)

    q = asyncio.Queue(maxsize=1)
    getter = asyncio.create_task(queue_get_kind(q))
    await asyncio.sleep(0.1)
    await q.put("x")
    print("got", await getter)
    putter = asyncio.create_task(queue_put_kind(q))
    await asyncio.sleep(0.1)
    print("queue has", q.get_nowait())
    await asyncio.sleep(0.1)
    print("queue has", q.get_nowait())
    q.task_done()
    joiner = asyncio.create_task(queue_join_kind(q))
    await asyncio.sleep(0.1)
    q.task_done()
    q.task_done()
    await joiner

    lock = asyncio.Lock()
    await lock.acquire()
    lk = asyncio.create_task(lock_kind(lock))
    sem = asyncio.Semaphore(0)
    sm = asyncio.create_task(semaphore_kind(sem))
    ev = asyncio.Event()
    ew = asyncio.create_task(event_kind(ev))
    cond = asyncio.Condition()
    cw = asyncio.create_task(condition_kind(cond))
    await asyncio.sleep(0.1)
    lock.release()
    sem.release()
    ev.set()
    async with cond:
        cond.notify_all()
    print(await lk, await sm, await ew, await cw)

    print("executor", await asyncio.create_task(executor_kind()))
    print("wait_for", await asyncio.create_task(wait_for_kind()))
    a = asyncio.create_task(child(1))
    b = asyncio.create_task(child(3))
    print("wait", await asyncio.create_task(wait_kind(a, b)))
    inner = asyncio.create_task(child(1))
    print("shield", await asyncio.create_task(shield_kind(inner)))
    print("future", await asyncio.create_task(future_kind()))
    if hasattr(asyncio, "to_thread"):
        print("to_thread", await asyncio.to_thread(slow_sum, [1, 2, 3]))
    print("io", await io_kinds(None))
    print("drained", await asyncio.create_task(io_write_kind()))
    import socket
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen()
    lsock.setblocking(False)
    acc = asyncio.create_task(io_accept_kind(lsock))
    await asyncio.sleep(0.1)
    csock = socket.socket()
    csock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(csock, lsock.getsockname())
    print(await acc)
    csock.close()
    lsock.close()
    print("subprocess", await asyncio.create_task(subprocess_kind()))
    await b


asyncio.run(main())
