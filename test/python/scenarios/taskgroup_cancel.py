import asyncio


async def bad():
    await asyncio.sleep(0.1)
    raise ValueError('x')


async def slow():
    await asyncio.sleep(10)


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(bad())
            tg.create_task(slow())
    except* ValueError:
        print('caught')


asyncio.run(main())
