# 3.8-3.13: with SafeChildWatcher a child's exit reaches the loop only as SIGCHLD through its
# self-pipe; the virtual clock must not jump wait_for's 5 s before it comes.
import asyncio
import sys
import warnings

warnings.simplefilter('ignore', DeprecationWarning)


async def main():
    proc = await asyncio.create_subprocess_exec(sys.executable, '-c',
                                                'import time; time.sleep(0.3)')
    print('exit code', await asyncio.wait_for(proc.wait(), 5))


watcher = asyncio.SafeChildWatcher()
asyncio.set_child_watcher(watcher)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
watcher.attach_loop(loop)
loop.run_until_complete(main())
watcher.close()
loop.close()
