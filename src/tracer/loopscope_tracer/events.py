"""The Recorder: the one place that writes events (docs/protocol.md), one function per kind.

Most events follow a hook (instrument.Instrument); the others are written when their module
asks: `start` (cli), `pause` (control), `blocking` (blocking), `internal_error` (anyone),
`end` (ending). Times: `t` is loop time relative to the loop's origin, `wall` real seconds
since the tracer started.
"""

import builtins
import threading

from . import frames
from . import virtual_clock as vc
from .emitter import encode, quote, seconds, text
from .instrument import Instrument
from .registry import float_time
from . import wait_reasons
from .wait_reasons import YIELD

_YIELD_JSON = encode(YIELD)
# asyncio's, once the program imported asyncio (asyncio_loaded); before, no loop runs.
_get_running_loop = lambda: None    # noqa: E731
_current_task = _TimerHandle = None


def asyncio_loaded():
    global _get_running_loop, _current_task, _TimerHandle
    from asyncio import events, tasks
    _get_running_loop = events._get_running_loop
    _current_task = tasks.current_task
    _TimerHandle = events.TimerHandle


MAX_INTERNAL_ERRORS = 50
BUSY_AFTER = 0.05        # seconds without a wait after which a loop counts as busy
TICK_FLUSH_GAP = 0.001   # seconds between flushes at the start of a busy loop's ticks
YIELD_BY = object()  # TaskRec.by of a step put back by the task's own previous step
# A step's `by` kind for the kind of the plain callback that scheduled it.
_BY_CALLBACK = {'timer': 'timer', 'io': 'io', 'threadsafe': 'threadsafe', 'soon': 'callback'}


class Recorder(Instrument):
    # A slot (the other attributes live in Instrument's __dict__): the C step path counts
    # every step here, and reads and writes a slot directly.
    __slots__ = ('steps',)

    def __init__(self, emitter, registry, reasons, started):
        """started: vc.REAL_PERF() when the tracer started (the origin of `wall`)."""
        self.emitter = emitter
        self.registry = registry
        self.reasons = reasons
        self.started = started
        self.flushed_at = started   # vc.REAL_PERF() of the last flush at a tick or a wait
        self.idle_at = started      # vc.REAL_PERF() when a loop last went idle (loop_idle)
        self.main_ident = threading.get_ident()
        self.steps = 0
        self.internal_errors = 0
        # TaskRecs whose wait reason may have changed during this tick (reason_changed)
        self.stale = set()
        self.after_step = self._step_writer()
        self.ready_json = ready_json   # _accel.c's StepPath.ready_json stands in for it

    def wall(self):
        return round(vc.REAL_PERF() - self.started, 6)

    def wall_json(self):
        """wall() for an event formatted by hand."""
        return seconds(vc.REAL_PERF() - self.started)

    def emit(self, ev):
        self.emitter.emit(ev)

    # -- start, loops, ticks -----------------------------------------------------------------
    def start(self, ev):
        """The first line: ev is the `start` event cli builds from the options."""
        self.emit(ev)
        self.emitter.flush()

    def loop_created(self, loop, L):
        t = threading.current_thread() if threading.get_ident() in threading._active else None
        self.emit({'ev': 'loop', 'loop': L.id, 'cls': type(loop).__name__,
                   'thread': t.name if t is not None else None,
                   't': 0.0, 'origin': round(L.origin, 6), 'wall': self.wall()})

    def loop_closed(self, loop, L):
        self.emit({'ev': 'loop_closed', 'loop': L.id, 't': loop_t(loop, L.origin),
                   'wall': self.wall()})

    def tick_started(self, loop, L):
        # Events are flushed at a tick's start, before the loop waits (loop_idle), by the
        # watchdog every ~50 ms, before a pause and at exit: a signal that ends the process
        # (a kill, a crash in C) takes no finished tick with it. Except in a busy loop, one
        # that has not waited for BUSY_AFTER: there a tick's start flushes once TICK_FLUSH_GAP
        # has passed since the last flush, and such a signal takes at most that much with it.
        # A flush at each of its ticks cost a write per tick, and the reader a read (about
        # 40 us in a Session): a loop of one-step ticks ran a quarter slower.
        if self.emitter.events:
            now = vc.REAL_PERF()
            if now - self.idle_at < BUSY_AFTER or now - self.flushed_at >= TICK_FLUSH_GAP:
                self.flushed_at = now
                self.emitter.flush()

    def loop_idle(self, loop, L, timeout):
        self.idle_at = vc.REAL_PERF()
        if self.emitter.events:
            self.flushed_at = self.idle_at
            self.emitter.flush()

    def tick_ready(self, loop, L, first):
        # (_accel.c's tick_ready stands in for this method when the C step path runs.)
        # A copy: call_soon_threadsafe on another thread may append while this loop runs
        # ("deque mutated during iteration"); copying a deque holds the GIL throughout.
        handles = [h for h in tuple(loop._ready) if not h._cancelled]
        if first is not None and not first._cancelled:
            handles.insert(0, first)
        L.ready_ids = list(map(id, handles))   # for each handle's `q` (ready_index)
        L.ready_at = 0
        before, after = self.tick_text(loop, L)
        # The queue may hold thousands of handles, mostly known tasks' steps: their entry
        # (the task's id; _ready_entry's fast path) is found a list at a time.
        ready = self.ready_entries(handles, self.ready_other(L), L)
        self.emitter.emit_raw(before + self.ready_json(ready) + after)

    def tick_text(self, loop, L):
        """The tick event's text before its ready list and after it (formatted by hand:
        _accel.c's tick_ready writes the same)."""
        return ('{"ev":"tick","loop":%d,"n":%d,"t":%s,"wall":%s,"waited":%s,"jump":%s,"ready":'
                % (L.id, L.n, loop_t_json(loop, L.origin), self.wall_json(), seconds(L.waited),
                   seconds(L.jump)),
                (',"io":' + encode(L.io) if L.io else '') + '}')

    def ready_other(self, L):
        """The entry of a ready handle other than a known task's step, for ready_entries."""
        seen = {}
        return lambda h: self._ready_entry(h, L, seen)

    def ready_entries(self, handles, other, L):
        """A tick's `ready` list: a known task's step is its id, any other handle other(h).
        (_accel.c's StepPath.ready stands in for it; L is for its shortcut.)"""
        selves = [getattr(h._callback, '__self__', None) for h in handles]
        recs = map(self.registry.tasks.get, map(id, selves))
        return [rec.id if rec is not None and rec.ref() is obj else other(h)
                for h, obj, rec in zip(handles, selves, recs)]

    def _ready_entry(self, h, L, seen):
        """seen: {(id(callback), kind): (callback, entry)} of the plain callbacks listed so
        far in this tick. Handles of one callback have the same entry, but for a timer's:
        a gather's done callbacks can be thousands of handles of one callback."""
        cb = h._callback
        obj = getattr(cb, '__self__', None)
        if obj is not None and isinstance(obj, frames.TASK_TYPES):
            return self.registry.task_id(obj)
        kind, trec = self.registry.handle_kind(h, L, _TimerHandle)
        if trec is None:
            known = seen.get((id(cb), kind))
            if known is not None and known[0] is cb:
                return known[1]
        d = {'fn': frames.callable_name(cb)}
        line, file = frames.callable_position(cb)
        frames.put_position(d, line, file)
        if trec is not None:
            d['timer'] = trec.id
        else:
            seen[id(cb), kind] = (cb, d)
        d['kind'] = kind
        return d

    # -- tasks -------------------------------------------------------------------------------
    def task_spawned(self, task, rec, coro, parent, line, file, name, label, eager):
        # One per task: formatted by hand, as the encoder would write it.
        # Given by the program: name= seen at creation; else a name that is not asyncio's
        # own Task-N (a Task built directly with name=, a task factory's).
        named = name is not None
        if name is None:
            name = task.get_name()
            named = not _is_asyncio_name(name)
        coro_json, internal_lib = coro_fields(coro)
        loop = task.get_loop() if hasattr(task, 'get_loop') else task._loop
        self.emitter.emit_raw(
            '{"ev":"task","task":%d,"loop":%d,"name":%s,"coro":%s,"label":%s,"parent":%s,'
            '"line":%s%s,"named":%s,"internal":%s,"eager":%s,"t":%s,"wall":%s}' % (
                rec.id, rec.loop, quote(name), coro_json,
                quote(frames.coro_label(coro) if label is None else label),
                'null' if parent is None else parent, 'null' if line is None else line,
                '' if file is None else ',"file":' + quote(file),
                'true' if named else 'false', internal_lib, 'true' if eager else 'false',
                loop_t_json(loop, rec.origin), self.wall_json()))

    def task_scheduled(self, task, rec, loop, L):
        """rec.by: what put the task's next step in the ready queue (the step's `by`), during
        tick rec.by_n. A step scheduled in tick n runs in a later tick: a `by` of the current
        tick was set during the step running now (its next step), not before it."""
        if rec is L.running_rec or _current_task(loop) is task:
            # Its own step put it back (sleep(0), a bare yield): the by's n and q are that
            # step's (rec.last_n/last_q), known when it ends. The running step's own `by` is
            # kept aside for its event.
            if rec.by is not None and rec.by_n < L.n:
                rec.step_by = rec.by
            rec.by_n = L.n
            rec.by = YIELD_BY
            return
        rec.by_n = L.n
        running = L.running
        waker = _current_task(loop)
        if waker is None and running is None:
            rec.by = '{"kind":"outside","n":%d}' % L.n if L.n else '{"kind":"outside"}'
            return
        # Formatted by hand (one per task and wake-up), as the encoder would write it.
        spawn = not rec.started
        q = ready_index(L, running) if running is not None else None
        by = '' if q is None else ',"q":%d' % q
        if waker is not None:
            kind = 'spawn' if spawn else 'task'
            by += ',"task":%d' % self.registry.task_id(waker)
        else:
            kind = L.running_kind
            timer = L.running_timer if kind == 'timer' else None
            kind = 'spawn' if spawn else _BY_CALLBACK.get(kind, 'callback')
            if timer is not None:
                by += ',"timer":%d' % timer
            else:
                by += ',"fn":' + text(frames.callable_name(L.running_callback))
        waker = running = None
        creating = self.registry.creating
        if spawn and creating and creating[-1][0] is frames.task_coro(task):
            line, file = creating[-1][2:4]     # the create_task(...) line, already found
        else:
            line, file = frames.caller_position(2)
        if line is not None:
            by += ',"line":%d' % line
        if file is not None:
            by += ',"file":' + quote(file)
        rec.by = '{"kind":"%s","n":%d%s}' % (kind, L.n, by)

    def task_started(self, task, rec, coro):
        where = start_of(getattr(coro, 'cr_code', None))
        if where is not None:
            rec.line, rec.file = where

    def _step_writer(self):
        """after_step: the hottest path of the tracer (one call per step), so it is one
        closure with its lookups bound once. The event is formatted by hand (the JSON the
        encoder would produce) and carries only what changed since the task's previous step:
        `from` only on the first, `stack` and `reason` when they differ (docs/protocol.md)."""
        recorder = self
        emit_raw = self.emitter.emit_raw
        reasons = self.reasons
        compute = reasons.compute
        with_via = reasons.with_via
        await_chain = frames.await_chain
        user_stack = frames.user_stack
        done = self.done
        waiters_of = reasons.waiters_of
        stale = self.stale

        def after_step(task, rec, loop, L, handle, t, dur):
            recorder.steps += 1
            q = None
            if handle is not None:
                # ready_index(L, handle), inlined: the handle is mostly the one last looked
                # up (by task_scheduled) or the next.
                ids = L.ready_ids
                i = L.ready_at
                hid = id(handle)
                if i < len(ids) and ids[i] == hid:
                    q = i
                else:
                    q = ready_index(L, handle)
            by = None
            if handle is not None:
                if rec.step_by is not None:
                    by = rec.step_by
                    rec.step_by = None
                elif rec.by is not None and rec.by_n < L.n:
                    by = rec.by
                    rec.by = None
            if by is YIELD_BY and q is not None and rec.last_q is not None:
                # The most frequent step (after a sleep(0)), in one format.
                head = ('{"ev":"step","task":%d,"t":%.6f,"dur":%.7f,"q":%d,'
                        '"by":{"kind":"yield","n":%d,"q":%d}' % (
                            rec.id, t - L.origin, dur, q, rec.last_n, rec.last_q))
            else:
                head = '{"ev":"step","task":%d,"t":%.6f,"dur":%.7f' % (
                    rec.id, t - L.origin, dur)
                if q is not None:
                    head += ',"q":%d' % q
                if by is YIELD_BY:
                    by = '{"kind":"yield","n":%d%s}' % (
                        rec.last_n, '' if rec.last_q is None else ',"q":%d' % rec.last_q)
                if by is not None:
                    head += ',"by":' + by
            rec.last_n = L.n
            rec.last_q = q
            if not rec.stepped:
                rec.stepped = True
                head += ',"from":' + ('null' if rec.line is None else str(rec.line))
                if rec.file is not None:
                    head += ',"fromFile":' + quote(rec.file)
            if task.done():
                rec.line = rec.file = rec.reason = None
                emit_raw(head + ',"to":null}')
                done(task, rec, loop)
                stale.update(waiters_of(rec))
                return
            try:
                coro = task._coro
            except AttributeError:
                coro = task.get_coro()
            chain = await_chain(coro)[0]
            coro = None
            stack, first, lib_at = user_stack(chain)
            if (first < len(chain) - 1 and chain[first].f_code is wait_reasons.SLEEP_CODE
                    and not rec.timeouts):
                reason = YIELD  # asyncio.sleep(0) awaiting its bare yield
            else:
                reason = compute(task, chain, first, rec)
            if lib_at > first:
                reason = with_via(reason, chain[lib_at - 1])
            del chain[:]
            if stack:
                top = stack[-1]
                rec.line = line = top[0]
                rec.file = top[2] if len(top) > 2 else None
                head += ',"to":%d' % line
            else:
                rec.line = rec.file = None
                head += ',"to":null'
            if rec.file is not None:
                head += ',"file":' + quote(rec.file)
            if stack != rec.stack:
                head += ',"stack":' + encode(stack)
                rec.stack = stack
            if reason is not rec.reason and reason != rec.reason:
                head += ',"reason":' + (_YIELD_JSON if reason is YIELD else encode(reason))
                rec.reason = reason
            emit_raw(head + '}')
        return after_step

    def done(self, task, rec, loop):
        # One per task: formatted by hand, as the encoder would write it.
        head = '{"ev":"done","task":%d,"t":%s' % (rec.id, loop_t_json(loop, rec.origin))
        if task.cancelled():
            self.emitter.emit_raw(head + ',"state":"cancelled"}')
            return
        exc = task._exception
        if exc is not None:
            self.emitter.emit_raw(head + ',"state":"exception","error":%s}'
                                  % encode(error_info(exc)))
        else:
            self.emitter.emit_raw(head + ',"state":"ok","result":%s}'
                                  % quote(frames.short_repr(task._result)))

    def tick_ended(self, loop, L):
        # At most one `reason` event per task and tick: a gather of 100,000 tasks that all
        # finish in one tick is recounted once, not 100,000 times.
        if self.stale:
            stale = list(self.stale)
            self.stale.clear()
            for rec in stale:
                self.reason_changed(rec)

    def reason_changed(self, rec):
        """A `reason` event when the suspended task's wait reason is no longer the one last
        written (a gather child finished, ...). Not for a task already back in the ready
        queue: its next step says where it is."""
        task = rec.ref()
        if task is None or task.done() or rec.by is not None or not rec.stepped:
            return
        reason = self.reasons.suspension(task, rec)[1]
        if reason != rec.reason:
            rec.reason = reason
            loop = task.get_loop() if hasattr(task, 'get_loop') else task._loop
            self.emit({'ev': 'reason', 'task': rec.id, 't': loop_t(loop, rec.origin),
                       'reason': reason})

    # -- callbacks and timers ----------------------------------------------------------------
    def after_callback(self, handle, callback, loop, L, kind, timer, t, dur):
        # As frequent as tasks (a gather's done callbacks): formatted by hand, as the
        # encoder would write it.
        line, file = frames.callable_position(callback)
        q = ready_index(L, handle)
        self.emitter.emit_raw(
            '{"ev":"callback","loop":%d,"fn":%s%s%s,"kind":"%s"%s%s,"t":%s,"dur":%.7f}' % (
                L.id, text(frames.callable_name(callback)),
                '' if line is None else ',"line":%d' % line,
                '' if file is None else ',"file":' + quote(file), kind,
                '' if timer is None else ',"timer":%d' % timer,
                '' if q is None else ',"q":%d' % q,
                seconds(t - L.origin), dur))
        self.stale.update(self.reasons.waiters_after(callback))

    def timer_armed(self, handle, trec, loop, L, callback):
        ev = {'ev': 'timer', 'loop': L.id, 'timer': trec.id, 'when': trec.when,
              'fn': frames.callable_name(callback)}
        line, file = frames.caller_position(2)
        frames.put_position(ev, line, file)
        if trec.wakes is not None:
            ev['task'] = trec.wakes.id
        ev['t'] = loop_t(loop, L.origin)
        self.emit(ev)

    def timer_cancelled(self, trec, loop, L):
        self.emit({'ev': 'timer_cancel', 'loop': L.id if L else None, 'timer': trec.id,
                   't': loop_t(loop, (L.origin if L else 0.0))})

    # -- executor jobs -----------------------------------------------------------------------
    def job_submitted(self, job, loop, L):
        ev = {'ev': 'job', 'job': job.id, 'loop': L.id}
        task = _current_task(loop)
        if task is not None:
            ev['task'] = self.registry.task_id(task)
        task = None
        ev['fn'] = job.fn
        line, file = frames.caller_position(2)
        frames.put_position(ev, line, file)
        ev['t'] = loop_t(loop, L.origin)
        ev['wall'] = self.wall()
        self.emit(ev)

    def job_started(self, job):
        if job is not None:
            self.emit({'ev': 'job_start', 'job': job.id, 'thread': job.thread,
                       'wall': self.wall()})

    def job_result(self, job, ok, error):
        ev = {'ev': 'job_end', 'job': job.id, 'thread': job.thread, 'wall': self.wall(),
              'dur': round(vc.REAL_PERF() - job.start, 6) if job.start is not None else None,
              'ok': ok}
        if error is not None:
            ev['error'] = error
        self.emit(ev)

    # -- output ------------------------------------------------------------------------------
    def output_line(self, stream, text, ident, live, partial):
        ev = {'ev': 'output', 'stream': stream, 'text': text}
        if partial:
            ev['partial'] = True
        loop = _get_running_loop() if live else None
        if loop is not None:
            task = _current_task(loop)
            if task is not None:
                ev['task'] = self.registry.task_id(task)
            task = None
        if ident != self.main_ident:
            t = threading._active.get(ident)
            if t is not None:
                ev['thread'] = t.name
        if live:
            line, file = frames.caller_position(2)
            frames.put_position(ev, line, file)
        if loop is not None:
            L = self.registry.known_loop(loop)
            if L is not None:
                ev['loop'] = L.id
                ev['t'] = loop_t(loop, L.origin)
        ev['wall'] = self.wall()
        self.emit(ev)

    # -- asked for by other modules ----------------------------------------------------------
    def blocking(self, loop, L, what, tid, fn, line, file, dur, sampled, cpu=None,
                 uncertain=False):
        """what: "step" (tid: its task), "callback" or "tick"; dur: the program's own
        seconds; cpu: CPU seconds, when measured; uncertain: most of the wall time was not
        the program's."""
        ev = {'ev': 'blocking', 'loop': L.id, 'what': what}
        if tid is not None:
            ev['task'] = tid
        ev['fn'] = fn
        ev['line'] = line
        if file is not None:
            ev['file'] = file
        ev['dur'] = round(dur, 6)
        if cpu is not None:
            ev['cpu'] = round(cpu, 6)
        if uncertain:
            ev['uncertain'] = True
        ev.update(t=loop_t(loop, L.origin), n=L.n, sampled=sampled)
        self.emit(ev)

    def pause(self, loop, L, tasks):
        self.emit({'ev': 'pause', 'loop': L.id, 'n': L.n, 't': loop_t(loop, L.origin),
                   'tasks': tasks})
        self.emitter.flush()

    def internal_error(self, where, exc):
        """The tracer itself failed (where: which hook); reported at most 50 times."""
        self.internal_errors += 1
        if self.internal_errors > MAX_INTERNAL_ERRORS:
            return
        try:
            import traceback    # not at start: it costs a small program's start-up time
            tb = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        except Exception:
            tb = ''
        try:
            self.emit({'ev': 'internal_error', 'where': where,
                       'message': '%s: %s' % (type(exc).__name__, exc), 'traceback': tb})
        except Exception:
            pass

    def end(self, outcome, limit, exit_code, error, counts):
        """error: None or an end_error()."""
        """The last line, written even past the events limit, then everything is flushed."""
        counts['events'] = self.emitter.count + 1
        self.emitter.emit_final({'ev': 'end', 'outcome': outcome, 'limit': limit,
                                 'exitCode': exit_code, 'error': error, 'counts': counts,
                                 'wall': self.wall()})


# Public coroutine methods that asyncio.run() and Runner run as tasks of their own, at the end.
_HOUSEKEEPING = ('shutdown_asyncgens', 'shutdown_default_executor')


def start_of(co):
    """Where a task of this code starts its first step: (its def line, file field) for the
    user's code, else None. (_accel.c keeps it per code object.)"""
    if co is not None and frames.is_user_file(co.co_filename):
        return co.co_firstlineno, frames.file_field(co.co_filename)
    return None


def coro_fields(coro):
    """A task event's coroutine, as JSON: (its `coro`, its `internal` and the `lib` after it).
    The same for every coroutine of one code object and name (_accel.c keeps them so)."""
    co = getattr(coro, 'cr_code', None) or getattr(coro, 'gi_code', None)
    internal = bool(co is not None and frames.is_asyncio_file(co.co_filename)
                    and _asyncio_own_work(coro))
    lib = frames.code_library(co.co_filename) if co is not None else None
    return (text(getattr(coro, '__qualname__', type(coro).__name__)),
            ('true' if internal else 'false') + (',"lib":' + quote(lib) if lib else ''))


def _asyncio_own_work(coro):
    """An asyncio coroutine run as a task for asyncio's own work: a private one (a server's
    _accept_connection2, a subprocess's _connect_pipes), one nested in an asyncio function
    (staggered_race's run_one_coro), or the loop's housekeeping at the end of asyncio.run().
    Not a public one the program made and turned into a task (gather(wait_for(...)),
    create_task(asyncio.sleep(...)), asyncio.wait([event.wait()]))."""
    parts = getattr(coro, '__qualname__', '').split('.')
    return '<locals>' in parts or parts[-1] in _HOUSEKEEPING \
        or any(p.startswith('_') for p in parts)


def ready_index(L, handle):
    """The handle's index in its tick's ready list (its `q`), or None. Handles run in the
    list's order (skipping any cancelled meanwhile), so the search goes on from the last
    one found."""
    ids = L.ready_ids
    i = L.ready_at
    n = len(ids)
    hid = id(handle)
    while i < n:
        if ids[i] == hid:
            L.ready_at = i
            return i
        i += 1
    return None


def ready_json(ready):
    """A tick's `ready` list as JSON. Written by hand: it can have as many entries as there
    are tasks, the encoder takes about 900 instructions an entry, and the entries of one
    callback's handles are one object (a gather's done callbacks), encoded once here."""
    texts = {}
    parts = []
    for e in ready:
        if e.__class__ is int:
            parts.append(str(e))
        else:
            text = texts.get(id(e))
            if text is None:
                text = texts[id(e)] = encode(e)
            parts.append(text)
    return '[%s]' % ','.join(parts)


def loop_t(loop, origin):
    """The loop's time now, relative to its origin, for an event."""
    return round(float_time(loop.time(), origin) - origin, 6)


def loop_t_json(loop, origin):
    """loop_t() for an event formatted by hand."""
    return seconds(float_time(loop.time(), origin) - origin)


def _is_asyncio_name(name):
    """asyncio's own Task-N (no re: importing it costs a small program's start-up)."""
    return name.startswith('Task-') and name[5:].isdecimal()   # isdecimal: what \d matches


# -- the `error` objects of `done` and `end` ---------------------------------------------------

_ExceptionGroup = getattr(builtins, 'BaseExceptionGroup', None)  # 3.11+


def error_info(exc):
    """{type, message, line?, file?, leaves?}: line/file of the innermost user frame that
    raised. For an ExceptionGroup, `leaves` are its leaf exceptions (depth first), each
    {type, message, line?, file?}, and line/file are the first leaf's."""
    d = {'type': type(exc).__name__, 'message': frames.safe_str(exc)}
    line, file = frames.exception_position(exc)
    if _ExceptionGroup is not None and isinstance(exc, _ExceptionGroup):
        leaves = []
        for leaf, line, file in _leaves(exc, line, file):
            e = {'type': type(leaf).__name__, 'message': frames.safe_str(leaf)}
            frames.put_position(e, line, file)
            leaves.append(e)
        line, file = (leaves[0].get('line'), leaves[0].get('file')) if leaves else (None, None)
        frames.put_position(d, line, file)
        d['leaves'] = leaves
    else:
        frames.put_position(d, line, file)
    return d


def _leaves(group, line, file):
    """(leaf, line, file) depth first: where the leaf was raised, else where the innermost
    group holding it was (an exception built into a group is never raised itself)."""
    for exc in group.exceptions:
        own_line, own_file = frames.exception_position(exc)
        if own_line is None:
            own_line, own_file = line, file
        if isinstance(exc, _ExceptionGroup):
            yield from _leaves(exc, own_line, own_file)
        else:
            yield exc, own_line, own_file


def end_error(type_name, message, traceback_text, line=None, file=None):
    """The `end` event's error when the program did not end by an exception of its own
    (not runnable, a syntax error, sys.exit with a non-zero code)."""
    d = {'type': type_name, 'message': message}
    frames.put_position(d, line, file)
    d['traceback'] = traceback_text
    return d


def uncaught_error(exc, traceback_text):
    """The `end` event's error for an uncaught exception."""
    d = error_info(exc)
    d['traceback'] = traceback_text
    return d
