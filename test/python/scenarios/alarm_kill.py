# signal.alarm with the default action: SIGALRM kills the process while its loop sleeps. The
# virtual clock must not jump past it, and the events written before the kill must be kept.
import asyncio
import signal
import sys


async def main():
    print('sleeping', flush=True)
    signal.alarm(1)
    await asyncio.sleep(5)
    print('woke up: the alarm did not come')


asyncio.run(main())
