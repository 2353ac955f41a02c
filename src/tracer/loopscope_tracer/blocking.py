"""Blocking detection: handles (and whole ticks) that hold the loop longer than the threshold.

Blocking (a listener) keeps each tick's total and longest handle and has the Recorder write a
`blocking` event for a step or callback over the threshold (after its own step or callback
event), or for a tick over it when none of its handles was. A handle's duration is the real
time it took minus the tracer's own work inside it (patches measure it).

The Watchdog is a thread (started with _thread, so the program's threading.enumerate() and
active_count() do not see it) that wakes every min(threshold/5, 50 ms) to
- sample the line of a handle that has been running longer than the threshold
  (`time.sleep(5)` in a coroutine, a CPU loop): the `blocking` event reports the most frequent
  sample. A C call holding the GIL gives no sample until it returns; the event then falls back
  to the step's start line (`sampled: false`);
- flush buffered events every ~50 ms;
- check the limits, so a program stuck in one step still stops (limits.Limits.check_limits).
`stop()` waits for it to leave: a thread that wakes while the interpreter finalizes can abort
the process (seen on 3.9 as SIGABRT at exit).
"""

import _thread
import os
import sys

from . import frames
from . import virtual_clock as vc
from .instrument import Instrument

PERF = vc.REAL_PERF


class _LoopWatch:
    """Per loop (LoopRec.blocking): this tick's total, whether a handle of it was reported,
    its longest handle (dur, fn, line, file, task id); the running step's start line; the
    lines sampled while the running handle ran."""
    __slots__ = ('busy', 'blocked', 'longest', 'line', 'file', 'samples')

    def __init__(self):
        self.busy = 0.0
        self.blocked = False
        self.longest = None
        self.line = self.file = None
        self.samples = []


class Blocking(Instrument):
    def __init__(self, threshold, recorder, registry):
        """threshold: seconds."""
        self.threshold = threshold
        self.recorder = recorder
        self.registry = registry

    def loop_created(self, loop, L):
        L.blocking = _LoopWatch()

    def tick_started(self, loop, L):
        w = L.blocking
        w.busy = 0.0
        w.blocked = False
        w.longest = None

    def before_step(self, task, rec, loop, L, handle):
        w = L.blocking
        if w.samples:
            w.samples = []
        w.line = rec.line
        w.file = rec.file

    def after_step(self, task, rec, loop, L, handle, t, dur):
        w = L.blocking
        longest = w.longest
        if longest is None or dur > longest[0] or dur > self.threshold:
            fn = getattr(frames.task_coro(task), '__qualname__', '?')
            self._account(loop, L, w, dur, rec.id, fn, w.line, w.file)
        else:
            w.busy += dur

    def before_callback(self, handle, loop, L):
        w = L.blocking
        if w.samples:
            w.samples = []

    def after_callback(self, handle, callback, loop, L, kind, timer, t, dur):
        w = L.blocking
        longest = w.longest
        if longest is None or dur > longest[0] or dur > self.threshold:
            line, file = frames.callable_position(callback)
            self._account(loop, L, w, dur, None, frames.callable_name(callback), line, file)
        else:
            w.busy += dur

    def _account(self, loop, L, w, dur, tid, fn, line, file):
        w.busy += dur
        if w.longest is None or dur > w.longest[0]:
            w.longest = (dur, fn, line, file, tid)
        if dur > self.threshold:
            w.blocked = True
            self._report(loop, L, w, tid, fn, line, file, dur)

    def tick_ended(self, loop, L):
        w = L.blocking
        if w.busy > self.threshold and not w.blocked and w.longest:
            dur, fn, line, file, tid = w.longest
            self.recorder.blocking(loop, L, 'tick', tid, fn, line, file, w.busy, False)

    def _report(self, loop, L, w, tid, fn, line, file, dur):
        """A step (tid: its task) or callback over the threshold. When the watchdog sampled
        the running frame, the most frequent sampled line replaces line/file."""
        samples = list(w.samples)
        sampled = bool(samples)
        if sampled:
            line, file = max(set(samples), key=samples.count)
        self.recorder.blocking(loop, L, 'callback' if tid is None else 'step', tid, fn, line,
                               file, dur, sampled)

    def in_progress(self):
        """At a stop (a limit, control `stop`), possibly from another thread: a `blocking`
        event for each handle still running past the threshold (a step that never yields),
        its line sampled now if the watchdog has no sample yet."""
        for L in list(self.registry.loops.values()):
            h = L.running
            start = L.running_since
            if h is None or start is None:
                continue
            try:
                dur = PERF() - start
                loop = L.ref()
                if dur <= self.threshold or loop is None:
                    continue
                w = L.blocking
                if not w.samples:
                    sample(L)
                cb = h._callback
                task = getattr(cb, '__self__', None)
                if task is not None and isinstance(task, frames.TASK_TYPES):
                    rec = self.registry.task(task)
                    tid = rec.id
                    fn = getattr(frames.task_coro(task), '__qualname__', '?')
                    line, file = rec.line, rec.file
                else:
                    tid = None
                    fn = frames.callable_name(cb)
                    line, file = frames.callable_position(cb)
                task = cb = h = None
                self._report(loop, L, w, tid, fn, line, file, dur)
                loop = None
            except Exception as e:
                self.recorder.internal_error('blocking_at_stop', e)


def sample(L):
    """Append the running handle's current user line to its samples (from any thread)."""
    start = L.running_since
    f = sys._current_frames().get(L.thread_ident)
    try:
        f = frames.user_frame_in_handle(f)
        if f is not None and start is not None and L.running_since == start:
            L.blocking.samples.append((f.f_lineno, frames.file_field(f.f_code.co_filename)))
    finally:
        f = None


class Watchdog:
    def __init__(self, threshold, registry, emitter, check_limits, report):
        self.threshold = threshold
        self.registry = registry
        self.emitter = emitter
        self.check_limits = check_limits
        self.report = report
        self.pid = os.getpid()
        self.running = False
        self.wake = _thread.allocate_lock()
        self.wake.acquire()
        self.gone = _thread.allocate_lock()
        self.gone.acquire()

    def start(self):
        self.running = True
        _thread.start_new_thread(self._watch, ())

    def stop(self):
        if not self.running or self.pid != os.getpid():
            return  # never started, or a forked child (the thread was not copied)
        self.running = False
        self.wake.release()
        self.gone.acquire(timeout=2)

    def _watch(self):
        try:
            self._watch_until_woken()
        finally:
            self.gone.release()

    def _watch_until_woken(self):
        interval = max(0.002, min(self.threshold / 5.0, 0.05))
        last_flush = PERF()
        while self.running:
            if self.wake.acquire(timeout=interval):
                return
            try:
                now = PERF()
                for L in list(self.registry.loops.values()):
                    start = L.running_since
                    if start is not None and now - start > self.threshold:
                        sample(L)
                if now - last_flush >= 0.05:
                    last_flush = now
                    self.emitter.flush()
                self.check_limits()
            except Exception as e:
                self.report('watchdog', e)
