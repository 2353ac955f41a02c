# Wait reasons that exist from Python 3.11: TaskGroup, asyncio.timeout, Barrier.
import asyncio


async def child(n):
    await asyncio.sleep(n)
    return n


async def taskgroup_kind():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(child(1))
        tg.create_task(child(2))
    return "group done"


async def timeout_kind():
    fut = asyncio.get_running_loop().create_future()
    try:
        async with asyncio.timeout(0.5):
            await fut
    except TimeoutError:
        return "timeout fired"


async def barrier_kind(barrier, n):
    await asyncio.sleep(n)
    await barrier.wait()
    return n


async def main():
    print(await asyncio.create_task(taskgroup_kind()))
    print(await asyncio.create_task(timeout_kind()))
    barrier = asyncio.Barrier(2)
    print(await asyncio.gather(barrier_kind(barrier, 0), barrier_kind(barrier, 1)))


asyncio.run(main())
