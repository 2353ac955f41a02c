# A child forked from the program runs on as it would untraced: its loop, its output and its
# exit are its own, and the trace is the parent's alone. Traced, a thread holds the tracer's
# events lock at the fork (as its watchdog may while it writes): the child must not wait for it.
import asyncio
import gc
import os
import sys
import threading
import warnings

# 3.12+ warns at a fork with threads running (the holder below, traced only); its line would be
# an event of the parent, written under the lock the holder holds until after the fork.
warnings.filterwarnings('ignore', category=DeprecationWarning)


def tracer_events_lock():
    """The tracer's emitter lock when traced (white box), else None."""
    emitter = sys.modules.get('loopscope_tracer.emitter')
    if emitter is None:
        return None
    return next(o.lock for o in gc.get_objects() if type(o) is emitter.Emitter)


async def step_twice(who):
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print(who, 'loop done')


asyncio.run(step_twice('parent'))
lock = tracer_events_lock()
if lock is not None:
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock:
            held.set()
            release.wait()
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    asyncio.run(step_twice('child'))
    sys.stdout.flush()
    os._exit(7)
if lock is not None:
    release.set()
    holder.join()
_, status = os.waitpid(pid, 0)
print('child exit code', os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8)
asyncio.run(step_twice('parent again'))
