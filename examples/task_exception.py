"""Exceptions in tasks.

Question: where does an exception raised inside a task go?
Look in Loopscope: the toast task raises after 1 s and ends with an error, but nothing happens
in main then: the exception is stored in the task. main is waiting for the coffee. Only when main
awaits the toast task (after 2 s) does the `await` raise the stored exception in main, where
`except` catches it.
"""
import asyncio


async def make_toast():
    await asyncio.sleep(1)
    raise RuntimeError("the toast is burnt")  # the task ends with this exception


async def make_coffee():
    await asyncio.sleep(2)
    return "coffee"


async def main():
    toast = asyncio.create_task(make_toast())
    coffee = asyncio.create_task(make_coffee())
    print("main got", await coffee)
    try:
        await toast  # raises the exception stored in the task
    except RuntimeError as error:
        print("main caught:", error)


asyncio.run(main())
