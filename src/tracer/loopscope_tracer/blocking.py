"""The watchdog: a thread (started with _thread, so the program's threading.enumerate() and
active_count() do not see it) that wakes every min(blocking/5, 50 ms) to

- sample the line of a handle that has been running longer than the blocking threshold
  (`time.sleep(5)` in a coroutine, a CPU loop): loop_hooks reports the most frequent sample
  in its `blocking` event. A C call holding the GIL gives no sample until it returns; the
  event then falls back to the step's start line (`sampled: false`);
- flush buffered events every ~50 ms;
- enforce the wall-seconds limit even when the loop thread is stuck (paused time excluded).

`finish()` stops it and waits for it to leave: a thread that wakes while the interpreter
finalizes can abort the process (seen on 3.9 as SIGABRT at exit).
"""

import _thread
import os
import sys

from . import frames
from . import virtual_clock as vc

PERF = vc.REAL_PERF


class Watchdog:
    def __init__(self):
        self.pid = os.getpid()
        self.wake = _thread.allocate_lock()
        self.wake.acquire()
        self.gone = _thread.allocate_lock()
        self.gone.acquire()

    def stop(self):
        if self.pid != os.getpid():
            return  # a forked child: the thread was not copied
        self.wake.release()
        self.gone.acquire(timeout=2)


def start(tr):
    tr.watchdog = Watchdog()
    _thread.start_new_thread(_watch, (tr, tr.watchdog))


def _watch(tr, dog):
    try:
        _watch_until_woken(tr, dog)
    finally:
        dog.gone.release()


def _watch_until_woken(tr, dog):
    interval = max(0.002, min(tr.blocking / 5.0, 0.05))
    last_flush = PERF()
    while not tr.finished:
        if dog.wake.acquire(timeout=interval):
            return
        try:
            now = PERF()
            for L in list(tr.loops.values()):
                start = L.cur_start
                if start is not None and now - start > tr.blocking:
                    _sample(L)
            if now - last_flush >= 0.05:
                last_flush = now
                tr.emitter.flush()
            if (tr.max_wall is not None and tr.control.paused_since is None
                    and now - tr.wall0 - tr.control.paused_total > tr.max_wall):
                tr.stop('limit', 'wall-seconds')
        except Exception as e:
            tr.internal_error('watchdog', e)


def _sample(L):
    gen = L.cur_gen
    f = sys._current_frames().get(L.thread_ident)
    try:
        f = frames.user_frame_in_handle(f)
        if f is not None and L.cur_gen == gen and L.cur_start is not None:
            L.samples.append((f.f_lineno, frames.file_field(f.f_code.co_filename)))
    finally:
        f = None
