"""Shared tracer state: options, ids of loops/tasks/timers/jobs, counters, stopping.

Tasks, loops and futures are never kept alive by the tracer: records are found by id() and
checked through a weak reference, and dropped when the object dies.
"""

import os
import sys
import threading
import traceback
import weakref

from . import frames
from . import virtual_clock as vc

REAL_OS_EXIT = os._exit  # saved before runner patches os._exit


class _Ref(weakref.ref):
    __slots__ = ('key',)


class TaskRec:
    __slots__ = ('id', 'ref', 'line', 'file', 'stack', 'reason', 'started', 'stepped',
                 'timeouts', 'loop', 'origin')

    def __init__(self, tid, ref, loop, origin=0.0):
        self.id = tid
        self.ref = ref
        self.loop = loop
        self.origin = origin    # its loop's origin (LoopRec.origin)
        self.line = None        # where it is suspended (deepest user frame), after a step
        self.file = None
        self.stack = None       # last emitted stack
        self.reason = None      # last emitted wait reason
        self.started = False
        self.stepped = False    # a `step` event was emitted (the first one carries `from`)
        self.timeouts = None    # {timer id: deadline} of active asyncio.timeout()s


class LoopRec:
    __slots__ = ('id', 'ref', 'n', 'tick_emitted', 'waited', 'jump', 'io', 'io_ids',
                 'ssock_fd', 'selector_wrapped', 'thread_ident', 'cur_start', 'cur_gen',
                 'samples', 'tick_busy', 'tick_blocked', 'tick_longest', 'closed', 'origin',
                 'cur_handle')

    def __init__(self, lid, ref, origin=0.0):
        self.id = lid
        self.ref = ref
        # loop.time() when the `loop` event was emitted: every loop time in events and
        # texts is relative to it (docs/protocol.md).
        self.origin = origin
        self.cur_handle = None  # the Handle running now (for a blocking event at a stop)
        self.n = 0
        self.tick_emitted = True
        self.waited = 0.0
        self.jump = 0.0
        self.io = None
        self.io_ids = ()
        self.ssock_fd = None
        self.selector_wrapped = False
        self.thread_ident = None
        self.cur_start = None   # REAL_PERF() when the running handle started (watchdog)
        self.cur_gen = 0
        self.samples = []
        self.tick_busy = 0.0
        self.tick_blocked = False
        self.tick_longest = None
        self.closed = False


class TimerRec:
    __slots__ = ('id', 'task')

    def __init__(self, tid, task):
        self.id = tid
        self.task = task        # TaskRec with an asyncio.timeout() on this timer, or None


class JobRec:
    __slots__ = ('id', 'fn', 'thread', 'start', 'fut_ref')

    def __init__(self, jid, fn):
        self.id = jid
        self.fn = fn
        self.thread = None
        self.start = None
        self.fut_ref = None


DEFAULTS = {
    'max_ticks': 1000000,
    'max_virtual_seconds': 3600.0,
    'max_wall_seconds': 60.0,
    'max_events': 5000000,
    'blocking_ms': 100.0,
}


class Tracer:
    def __init__(self, opts):
        self.opts = opts
        self.clock = opts['clock']
        self.virtual = self.clock == 'virtual'
        self.max_ticks = opts['max_ticks']
        self.max_virtual = opts['max_virtual_seconds']
        self.max_wall = opts['max_wall_seconds']
        self.blocking = opts['blocking_ms'] / 1000.0
        self.wall0 = vc.REAL_PERF()
        self.vstart = vc.REAL_MONOTONIC()
        self.emitter = None
        self.main_ident = threading.get_ident()

        self.loops = {}         # id(loop) -> LoopRec
        self.tasks = {}         # id(task) -> TaskRec
        self.timers = {}        # id(TimerHandle) -> TimerRec
        self.jobs_by_fn = {}    # id(tagged callable) -> (JobRec, tagged)
        self.jobs_by_cf = {}    # id(concurrent future) -> JobRec (while running)
        self.job_futs = weakref.WeakKeyDictionary()  # asyncio future -> JobRec
        self.threadsafe = set()  # id(callback) scheduled by call_soon_threadsafe
        self.busy_workers = set()  # thread idents running an executor work item
        self.outstanding_jobs = 0
        self.n_loops = self.n_tasks = self.n_timers = self.n_jobs = 0
        self.ticks = 0
        self.steps = 0
        self.own = 0.0          # tracer time spent inside user steps (subtracted from dur)
        self.creating = []      # stack of (coro, parent id, line, file, name) in create_task
        self.internal_errors = 0

        self.outcome = None
        self.exit_code = None
        self.error = None
        self.limit = None
        self.finished = False
        self.stop_lock = threading.RLock()
        self.reasons = None
        self.output = None
        self.control = None
        self.hooks = None
        self.watchdog = None
        self.kill_with_sigint = False   # uncaught KeyboardInterrupt: die by SIGINT like Python

    # -- time ------------------------------------------------------------------------------

    def wall(self):
        return round(vc.REAL_PERF() - self.wall0, 6)

    # -- emitting --------------------------------------------------------------------------

    def emit(self, ev):
        self.emitter.emit(ev)

    def internal_error(self, where, exc):
        self.internal_errors += 1
        if self.internal_errors > 50:
            return
        try:
            tb = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except Exception:
            tb = ''
        try:
            self.emit({'ev': 'internal_error', 'where': where,
                       'message': '%s: %s' % (type(exc).__name__, exc), 'traceback': tb})
        except Exception:
            pass

    # -- loops -----------------------------------------------------------------------------

    def loop_rec(self, loop):
        rec = self.loops.get(id(loop))
        if rec is not None and rec.ref() is loop:
            return rec
        return self.register_loop(loop)

    def register_loop(self, loop):
        self.n_loops += 1
        ref = _Ref(loop, self._loop_gone)
        ref.key = id(loop)
        origin = loop.time()
        rec = LoopRec(self.n_loops, ref, origin)
        self.loops[id(loop)] = rec
        try:
            ssock = getattr(loop, '_ssock', None)
            rec.ssock_fd = ssock.fileno() if ssock is not None else None
        except Exception:
            pass
        t = threading.current_thread() if threading.get_ident() in threading._active else None
        self.emit({'ev': 'loop', 'loop': rec.id, 'cls': type(loop).__name__,
                   'thread': t.name if t is not None else None,
                   't': 0.0, 'origin': round(origin, 6), 'wall': self.wall()})
        return rec

    def loop_time(self, loop):
        """loop.time() relative to the loop's origin, rounded: the `t` of events."""
        return round(loop.time() - self.loop_rec(loop).origin, 6)

    def origin_of(self, loop):
        rec = self.loops.get(id(loop))
        return rec.origin if rec is not None and rec.ref() is loop else 0.0

    def _loop_gone(self, ref):
        self.loops.pop(ref.key, None)

    # -- tasks -----------------------------------------------------------------------------

    def task_rec_if_known(self, task):
        rec = self.tasks.get(id(task))
        if rec is not None and rec.ref() is task:
            return rec
        return None

    def task_rec(self, task):
        rec = self.tasks.get(id(task))
        if rec is not None and rec.ref() is task:
            return rec
        return self.register_task(task)

    def task_id(self, task):
        return self.task_rec(task).id

    def register_task(self, task, parent=None, line=None, file=None, eager=False, coro=None,
                      name=None):
        """Give the task an id and emit its `task` event. name: the name the task is being
        given by its creator (set only after create_task returns on 3.8-3.12)."""
        if coro is None:
            coro = frames.task_coro(task)
        if self.creating and coro is not None and self.creating[-1][0] is coro:
            # Registered from inside create_task (an eager task's first step).
            _, parent, line, file, name = self.creating[-1]
            eager = True
        self.n_tasks += 1
        ref = _Ref(task, self._task_gone)
        ref.key = id(task)
        loop = task.get_loop() if hasattr(task, 'get_loop') else task._loop
        lrec = self.loop_rec(loop)
        rec = TaskRec(self.n_tasks, ref, lrec.id, lrec.origin)
        self.tasks[id(task)] = rec
        co = getattr(coro, 'cr_code', None) or getattr(coro, 'gi_code', None)
        ev = {'ev': 'task', 'task': rec.id, 'loop': lrec.id, 'name': task.get_name() if name is None else name,
              'coro': getattr(coro, '__qualname__', type(coro).__name__),
              'label': frames.coro_label(coro), 'parent': parent, 'line': line}
        if file is not None:
            ev['file'] = file
        ev['internal'] = bool(co is not None and frames.is_asyncio_file(co.co_filename))
        ev['eager'] = eager
        ev['t'] = round(loop.time() - lrec.origin, 6)
        ev['wall'] = self.wall()
        self.emit(ev)
        return rec

    def _task_gone(self, ref):
        self.tasks.pop(ref.key, None)

    # -- timers and jobs -------------------------------------------------------------------

    def timer_id(self, handle):
        rec = self.timers.get(id(handle))
        return rec.id if rec is not None else None

    def job_of_future(self, fut):
        try:
            return self.job_futs.get(fut)
        except TypeError:
            return None

    # -- the end ---------------------------------------------------------------------------

    def counts(self):
        return {'loops': self.n_loops, 'ticks': self.ticks, 'tasks': self.n_tasks,
                'steps': self.steps, 'events': self.emitter.count + 1}

    def end_event(self):
        return {'ev': 'end', 'outcome': self.outcome, 'limit': self.limit,
                'exitCode': self.exit_code, 'error': self.error, 'counts': self.counts(),
                'wall': self.wall()}

    def finish(self):
        """atexit: runs after non-daemon threads are joined. Emits `end`."""
        with self.stop_lock:
            if self.finished:
                return
            self.finished = True
        if self.watchdog is not None:
            self.watchdog.stop()
        try:
            if self.output is not None:
                self.output.flush_partial()
                self.output.uninstall()
        except Exception as e:
            self.internal_error('finish', e)
        if self.outcome is None:
            self.outcome, self.exit_code = 'completed', 0
        self.emitter.emit_final(self.end_event())
        self.emitter.close()
        if self.kill_with_sigint:
            import signal
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except Exception:
                    pass
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)

    def stop(self, outcome, limit=None, exit_code=3):
        """Stop the program now (limit or control `stop`): flush everything, emit `end`,
        exit. Callable from any thread."""
        with self.stop_lock:
            if self.finished:
                return
            self.finished = True
            self.outcome, self.limit, self.exit_code = outcome, limit, exit_code
            try:
                if self.output is not None:
                    self.output.flush_partial()
            except Exception:
                pass
            try:
                if self.hooks is not None:
                    self.hooks.blocking_in_progress()
            except Exception:
                pass
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except Exception:
                    pass
            try:
                self.emitter.emit_final(self.end_event())
            except Exception:
                pass
            REAL_OS_EXIT(exit_code)
