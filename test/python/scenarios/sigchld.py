# A child's exit that reaches the loop only as SIGCHLD, through the loop's self-pipe (as with
# 3.8-3.13's SafeChildWatcher/FastChildWatcher): nothing but real time says when it comes.
import asyncio
import signal
import subprocess
import sys


async def main():
    loop = asyncio.get_running_loop()
    exited = loop.create_future()
    loop.add_signal_handler(signal.SIGCHLD, lambda: exited.done() or exited.set_result(True))
    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(0.3)'])
    print('child exited:', await asyncio.wait_for(exited, 5), child.wait())
    loop.remove_signal_handler(signal.SIGCHLD)


asyncio.run(main())
