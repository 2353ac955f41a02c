"""Ids and records of what the tracer has seen: loops, tasks, timers, executor jobs.

Loops and tasks get small integer ids in the order they are first seen; a new one is announced
through the hooks (loop_created, task_spawned), whoever found it. Nothing here keeps a loop, a
task or a future alive: records are found by id() and checked through a weak reference, and
dropped when the object dies.
"""

import threading
import weakref

from . import frames


class _Ref(weakref.ref):
    __slots__ = ('key',)


class LoopRec:
    """A loop. Fields by owner:
    registry: id, ref, origin (loop.time() when it was first seen: every loop time in events
      is relative to it);
    patches: closed, n (number of the current tick), tick_ready (its `tick_ready` hook ran),
      thread_ident, selector_wrapped, ssock_fd (the self-pipe), waited and jump (real wait and
      virtual jump before this tick), io (descriptors the selector reported) and io_ids (ids
      of their handles), running and running_since (the handle running now, REAL_PERF() when
      it started), running_callback (its callback: a handle that cancels itself loses it),
      running_rec (for a task step: the task's TaskRec), running_kind and running_timer (for
      a plain callback: its kind and timer id);
    events.Recorder: ready_ids (id() of each handle of this tick's ready list, in order) and
      ready_at (index in it of the last handle looked up: handles run in that order);
    blocking: blocking (its per-loop state)."""
    __slots__ = ('id', 'ref', 'origin', 'closed', 'n', 'tick_ready', 'thread_ident',
                 'selector_wrapped', 'ssock_fd', 'waited', 'jump', 'io', 'io_ids',
                 'running', 'running_since', 'running_callback', 'running_rec',
                 'running_kind', 'running_timer', 'ready_ids', 'ready_at',
                 'blocking')

    def __init__(self, lid, ref, origin):
        self.id = lid
        self.ref = ref
        self.origin = origin
        self.closed = False
        self.n = 0
        self.tick_ready = True
        self.thread_ident = None
        self.selector_wrapped = False
        self.ssock_fd = None
        self.waited = 0.0
        self.jump = 0.0
        self.io = None
        self.io_ids = ()
        self.running = None
        self.running_since = None
        self.running_callback = None
        self.running_rec = None
        self.running_kind = None
        self.running_timer = None
        self.ready_ids = []
        self.ready_at = 0
        self.blocking = None


class TaskRec:
    """A task. Fields by owner:
    registry: id, ref, loop (its loop's id), origin (its loop's origin);
    patches: started (its first step has begun);
    events.Recorder: line and file (where its next step starts: its def line, then where it
      is suspended, the deepest user frame), stack and reason (last written), stepped (a
      `step` event was written), by and by_n (what put its next step in the ready queue:
      JSON, or events.YIELD_BY; and in which tick of its loop), step_by (the `by` of the
      step running now, kept aside when that step schedules the next one), last_n and
      last_q (the tick and ready-queue index of its last step);
    wait_reasons.Reasons: timeouts ({timer id: deadline} of its active asyncio.timeout()s)."""
    __slots__ = ('id', 'ref', 'loop', 'origin', 'started', 'line', 'file', 'stack', 'reason',
                 'stepped', 'by', 'by_n', 'step_by', 'last_n', 'last_q', 'timeouts')

    def __init__(self, tid, ref, loop, origin):
        self.id = tid
        self.ref = ref
        self.loop = loop
        self.origin = origin
        self.started = False
        self.line = None
        self.file = None
        self.stack = None
        self.reason = None
        self.stepped = False
        self.by = None
        self.by_n = 0
        self.step_by = None
        self.last_n = 0
        self.last_q = None
        self.timeouts = None


class TimerRec:
    """A pending timer: id, when (relative to its loop's origin), wakes (TaskRec of the task
    it will wake, for asyncio's sleep/timeout/wait timers), timeout (it is an
    asyncio.timeout()'s)."""
    __slots__ = ('id', 'when', 'wakes', 'timeout')

    def __init__(self, tid, when, wakes, timeout):
        self.id = tid
        self.when = when
        self.wakes = wakes
        self.timeout = timeout


class JobRec:
    """An executor job: id, fn (the function's name), thread (its worker, once started),
    start (REAL_PERF() when it started)."""
    __slots__ = ('id', 'fn', 'thread', 'start')

    def __init__(self, jid, fn):
        self.id = jid
        self.fn = fn
        self.thread = None
        self.start = None


class Registry:
    def __init__(self):
        self.hooks = None       # instrument.Hooks, set once the listeners are bound
        self.loops = {}         # id(loop) -> LoopRec
        self.tasks = {}         # id(task) -> TaskRec
        self.timers = {}        # id(TimerHandle) -> TimerRec
        self.n_loops = self.n_tasks = self.n_timers = self.n_jobs = 0
        # (coro, parent id, line, file, name, label) of each create_task call in progress: a task
        # first seen from inside it (an eager task's first step) gets that creation.
        self.creating = []
        self.threadsafe = set()  # id(callback) scheduled by call_soon_threadsafe, until run
        self._job_lock = threading.Lock()
        self._job_futures = weakref.WeakKeyDictionary()  # asyncio future -> JobRec

    # -- loops -------------------------------------------------------------------------------
    def loop(self, loop):
        rec = self.loops.get(id(loop))
        if rec is not None and rec.ref() is loop:
            return rec
        return self.add_loop(loop)

    def known_loop(self, loop):
        rec = self.loops.get(id(loop))
        return rec if rec is not None and rec.ref() is loop else None

    def add_loop(self, loop):
        self.n_loops += 1
        ref = _Ref(loop, self._loop_gone)
        ref.key = id(loop)
        try:
            origin = float(loop.time())
        except Exception:
            origin = 0.0   # a time() the program replaced (a Mock)
        rec = LoopRec(self.n_loops, ref, origin)
        self.loops[id(loop)] = rec
        try:
            ssock = getattr(loop, '_ssock', None)
            rec.ssock_fd = ssock.fileno() if ssock is not None else None
        except Exception:
            pass
        self.hooks.loop_created(loop, rec)
        return rec

    def origin_of(self, loop):
        rec = self.known_loop(loop)
        return rec.origin if rec is not None else 0.0

    def _loop_gone(self, ref):
        self.loops.pop(ref.key, None)

    # -- tasks -------------------------------------------------------------------------------
    def task(self, task):
        rec = self.tasks.get(id(task))
        if rec is not None and rec.ref() is task:
            return rec
        return self.add_task(task)

    def known_task(self, task):
        rec = self.tasks.get(id(task))
        if rec is not None and rec.ref() is task:
            return rec
        return None

    def task_id(self, task):
        rec = self.tasks.get(id(task))   # task() inlined: a gather's reason asks for thousands
        if rec is not None and rec.ref() is task:
            return rec.id
        return self.add_task(task).id

    def add_task(self, task, coro=None, parent=None, line=None, file=None, name=None,
                 label=None, eager=False):
        """Give the task an id and announce it (task_spawned). The creation (parent,
        line, file, name, label) is what create_task found, or the one in progress
        (self.creating) when the task is first seen from inside its create_task."""
        if coro is None:
            coro = frames.task_coro(task)
        if self.creating and coro is not None and self.creating[-1][0] is coro:
            _, parent, line, file, name, label = self.creating[-1]
            eager = frames.coro_started(coro)
        self.n_tasks += 1
        ref = _Ref(task, self._task_gone)
        ref.key = id(task)
        loop = task.get_loop() if hasattr(task, 'get_loop') else task._loop
        lrec = self.loop(loop)
        rec = TaskRec(self.n_tasks, ref, lrec.id, lrec.origin)
        self.tasks[id(task)] = rec
        self.hooks.task_spawned(task, rec, coro, parent, line, file, name, label, eager)
        return rec

    def _task_gone(self, ref):
        self.tasks.pop(ref.key, None)

    # -- timers and handles ------------------------------------------------------------------
    def add_timer(self, handle, when, wakes, timeout):
        self.n_timers += 1
        rec = TimerRec(self.n_timers, when, wakes, timeout)
        self.timers[id(handle)] = rec
        return rec

    def timer_id(self, handle):
        rec = self.timers.get(id(handle))
        return rec.id if rec is not None else None

    def handle_kind(self, handle, L, timer_type):
        """(kind, TimerRec or None) of a handle that is not a task step: "timer", "io" (its
        descriptor was reported ready in this tick), "threadsafe" or "soon"."""
        if type(handle) is timer_type or isinstance(handle, timer_type):
            return 'timer', self.timers.get(id(handle))
        if id(handle) in L.io_ids:
            return 'io', None
        if id(handle._callback) in self.threadsafe:
            return 'threadsafe', None
        return 'soon', None

    # -- executor jobs -----------------------------------------------------------------------
    def add_job(self, fn_name):
        with self._job_lock:
            self.n_jobs += 1
            return JobRec(self.n_jobs, fn_name)

    def set_job_future(self, fut, job):
        try:
            self._job_futures[fut] = job
        except TypeError:
            pass

    def job_of_future(self, fut):
        try:
            return self._job_futures.get(fut)
        except TypeError:
            return None


def float_time(t, origin):
    """A loop.time() reading as a float; `origin` when the program replaced time() with
    something that does not give a number (a Mock)."""
    if type(t) is float:
        return t
    try:
        return float(t)
    except Exception:
        return origin
