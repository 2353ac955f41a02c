"""A coroutine that is never awaited.

Question: I called my async function, but nothing happened. Why?
Look in Loopscope: calling `boil_eggs()` only creates a coroutine object. Without `await` (or
`create_task`) it never runs: no step, nothing printed by it, and Python warns on stderr
"coroutine 'boil_eggs' was never awaited" when the object is thrown away. main then sleeps 2 s
and the eggs still have not started; the second call is awaited, so it runs inside main's task.
"""
import asyncio


async def boil_eggs():
    print("eggs: boiling")
    await asyncio.sleep(1)
    print("eggs: done")


async def main():
    boil_eggs()  # oops: no await, so this does nothing
    print("main: where are my eggs?")
    await asyncio.sleep(2)
    await boil_eggs()  # this one runs


asyncio.run(main())
