# asyncio.as_completed: the task iterating it waits for the next of its tasks to finish.
import asyncio


async def job(n):
    await asyncio.sleep(n / 10)
    return n


async def main():
    tasks = [asyncio.create_task(job(n)) for n in (3, 1, 2)]
    for fut in asyncio.as_completed(tasks):
        print("finished", await fut)


asyncio.run(main())
