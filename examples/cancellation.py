"""Cancellation.

Question: what happens when a task is cancelled?
Look in Loopscope: main cancels the roast while it sleeps for 60 s. Its timer is cancelled, the
task becomes ready, and in its next step `CancelledError` is raised at the `await` line where it was
suspended. Its `finally` block runs (the oven is turned off) and the task ends cancelled after 1 s,
not 60. main's `await roast` then raises CancelledError in main.
"""
import asyncio


async def roast():
    try:
        print("roast: in the oven for 60 s")
        await asyncio.sleep(60)  # cancelled while waiting here
    finally:
        print("roast: oven off")  # runs even when cancelled


async def main():
    task = asyncio.create_task(roast())
    await asyncio.sleep(1)
    print("main: the guests went home")
    task.cancel()  # asks the task to stop at its next step
    try:
        await task
    except asyncio.CancelledError:
        print("main: the roast was cancelled:", task.cancelled())


asyncio.run(main())
