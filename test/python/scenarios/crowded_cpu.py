# A busy machine: this process shares one CPU with three busy processes, so each step waits
# for the CPU about three times as long as it runs. The steps use 50 ms and 200 ms of CPU.
import asyncio
import os
import subprocess
import sys
import time


def crunch(seconds):
    deadline = time.thread_time() + seconds
    while time.thread_time() < deadline:
        pass


async def short():
    crunch(0.05)


async def long():
    crunch(0.2)


async def main():
    await short()
    await asyncio.sleep(0)
    await long()


cpu = min(os.sched_getaffinity(0))
os.sched_setaffinity(0, {cpu})
hogs = [subprocess.Popen([sys.executable, '-c', 'while True: pass']) for _ in range(3)]
try:
    for hog in hogs:
        os.sched_setaffinity(hog.pid, {cpu})
    asyncio.run(main())
finally:
    for hog in hogs:
        hog.kill()
        hog.wait()
print('done')
