"""Blocking detection: handles (and whole ticks) that hold the loop longer than the threshold.

Blocking (a listener) keeps each tick's total and longest handle and has the Recorder write a
`blocking` event for a step or callback over the threshold (after its own step or callback
event), or for a tick over it when none of its handles was. What counts is the program's own
time: the real time a handle took, minus the tracer's own work inside it (patches measure it)
and minus the time the loop thread was descheduled while it could have run (the run-queue
wait of /proc/<tid>/schedstat, Linux): a loaded machine does not make a line blocking. The
event gives that time (`dur`), the CPU time the thread used (`cpu`), and `uncertain` when
most of the wall time was not the program's.

The Watchdog is a thread (started with _thread, so the program's threading.enumerate() and
active_count() do not see it) that wakes every min(threshold/5, 50 ms) to
- read each loop thread's schedstat (CPU time, run-queue wait) at its first look at a handle
  and a tick: what the thread waits for the CPU from then to the end is not the program's
  (the wait before that first look, at most one interval, is counted as the program's: the
  program is blamed less, never the machine more);
- sample the line of a handle running longer than one interval (`time.sleep(5)` in a
  coroutine, a CPU loop): the `blocking` event reports the most frequent sample, so a handle
  just over the threshold has its samples too. A C call holding the GIL gives no sample until
  it returns; the event then falls back to the step's start line (`sampled: false`);
- flush buffered events every ~50 ms;
- check the limits, so a program stuck in one step still stops (limits.Limits.check_limits).
`stop()` waits for it to leave: a thread that wakes while the interpreter finalizes can abort
the process (seen on 3.9 as SIGABRT at exit).
"""

import _thread
import os
import sys
import threading

from . import frames
from . import virtual_clock as vc
from .instrument import Instrument

PERF = vc.REAL_PERF
_thread_by_ident = threading._active


class _LoopWatch:
    """Per loop (LoopRec.blocking): this tick's total, whether a handle of it was reported,
    its longest handle (dur, fn, line, file, task id); the running step's start line; the
    lines sampled while the running handle ran; when this tick started (tick_since). The
    watchdog's first schedstat reading (real time, CPU ns, run-queue wait ns) of the loop
    thread after the running handle started (handle_at, for the handle that started at
    handle_since) and after the tick started (tick_at, for the tick that started at
    tick_seen), taken back to the start (_back_to)."""
    __slots__ = ('busy', 'blocked', 'longest', 'line', 'file', 'samples', 'tick_since',
                 'handle_since', 'handle_at', 'tick_seen', 'tick_at')

    def __init__(self):
        self.busy = 0.0
        self.blocked = False
        self.longest = None
        self.line = self.file = None
        self.samples = []
        self.tick_since = None
        self.handle_since = self.handle_at = None
        self.tick_seen = self.tick_at = None


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
        w.tick_since = PERF()

    def before_step(self, task, rec, loop, L, handle):
        w = L.blocking
        if w.samples:
            w.samples = []
        w.handle_at = None
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
        w.handle_at = None

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
            own = _own_time(dur, w.handle_at)
            if own[0] > self.threshold:
                w.blocked = True
                self._report(loop, L, w, tid, fn, line, file, own)

    def tick_ended(self, loop, L):
        w = L.blocking
        if w.busy > self.threshold and not w.blocked and w.longest:
            own = _own_time(w.busy, w.tick_at if w.tick_seen == w.tick_since else None)
            if own[0] > self.threshold:
                dur, fn, line, file, tid = w.longest
                self.recorder.blocking(loop, L, 'tick', tid, fn, line, file, own[0], False,
                                       own[1], own[2])

    def _report(self, loop, L, w, tid, fn, line, file, own):
        """A step (tid: its task) or callback over the threshold; own: _own_time(). When the
        watchdog sampled the running frame, the most frequent sampled line replaces
        line/file."""
        samples = list(w.samples)
        sampled = bool(samples)
        if sampled:
            line, file = max(set(samples), key=samples.count)
        self.recorder.blocking(loop, L, 'callback' if tid is None else 'step', tid, fn, line,
                               file, own[0], sampled, own[1], own[2])

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
                self._report(loop, L, w, tid, fn, line, file, (dur, None, False))
                loop = None
            except Exception as e:
                self.recorder.internal_error('blocking_at_stop', e)


def _own_time(dur, at_start):
    """(program seconds, CPU seconds or None, uncertain) of a handle or tick that took `dur`
    seconds of real time (the tracer's work already taken out) on the calling loop thread:
    the time it was descheduled while runnable is taken out too. at_start: the watchdog's
    first schedstat reading after it started, taken back to the start (_back_to), or None
    (never observed: the watchdog could not run, a C call held the GIL: all of it counts)."""
    now = _read_schedstat('/proc/thread-self/schedstat') if at_start is not None else None
    if now is None:
        return dur, None, False
    waited = max(0.0, (now[2] - at_start[2]) * 1e-9)
    cpu = max(0.0, (now[1] - at_start[1]) * 1e-9)
    own = max(0.0, dur - waited)
    return own, cpu, waited > own


def _back_to(reading, start):
    """A reading taken after `start`, taken back to it as if the thread had run on the CPU
    all the time between (the program's time, never the machine's)."""
    t, cpu, wait = reading
    return start, cpu - max(0.0, t - start) * 1e9, wait


def _read_schedstat(path):
    """(REAL_PERF(), CPU ns, run-queue wait ns) of a thread, or None where there is no
    schedstat."""
    try:
        with open(path, 'rb') as f:
            cpu, wait = f.read().split()[:2]
        return PERF(), int(cpu), int(wait)
    except (OSError, ValueError):
        return None


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

    def _read(self, L):
        """A schedstat reading of the loop's thread, kept when it is the first since its
        running handle or tick started."""
        w = L.blocking
        t = _thread_by_ident.get(L.thread_ident)
        tid = getattr(t, 'native_id', None) if t is not None else None
        if w is None or tid is None:
            return
        r = _read_schedstat('/proc/self/task/%d/schedstat' % tid)
        if r is None:
            return
        start = L.running_since
        if start is not None and w.handle_since != start:
            w.handle_since = start
            w.handle_at = _back_to(r, start)
        tick = w.tick_since
        if tick is not None and w.tick_seen != tick:
            w.tick_seen = tick
            w.tick_at = _back_to(r, tick)

    def _watch_until_woken(self):
        interval = max(0.002, min(self.threshold / 5.0, 0.05))
        last_flush = PERF()
        while self.running:
            if self.wake.acquire(timeout=interval):
                return
            try:
                now = PERF()
                running = False
                for L in list(self.registry.loops.values()):
                    self._read(L)
                    start = L.running_since
                    if start is not None:
                        running = True
                        if now - start > interval:
                            sample(L)
                if now - last_flush >= 0.05:
                    last_flush = now
                    self.emitter.flush()
                self.check_limits()
                if running:
                    # A running handle waited for the GIL meanwhile: the tracer's time.
                    self.registry.hooks.own += PERF() - now
            except Exception as e:
                self.report('watchdog', e)
