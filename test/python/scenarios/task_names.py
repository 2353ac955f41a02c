import asyncio


async def boil():
    await asyncio.sleep(1)


async def main():
    a = asyncio.create_task(boil(), name='boil_pasta')
    b = asyncio.get_running_loop().create_task(boil(), name='by_loop')
    c = asyncio.ensure_future(boil())
    d = asyncio.create_task(boil(), name='Task-99')  # looks like asyncio's, given by the program
    if hasattr(asyncio, 'TaskGroup'):
        async with asyncio.TaskGroup() as tg:
            tg.create_task(boil(), name='in_group')
    await asyncio.gather(a, b, c, d)
    if hasattr(asyncio, 'eager_task_factory'):
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        await asyncio.create_task(boil(), name='eager_one')
    print(a.get_name(), b.get_name())


asyncio.run(main())
