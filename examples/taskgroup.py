"""TaskGroup (Python 3.11 and newer).

Question: how do I run tasks together and be sure none is left behind when one fails?
Look in Loopscope: the three dishes started in the `async with` block are tasks of main, which
waits at the end of the block (reason taskgroup) until all are done. The soup finishes; when the
bread fails (2 s in), the TaskGroup cancels the roast (it ends cancelled) and raises an
ExceptionGroup in main. On Python 3.8-3.10 this example only prints a message.
"""
import asyncio
import sys


async def cook(dish, seconds):
    await asyncio.sleep(seconds)
    if dish == "bread":
        raise RuntimeError("the bread is burnt")  # the failing task
    print(dish, "ready")


async def main():
    try:
        async with asyncio.TaskGroup() as kitchen:
            kitchen.create_task(cook("soup", 1))
            kitchen.create_task(cook("bread", 2))
            kitchen.create_task(cook("roast", 3))
    except ExceptionGroup as failed:  # a builtin since Python 3.11
        print("dinner failed:", failed.exceptions)


if sys.version_info < (3, 11):
    print("asyncio.TaskGroup needs Python 3.11 or newer; this is Python", sys.version.split()[0])
else:
    asyncio.run(main())
