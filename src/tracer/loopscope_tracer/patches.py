"""Class-level patches on asyncio (and concurrent.futures): they find the facts and call the
hooks of instrument.py, nothing more.

Patched at class level so every loop is seen, whoever builds it (asyncio.run, Runner,
get_event_loop().run_until_complete, a loop the user constructs); the loop's class and repr
stay the same. The hook calls are spliced into asyncio's own functions (splice.py), not put in
wrappers: no tracer frame sits between the program's code and asyncio's, so the program's
`inspect.stack()`, its tracebacks and asyncio's debug-mode `_source_traceback`s are what they
are untraced (issue 11.3). The spliced code only calls the functions made here, which catch
their own errors (reported as internal errors): nothing raises into the program.
  BaseEventLoop.close                   -> loop_closed (loop_created comes through the
                                           registry, at the first contact with the loop: a
                                           subclass's __init__ may not be done before that)
  BaseEventLoop._run_once               -> tick_started, tick_ready (if no handle ran), tick_ended
  loop._selector.select (per instance)  -> loop_idle (when it may wait), before/after_io_wait;
                                           or a virtual jump, when the
                                           jump decision says the loop is idle (a real wait
                                           is cut in slices, deciding again after each)
  events.Handle._run                    -> tick_ready (at a tick's first handle), task_started,
                                           before/after_step, timer_fired, before/after_callback
  BaseEventLoop.create_task             -> task_spawned (through the registry), and an eager
                                           task's first step (3.12+)
  BaseEventLoop.call_soon               -> task_scheduled (a task's step put in the ready queue:
                                           the C Task calls loop.call_soon by method lookup)
  BaseEventLoop.call_at, _timer_handle_cancelled -> timer_armed, timer_cancelled (the
                                           latter is what TimerHandle.cancel calls; cancel
                                           itself uses zero-argument super(), which splice
                                           refuses)
  BaseEventLoop.call_soon_threadsafe    -> marks the callback (kind "threadsafe")
  BaseEventLoop.run_in_executor, _WorkItem.run, concurrent Future.set_result/exception
                                        -> job_submitted, job_started, job_result, job_ended
  BaseEventLoop.call_exception_handler  -> strips the tracer's frames from logged tracebacks
Nothing here adds a handle to a ready queue, a done callback to a future, or keeps a frame.
asyncio's code runs unchanged even when the tracer's own code fails. Where splice cannot
recompile a function (no source), splice.patch() falls back to a wrapper with the same hooks.
"""

import asyncio
import concurrent.futures
import functools
import inspect
import sys
import threading
import weakref
from asyncio import base_events, events, tasks
from concurrent.futures import thread as cf_thread

from . import accel
from . import frames
from . import virtual_clock as vc
from .jump import RECHECK
from .registry import float_time
from .splice import patch

PERF = vc.REAL_PERF
_get_ident = threading.get_ident
_current_task = tasks.current_task
_TimerHandle = events.TimerHandle
_TASK_TYPES = frames.TASK_TYPES
_getframe = sys._getframe

# Timer callbacks that wake the task that scheduled them (sleep, timeouts, wait/wait_for).
_WAKERS = {'_set_result_unless_cancelled', '_on_timeout', '_release_waiter'}
_Timeout = getattr(getattr(asyncio, 'timeouts', None), 'Timeout', None)


def _named_creators():
    """Code objects (by id: hashing one is slow) of the stdlib functions that call
    loop.create_task(coro) and set the task's name only afterwards (tasks._set_task_name,
    3.8-3.12): the name is read from their `name` local beforehand, so task_spawned has it."""
    out = {}
    fns = [getattr(tasks, 'create_task', None)]
    tg = getattr(asyncio, 'taskgroups', None)
    if tg is not None:
        fns.append(getattr(tg.TaskGroup, 'create_task', None))
    for fn in fns:
        co = getattr(fn, '__code__', None)
        if co is not None and 'name' in co.co_varnames:
            out[id(co)] = co
    return out


_NAMED_CREATORS = _named_creators()


def install(hooks, registry, report, may_skip=None):
    """Patch asyncio. hooks: instrument.Hooks; report(where, exc): an internal error;
    may_skip(loop, selector, L, timeout): seconds the clock may jump instead of this wait, or
    None to wait for real (jump.JumpDecision.may_skip; None in real-time mode)."""
    _Patches(hooks, registry, report, may_skip).install()


class _Patches:
    def __init__(self, hooks, registry, report, may_skip):
        self.hooks = hooks
        self.registry = registry
        self.report = report
        self.may_skip = may_skip
        self.jobs_by_fn = {}    # id(tagged callable) -> (JobRec, tagged)
        self.jobs_by_cf = {}    # id(concurrent future) -> JobRec, while its work item runs

    def install(self):
        BEL = base_events.BaseEventLoop
        self._patch_close(BEL)
        self._patch_run_once(BEL)
        starting, done, over = self._create_task_hooks()
        before, after = self._handle_run_hooks()
        scheduled = self._call_soon_hook() if self.hooks.task_scheduled is not None else None
        fast = accel.step_path(self.hooks, self.registry, self.report, before, after, scheduled,
                               starting, self._created)
        if fast is not None:
            before, after, scheduled = fast.before, fast.after, fast.scheduled
            starting, done = fast.starting, fast.created
        self._patch_create_task(BEL, starting, done, over)
        if scheduled is not None:
            patch(BEL, 'call_soon', {'_ls_scheduled': scheduled},
                  result='_ls_scheduled(self, callback, _ls_value)')
        self._patch_call_at(BEL)
        self._patch_timer_cancelled(BEL)
        # Marked before the handle is made: the loop may run it before call_soon_threadsafe
        # returns.
        patch(BEL, 'call_soon_threadsafe', {'_ls_mark': self.registry.threadsafe.add},
              enter=['_ls_mark(id(callback))'])
        self._patch_run_in_executor(BEL)
        patch(BEL, 'call_exception_handler', {'_ls_strip': _strip_context},
              enter=['_ls_strip(context)'])
        # Handle._run ends with "self = None  # Needed to break cycles": after() gets the
        # handle kept by enter, and the frame lets go of it and of the state at the end (a
        # traceback may keep the frame alive).
        orig_run = patch(events.Handle, '_run', {'_ls_before': before, '_ls_after': after},
                         enter=['_ls_h = self', '_ls_state = _ls_before(self)'],
                         leave=['_ls_after(_ls_h, _ls_state)', '_ls_h = _ls_state = None'])
        self._patch_work_item_run()
        for what, ok in (('set_result', True), ('set_exception', False)):
            self._patch_cf_set(what, ok)
        for fn in (events.Handle._run, orig_run):
            frames.add_boundary(fn.__code__)

    # -- loops -------------------------------------------------------------------------------
    def _patch_close(self, BEL):
        registry = self.registry
        report = self.report
        loop_closed = self.hooks.loop_closed

        def closing(loop):
            try:
                L = registry.known_loop(loop)
                if L is not None and not L.closed and not loop.is_running():
                    L.closed = True
                    if loop_closed is not None:
                        loop_closed(loop, L)
            except Exception as e:
                report('loop_close', e)
        patch(BEL, 'close', {'_ls_closing': closing}, enter=['_ls_closing(self)'])

    # -- ticks -------------------------------------------------------------------------------
    def _patch_run_once(self, BEL):
        registry = self.registry
        report = self.report
        wrap_selector = self._wrap_selector
        tick_started = self.hooks.tick_started
        tick_ready = self.hooks.tick_ready
        tick_ended = self.hooks.tick_ended

        def starting(loop):
            """The loop's LoopRec, or None when the tracer failed (no tick_ended then)."""
            try:
                L = registry.loop(loop)
                if not L.selector_wrapped:
                    wrap_selector(loop, L)
                L.n += 1
                L.tick_ready = False
                L.waited = 0.0
                L.jump = 0.0
                L.io = None
                L.io_ids = ()
                L.thread_ident = _get_ident()
                if tick_started is not None:
                    tick_started(loop, L)
                return L
            except Exception as e:
                report('tick', e)
                return None

        def ended(loop, L, value):
            if L is not None:
                try:
                    if not L.tick_ready:
                        L.tick_ready = True
                        if tick_ready is not None:
                            tick_ready(loop, L, None)
                    if tick_ended is not None:
                        tick_ended(loop, L)
                except Exception as e:
                    report('tick_end', e)
            return value
        # `result`, not `leave`: a tick that raises (SystemExit from a callback) has no end.
        patch(BEL, '_run_once', {'_ls_starting': starting, '_ls_ended': ended},
              enter=['_ls_L = _ls_starting(self)'], result='_ls_ended(self, _ls_L, _ls_value)')

    # -- the selector: real waits, I/O, virtual jumps ----------------------------------------
    def _wrap_selector(self, loop, L):
        L.selector_wrapped = True
        sel = getattr(loop, '_selector', None)
        # A selector the program replaced (a Mock in CPython's tests) may have no select
        # method on its class: the loop then runs unwrapped.
        orig = getattr(type(sel), 'select', None) if sel is not None else None
        if orig is None:
            return
        report = self.report
        may_skip = self.may_skip
        loop_idle = self.hooks.loop_idle
        before_io_wait = self.hooks.before_io_wait
        after_io_wait = self.hooks.after_io_wait
        note_io = self._note_io
        # Weak references only: a closure holding the loop or the selector would make a
        # reference cycle (loop -> selector -> select -> loop), so an unclosed loop would be
        # freed by the cycle collector instead of by reference counting, later than untraced.
        loop_ref = weakref.ref(loop)
        sel_ref = weakref.ref(sel)
        if L.ssock_fd is None:
            try:
                L.ssock_fd = loop._ssock.fileno()
            except Exception:
                pass

        def real_wait(sel, timeout):
            if before_io_wait is not None:
                try:
                    before_io_wait(loop_ref(), L, timeout)
                except Exception as e:
                    report('io_wait', e)
            t0 = PERF()
            ev = orig(sel, timeout)
            waited = PERF() - t0
            L.waited += waited
            if after_io_wait is not None:
                try:
                    after_io_wait(loop_ref(), L, waited)
                except Exception as e:
                    report('io_wait', e)
            return ev

        def skip_or_wait(sel, timeout):
            # Virtual clock: jump over the wait when nothing but a timer can end it; else
            # wait for real, a slice at a time, and decide again after each slice.
            end = PERF() + timeout
            while True:
                loop = loop_ref()
                try:
                    jump = may_skip(loop, sel, L, timeout) if loop is not None else None
                except Exception as e:
                    report('quiescent', e)
                    jump = None
                loop = None
                if jump is not None:
                    ev = orig(sel, 0)
                    if not ev:
                        vc.advance(jump)
                        L.jump += jump
                    return ev
                ev = real_wait(sel, min(timeout, RECHECK))
                timeout = end - PERF()
                if ev or timeout <= 0:
                    return ev

        def select(timeout=None):
            sel = sel_ref()
            if loop_idle is not None and (timeout is None or timeout > 0):
                try:
                    loop_idle(loop_ref(), L, timeout)
                except Exception as e:
                    report('io_wait', e)
            if may_skip is not None and timeout is not None and timeout > 0:
                ev = skip_or_wait(sel, timeout)
            else:
                ev = real_wait(sel, timeout)
            if ev:
                note_io(loop_ref(), L, ev)
            return ev
        sel.select = select

    def _note_io(self, loop, L, ev):
        """L.io (the descriptors reported ready, with their peers) and L.io_ids (their
        handles: callbacks of kind "io")."""
        try:
            ids = set()
            io = []
            transports = getattr(loop, '_transports', None)
            for key, mask in ev:
                if key.fd == L.ssock_fd:
                    continue
                data = key.data
                if isinstance(data, tuple):
                    for hnd in data:
                        if hnd is not None:
                            ids.add(id(hnd))
                # selectors.EVENT_READ = 1, EVENT_WRITE = 2
                events_ = ('r' if mask & 1 else '') + ('w' if mask & 2 else '')
                if not events_:
                    continue
                d = {'fd': key.fd, 'events': events_}
                tp = transports.get(key.fd) if transports is not None else None
                if tp is not None:
                    try:
                        peer = tp.get_extra_info('peername')
                        if peer:
                            d['peer'] = ('%s:%s' % peer[:2]) if isinstance(peer, tuple) else str(peer)
                    except Exception:
                        pass
                io.append(d)
            L.io_ids = ids
            L.io = io or None
        except Exception as e:
            self.report('io', e)

    # -- handles: steps and callbacks --------------------------------------------------------
    def _handle_run_hooks(self):
        """(before, after) of Handle._run, in Python (accel.py's C step path stands in for
        them where it can)."""
        hooks = self.hooks
        registry = self.registry
        report = self.report
        loops = registry.loops
        recs = registry.tasks
        timers = registry.timers
        threadsafe = registry.threadsafe
        handle_kind = registry.handle_kind
        task_coro = frames.task_coro
        tick_ready = hooks.tick_ready
        task_started = hooks.task_started
        before_step = hooks.before_step
        after_step = hooks.after_step
        timer_fired = hooks.timer_fired
        before_callback = hooks.before_callback
        after_callback = hooks.after_callback

        def before(handle):
            """What after() needs, or None when the tracer failed (no after then)."""
            try:
                loop = handle._loop
                L = loops.get(id(loop))
                if L is None or L.ref() is not loop:
                    L = registry.loop(loop)
                if not L.tick_ready:
                    L.tick_ready = True
                    if tick_ready is not None:
                        tick_ready(loop, L, handle)
                cb = handle._callback
                task = getattr(cb, '__self__', None)
                if task is not None and isinstance(task, _TASK_TYPES):
                    rec = recs.get(id(task))
                    if rec is None or rec.ref() is not task:
                        rec = registry.task(task)
                    if not rec.started:
                        rec.started = True
                        if task_started is not None:
                            task_started(task, rec, task_coro(task))
                    if before_step is not None:
                        before_step(task, rec, loop, L, handle)
                    kind = timer = None
                else:
                    task = rec = timer = None
                    kind, trec = handle_kind(handle, L, _TimerHandle)
                    if trec is not None:
                        timers.pop(id(handle), None)
                        timer = trec.id
                        if timer_fired is not None:
                            timer_fired(trec, loop, L)
                        trec = None
                    elif kind == 'threadsafe':
                        threadsafe.discard(id(cb))
                    if before_callback is not None:
                        before_callback(handle, loop, L)
                L.running_callback = cb
                L.running_rec = rec
                L.running_kind = kind
                L.running_timer = timer
                t = float_time(loop.time(), L.origin)
                own0 = hooks.own
                s0 = PERF()
                L.running = handle
                L.running_since = s0
                return (loop, L, cb, task, rec, kind, timer, t, own0, s0)
            except Exception as e:
                report('handle', e)
                return None

        def after(handle, state):
            if state is None:
                return
            s1 = PERF()
            loop, L, cb, task, rec, kind, timer, t, own0, s0 = state
            L.running_since = None
            L.running = L.running_callback = L.running_rec = None
            try:
                dur = s1 - s0 - (hooks.own - own0)
                if task is not None:
                    if after_step is not None:
                        after_step(task, rec, loop, L, handle, t, dur)
                elif after_callback is not None:
                    after_callback(handle, cb, loop, L, kind, timer, t, dur)
            except Exception as e:
                report('handle_end', e)
            # Counted as the tracer's own time for a handle this one runs inside of (an
            # inner loop run from a step).
            hooks.own += PERF() - s1

        return before, after

    # -- tasks -------------------------------------------------------------------------------
    def _create_task_hooks(self):
        """(starting, done, over) of create_task, in Python (see _handle_run_hooks)."""
        hooks = self.hooks
        registry = self.registry
        report = self.report
        creating = registry.creating
        created = self._created
        coro_label = frames.coro_label

        def starting(loop, coro, name, eager_start):
            """(the creation pushed on registry.creating or None, when we started)."""
            s0 = PERF()
            entry = None
            try:
                parent = _current_task(loop)
                pid = registry.task_id(parent) if parent is not None else None
                parent = None
                # Counted from caller_position: it, us, create_task, create_task's caller.
                line, file = frames.caller_position(3)
                if name is None and _NAMED_CREATORS:
                    f = _getframe(2)    # us, create_task, its caller
                    if id(f.f_code) in _NAMED_CREATORS:
                        name = f.f_locals.get('name')
                    f = None
                if name is not None:
                    name = str(name)
                # A task that may start eagerly (3.12+) runs before it is announced: its
                # label (the arguments) must be read now.
                label = coro_label(coro) if (getattr(loop, '_task_factory', None) is not None
                                             or eager_start) else None
                entry = (coro, pid, line, file, name, label)
                creating.append(entry)
            except Exception as e:
                report('create_task', e)
            hooks.own += PERF() - s0
            return entry, s0

        def done(loop, task, entry, s0):
            s1 = PERF()
            if entry is not None:
                over(entry)
                try:
                    created(loop, task, *entry, s1 - s0)
                except Exception as e:
                    report('create_task', e)
            hooks.own += PERF() - s1
            return task

        def over(entry):
            if creating and creating[-1] is entry:
                creating.pop()

        return starting, done, over

    def _patch_create_task(self, BEL, starting, done, over):
        # name: a keyword-only argument up to 3.13, in **kwargs from 3.14 (with eager_start).
        co = BEL.create_task.__code__
        n = co.co_argcount + co.co_kwonlyargcount
        declared = co.co_varnames[:n]
        kwargs = co.co_varnames[n] if co.co_flags & inspect.CO_VARKEYWORDS else None

        def argument(arg):
            return arg if arg in declared else '%s.get(%r)' % (kwargs, arg) if kwargs else 'None'
        patch(BEL, 'create_task',
              {'_ls_starting': starting, '_ls_done': done, '_ls_over': over},
              enter=['_ls_entry, _ls_s0 = _ls_starting(self, coro, %s, %s)'
                     % (argument('name'), argument('eager_start'))],
              result='_ls_done(self, _ls_value, _ls_entry, _ls_s0)',
              failed=['_ls_over(_ls_entry)'])

    def _created(self, loop, task, coro, pid, line, file, name, label, elapsed):
        if not isinstance(task, _TASK_TYPES):
            # A task factory's own Task-like object (it may lack most of the Task API): the
            # asyncio Task it wraps, if any, is seen at its first step.
            return
        hooks = self.hooks
        registry = self.registry
        rec = registry.known_task(task)
        started = frames.coro_started(coro) or task.done()
        if rec is None:
            rec = registry.add_task(task, coro, pid, line, file, name, label, bool(started))
        if started and not rec.started:
            # 3.12+ eager task: its first step ran inside create_task, without a Handle.
            rec.started = True
            L = registry.loop(loop)
            if hooks.task_started is not None:
                hooks.task_started(task, rec, coro)
            if hooks.before_step is not None:
                hooks.before_step(task, rec, loop, L, None)
            if hooks.after_step is not None:
                hooks.after_step(task, rec, loop, L, None, float_time(loop.time(), L.origin),
                                 elapsed)

    def _call_soon_hook(self):
        """call_soon's hook, in Python (see _handle_run_hooks)."""
        hooks = self.hooks
        registry = self.registry
        report = self.report
        loops = registry.loops
        recs = registry.tasks
        task_scheduled = hooks.task_scheduled

        def scheduled(loop, callback, h):
            s0 = PERF()
            try:
                task = getattr(callback, '__self__', None)
                if task is not None and isinstance(task, _TASK_TYPES):
                    L = loops.get(id(loop))
                    if L is None or L.ref() is not loop:
                        L = registry.loop(loop)
                    rec = recs.get(id(task))
                    if rec is None or rec.ref() is not task:
                        rec = registry.add_task(task)   # from Task(): create_task's task
                    task_scheduled(task, rec, loop, L)
            except Exception as e:
                report('call_soon', e)
            hooks.own += PERF() - s0
            return h
        return scheduled

    # -- timers ------------------------------------------------------------------------------
    def _patch_call_at(self, BEL):
        hooks = self.hooks
        registry = self.registry
        report = self.report
        timer_armed = hooks.timer_armed

        def armed(loop, when, callback, h):
            s0 = PERF()
            try:
                L = registry.loop(loop)
                wakes = None
                timeout = False
                if frames.callable_name(callback).rsplit('.', 1)[-1] in _WAKERS:
                    task = _current_task(loop)
                    if task is not None:
                        wakes = registry.task(task)
                        owner = getattr(callback, '__self__', None)
                        timeout = _Timeout is not None and isinstance(owner, _Timeout)
                    task = None
                trec = registry.add_timer(h, round(when - L.origin, 6), wakes, timeout)
                if timer_armed is not None:
                    timer_armed(h, trec, loop, L, callback)
            except Exception as e:
                report('call_at', e)
            hooks.own += PERF() - s0
            return h
        patch(BEL, 'call_at', {'_ls_armed': armed},
              result='_ls_armed(self, when, callback, _ls_value)')

    def _patch_timer_cancelled(self, BEL):
        hooks = self.hooks
        registry = self.registry
        report = self.report
        timers = registry.timers
        timer_cancelled = hooks.timer_cancelled

        def cancelled(loop, handle):
            s0 = PERF()
            try:
                trec = timers.pop(id(handle), None)
                if trec is not None and timer_cancelled is not None:
                    timer_cancelled(trec, loop, registry.known_loop(loop))
            except Exception as e:
                report('timer_cancel', e)
            hooks.own += PERF() - s0
        patch(BEL, '_timer_handle_cancelled', {'_ls_cancelled': cancelled},
              enter=['_ls_cancelled(self, handle)'])

    # -- executor jobs -----------------------------------------------------------------------
    def _patch_run_in_executor(self, BEL):
        hooks = self.hooks
        registry = self.registry
        report = self.report
        jobs_by_fn = self.jobs_by_fn
        job_submitted = hooks.job_submitted
        job_ended = hooks.job_ended

        def submitting(loop, executor, func):
            """(the job or None, the function to submit)."""
            s0 = PERF()
            job = None
            try:
                ex = loop._default_executor if executor is None else executor
                # Not callable: asyncio raises its own TypeError, untagged.
                if callable(func) and (ex is None or isinstance(
                        ex, concurrent.futures.ThreadPoolExecutor)):
                    job = registry.add_job(frames.callable_name(_job_function(func)))
                    if job_submitted is not None:
                        job_submitted(job, loop, registry.loop(loop))
                    # A C-level partial tags the call without adding a Python frame (which
                    # would show in the worker's tracebacks).
                    tagged = functools.partial(func)
                    jobs_by_fn[id(tagged)] = (job, tagged)
                    func = tagged
            except Exception as e:
                report('run_in_executor', e)
            hooks.own += PERF() - s0
            return job, func

        def submitted(fut, job):
            if job is not None:
                registry.set_job_future(fut, job)
            return fut

        def refused(job, func):
            if job is not None:
                try:
                    jobs_by_fn.pop(id(func), None)
                    if job_ended is not None:
                        job_ended(job)
                except Exception as e:
                    report('run_in_executor', e)
        patch(BEL, 'run_in_executor',
              {'_ls_submitting': submitting, '_ls_submitted': submitted, '_ls_refused': refused},
              enter=['_ls_job, func = _ls_submitting(self, executor, func)'],
              result='_ls_submitted(_ls_value, _ls_job)',
              failed=['_ls_refused(_ls_job, func)'])

    def _patch_work_item_run(self):
        report = self.report
        jobs_by_fn = self.jobs_by_fn
        jobs_by_cf = self.jobs_by_cf
        job_started = self.hooks.job_started
        job_result = self.hooks.job_result
        job_ended = self.hooks.job_ended
        # 3.8-3.13: run(self) calls self.fn; 3.14+: run(self, ctx), the item holds
        # task = (fn, args, kwargs).
        has_fn = 'fn' in cf_thread._WorkItem.run.__code__.co_names

        def starting(item):
            job = None
            try:
                fn = item.fn if has_fn else item.task[0]
                ent = jobs_by_fn.pop(id(fn), None) if jobs_by_fn else None
                if ent is not None and ent[1] is fn:
                    job = ent[0]
                    job.thread = threading.current_thread().name
                    job.start = PERF()
                    jobs_by_cf[id(item.future)] = job
                if job_started is not None:
                    job_started(job)
            except Exception as e:
                report('job_start', e)
            return job

        def ended(item, job):
            try:
                if (job is not None and jobs_by_cf.pop(id(item.future), None) is not None
                        and job_result is not None):
                    job_result(job, False, 'cancelled')
                if job_ended is not None:
                    job_ended(job)
            except Exception as e:
                report('job_end', e)
        # Like Handle._run, _WorkItem.run ends a failed job with "self = None" (breaking the
        # cycle with the exception left in its future): ended() gets the item kept by enter.
        patch(cf_thread._WorkItem, 'run', {'_ls_starting': starting, '_ls_ended': ended},
              enter=['_ls_item = self', '_ls_job = _ls_starting(self)'],
              leave=['_ls_ended(_ls_item, _ls_job)', '_ls_item = _ls_job = None'])

    def _patch_cf_set(self, what, ok):
        report = self.report
        jobs_by_cf = self.jobs_by_cf
        job_result = self.hooks.job_result

        # Before the original wakes the loop, so the job's end is known before the step that
        # receives the result.
        def setting(fut, value):
            if jobs_by_cf:
                try:
                    job = jobs_by_cf.pop(id(fut), None)
                    if job is not None and job_result is not None:
                        if ok:
                            job_result(job, True, None)
                        else:
                            job_result(job, False, '%s: %s' % (
                                type(value).__name__, frames.safe_str(value)))
                except Exception as e:
                    report('job_end', e)
        orig = concurrent.futures.Future.__dict__[what]
        value = orig.__code__.co_varnames[1]    # result / exception
        patch(concurrent.futures.Future, what, {'_ls_setting': setting},
              enter=['_ls_setting(self, %s)' % value])


def _strip_context(context):
    """call_exception_handler: the tracer's frames out of the logged exception's traceback."""
    try:
        exc = context.get('exception')
        if exc is not None:
            frames.strip_exception(exc)
    except Exception:
        pass


def _job_function(func):
    """The function a job runs: asyncio.to_thread submits functools.partial(Context.run,
    func, ...)."""
    if isinstance(func, functools.partial) and getattr(func.func, '__name__', '') == 'run' \
            and func.args and type(getattr(func.func, '__self__', None)).__name__ == 'Context':
        return func.args[0]
    return func
