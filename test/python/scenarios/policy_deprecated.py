# Python 3.14 deprecates the event loop policy API: the same warnings, from the same lines.
import asyncio
import warnings

warnings.simplefilter("default")


async def main():
    print("running in", type(asyncio.get_running_loop()).__name__)


policy = asyncio.get_event_loop_policy()
asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
loop = asyncio.new_event_loop()
loop.run_until_complete(main())
loop.close()
asyncio.set_event_loop_policy(None)
print(asyncio.iscoroutinefunction(main))
try:
    asyncio.get_event_loop()
except RuntimeError as e:
    print("get_event_loop:", e)
asyncio.run(main())
