"""Class-level patches on asyncio (and concurrent.futures) that produce the events.

Patched at class level so every loop is seen, whoever builds it (asyncio.run, Runner,
get_event_loop().run_until_complete, a loop the user constructs); the loop's class and repr
stay the same:
  BaseEventLoop.__init__/close          -> loop, loop_closed
  BaseEventLoop._run_once               -> one call = one tick; pause gate; limits
  loop._selector.select (per instance)  -> waited, io, and the virtual clock's jumps
  events.Handle._run                    -> tick (at its first handle), step, done, callback,
                                           blocking
  BaseEventLoop.create_task             -> task (and an eager task's first step)
  BaseEventLoop.call_at, TimerHandle.cancel -> timer, timer_cancel
  BaseEventLoop.call_soon_threadsafe    -> callback kind "threadsafe"
  BaseEventLoop.run_in_executor, _WorkItem.run, concurrent Future.set_result/exception -> job*
  BaseEventLoop.call_exception_handler  -> strips the tracer's frames from logged tracebacks
Nothing here adds a handle to a ready queue, a done callback to a future, or keeps a frame.
Every wrapper runs the original even when the tracer's own code fails (internal_error).
"""

import asyncio
import concurrent.futures
import functools
import math
import socket
import sys
import threading
import weakref
from asyncio import base_events, events, futures, tasks
from concurrent.futures import thread as cf_thread

from . import frames
from . import virtual_clock as vc
from .emitter import encode as _encode, quote as _quote
from .state import JobRec, TimerRec
from .wait_reasons import TASK_TYPES, YIELD as _YIELD

_YIELD_JSON = _encode(_YIELD)

PERF = vc.REAL_PERF
_get_ident = threading.get_ident
_current_task = tasks.current_task
_TimerHandle = events.TimerHandle
_is_user_file = frames.is_user_file
_await_chain = frames.await_chain

# Timer callbacks that wake the task that scheduled them (sleep, timeouts, wait/wait_for).
_WAKERS = {'_set_result_unless_cancelled', '_on_timeout', '_release_waiter'}
_Timeout = getattr(getattr(asyncio, 'timeouts', None), 'Timeout', None)
_getframe = sys._getframe

# id(code) -> (code, name, file field) for user code, (code,) otherwise. Keyed by id: hashing
# a code object hashes its bytecode and constants every time (slow, and slower on 3.13); the
# entry holds the code, so its id cannot be reused.
_user_code_info = {}


def user_stack(chain):
    """The await stack (user frames of the chain, outermost first) and the index just below
    its deepest frame in the chain (0 when there is no user frame)."""
    stack = []
    first = i = 0
    code_info = _user_code_info
    for f in chain:
        i += 1
        co = f.f_code
        info = code_info.get(id(co))
        if info is None:
            fn = co.co_filename
            info = ((co, co.co_name, frames.file_field(fn)) if _is_user_file(fn) else (co,))
            code_info[id(co)] = info
        if len(info) > 1:
            first = i
            if info[2] is None:
                stack.append((f.f_lineno, info[1]))
            else:
                stack.append((f.f_lineno, info[1], info[2]))
    return stack, first


def _named_creators():
    """Code objects (by id, see _user_code_info) of the stdlib functions that call
    loop.create_task(coro) and set the task's name only afterwards (tasks._set_task_name,
    3.8-3.12): the name is read from their `name` local beforehand, so the `task` event
    carries it."""
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


def install(tr):
    h = _Hooks(tr)
    h.install()
    return h


class _Hooks:
    def __init__(self, tr):
        self.tr = tr
        self.jobs_lock = threading.Lock()
        self._after_step = self._make_after_step()

    # ------------------------------------------------------------------------------------
    def install(self):
        BEL = base_events.BaseEventLoop
        self._patch(BEL, '__init__', self._make_init)
        self._patch(BEL, 'close', self._make_close)
        self._patch(BEL, '_run_once', self._make_run_once)
        self._patch(BEL, 'create_task', self._make_create_task)
        self._patch(BEL, 'call_at', self._make_call_at)
        self._patch(BEL, 'call_soon_threadsafe', self._make_call_soon_threadsafe)
        self._patch(BEL, 'run_in_executor', self._make_run_in_executor)
        self._patch(BEL, 'call_exception_handler', self._make_call_exception_handler)
        self._patch(events.Handle, '_run', self._make_handle_run)
        self._patch(events.TimerHandle, 'cancel', self._make_timer_cancel)
        self._patch(cf_thread._WorkItem, 'run', self._make_work_item_run)
        self._patch(concurrent.futures.Future, 'set_result', self._make_cf_set('result'))
        self._patch(concurrent.futures.Future, 'set_exception', self._make_cf_set('exception'))

        for fn in (events.Handle._run, self._orig_handle_run):
            frames.add_boundary(fn.__code__)

    def _patch(self, cls, name, maker):
        orig = cls.__dict__[name]
        new = maker(orig)
        functools.update_wrapper(new, orig)
        setattr(cls, name, new)
        if (cls, name) == (events.Handle, '_run'):
            self._orig_handle_run = orig

    # -- loops ---------------------------------------------------------------------------
    def _make_init(self, orig):
        tr = self.tr

        def __init__(self, *args, **kwargs):
            orig(self, *args, **kwargs)
            try:
                tr.register_loop(self)
            except Exception as e:
                tr.internal_error('loop_init', e)
        return __init__

    def _make_close(self, orig):
        tr = self.tr

        def close(self):
            try:
                L = tr.loops.get(id(self))
                if L is not None and L.ref() is self and not L.closed and not self.is_running():
                    L.closed = True
                    tr.emit({'ev': 'loop_closed', 'loop': L.id,
                             't': round(self.time() - L.origin, 6),
                             'wall': tr.wall()})
            except Exception as e:
                tr.internal_error('loop_close', e)
            return orig(self)
        return close

    # -- ticks ---------------------------------------------------------------------------
    def _make_run_once(self, orig):
        tr = self.tr
        hooks = self
        emitter = tr.emitter

        def _run_once(self):
            try:
                L = tr.loop_rec(self)
                if not L.selector_wrapped:
                    hooks._wrap_selector(self, L)
                if tr.control is not None and tr.control.mode is not None:
                    tr.control.gate(self, L)
                tr.ticks += 1
                if tr.max_ticks is not None and tr.ticks > tr.max_ticks:
                    tr.stop('limit', 'ticks')
                if (tr.max_virtual is not None
                        and vc.monotonic() - tr.vstart > tr.max_virtual):
                    tr.stop('limit', 'virtual-seconds')
                if (tr.max_wall is not None
                        and PERF() - tr.wall0 - tr.control.paused_total > tr.max_wall):
                    tr.stop('limit', 'wall-seconds')
                if emitter.buf:
                    emitter.flush()
                L.n += 1
                L.tick_emitted = False
                L.waited = 0.0
                L.jump = 0.0
                L.io = None
                L.io_ids = ()
                L.tick_busy = 0.0
                L.tick_blocked = False
                L.tick_longest = None
                L.thread_ident = _get_ident()
            except Exception as e:
                tr.internal_error('tick', e)
                return orig(self)
            orig(self)
            try:
                if not L.tick_emitted:
                    hooks._emit_tick(self, L, None)
                if L.tick_busy > tr.blocking and not L.tick_blocked and L.tick_longest:
                    dur, fn, line, file, task = L.tick_longest
                    ev = {'ev': 'blocking', 'loop': L.id, 'what': 'tick', 'fn': fn,
                          'line': line}
                    if task is not None:
                        ev['task'] = task
                    if file is not None:
                        ev['file'] = file
                    ev.update(dur=round(L.tick_busy, 6), t=round(self.time() - L.origin, 6),
                              n=L.n, sampled=False)
                    tr.emit(ev)
            except Exception as e:
                tr.internal_error('tick_end', e)
        return _run_once

    def _emit_tick(self, loop, L, first):
        tr = self.tr
        L.tick_emitted = True
        ready = []
        if first is not None and not first._cancelled:
            ready.append(self._ready_entry(first, L))
        recs = tr.tasks
        append = ready.append
        for h in loop._ready:
            if not h._cancelled:
                # Inlined fast path of _ready_entry for a known task's step.
                obj = getattr(h._callback, '__self__', None)
                if obj is not None:
                    rec = recs.get(id(obj))
                    if rec is not None and rec.ref() is obj:
                        append(rec.id)
                        continue
                append(self._ready_entry(h, L))
        obj = None
        ev = {'ev': 'tick', 'loop': L.id, 'n': L.n, 't': round(loop.time() - L.origin, 6),
              'wall': tr.wall(), 'waited': round(L.waited, 6), 'jump': round(L.jump, 6),
              'ready': ready}
        if L.io:
            ev['io'] = L.io
        tr.emit(ev)

    def _ready_entry(self, h, L):
        cb = h._callback
        obj = getattr(cb, '__self__', None)
        if obj is not None and isinstance(obj, TASK_TYPES):
            rec = self.tr.tasks.get(id(obj))
            if rec is not None and rec.ref() is obj:
                return rec.id
            return self.tr.task_id(obj)
        d = {'fn': frames.callable_name(cb)}
        line, file = frames.callable_position(cb)
        frames.put_position(d, line, file)
        kind, timer = self._callback_kind(h, cb, L, pop=False)
        if timer is not None:
            d['timer'] = timer
        d['kind'] = kind
        return d

    def _callback_kind(self, h, cb, L, pop):
        tr = self.tr
        if type(h) is _TimerHandle or isinstance(h, _TimerHandle):
            rec = tr.timers.pop(id(h), None) if pop else tr.timers.get(id(h))
            if rec is not None and pop and rec.task is not None and rec.task.timeouts:
                rec.task.timeouts.pop(rec.id, None)
            return 'timer', (rec.id if rec is not None else None)
        if id(h) in L.io_ids:
            return 'io', None
        if id(cb) in tr.threadsafe:
            if pop:
                tr.threadsafe.discard(id(cb))
            return 'threadsafe', None
        return 'soon', None

    # -- the selector: waiting, I/O, virtual clock ---------------------------------------
    def _wrap_selector(self, loop, L):
        L.selector_wrapped = True
        sel = getattr(loop, '_selector', None)
        if sel is None or not hasattr(sel, 'select'):
            return
        tr = self.tr
        hooks = self
        # Weak references only: a closure holding the loop or the selector would make a
        # reference cycle (loop -> selector -> select -> loop), so an unclosed loop would be
        # freed by the cycle collector instead of by reference counting, later than untraced.
        orig = type(sel).select
        loop_ref = weakref.ref(loop)
        sel_ref = weakref.ref(sel)
        if L.ssock_fd is None:
            try:
                L.ssock_fd = loop._ssock.fileno()
            except Exception:
                pass

        def select(timeout=None):
            sel = sel_ref()
            if tr.virtual and timeout is not None and timeout > 0:
                loop = loop_ref()
                try:
                    idle = loop is not None and hooks._quiescent(loop, sel, L)
                except Exception as e:
                    tr.internal_error('quiescent', e)
                    idle = False
                if idle:
                    ev = orig(sel, 0)
                    if not ev:
                        # Skip the wait. Round up to 1 ms like epoll does: jumping exactly
                        # to the deadline would split same-deadline timers across ticks.
                        jump = math.ceil(timeout * 1e3) * 1e-3
                        vc.advance(jump)
                        L.jump += jump
                        return ev
                    hooks._note_io(loop, L, ev)
                    return ev
            t0 = PERF()
            ev = orig(sel, timeout)
            L.waited += PERF() - t0
            if ev:
                hooks._note_io(loop_ref(), L, ev)
            return ev
        sel.select = select

    def _note_io(self, loop, L, ev):
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
            self.tr.internal_error('io', e)

    def _quiescent(self, loop, sel, L):
        """True when nothing outside this loop can make progress: no executor job pending, no
        other thread running (idle executor workers and the tracer's own threads excepted),
        and no descriptor with a peer outside this loop."""
        tr = self.tr
        if tr.outstanding_jobs > 0:
            return False
        me = _get_ident()
        worker = cf_thread._worker
        busy = tr.busy_workers
        for t in threading.enumerate():
            if t.ident == me:
                continue
            if getattr(t, '_target', None) is worker and t.ident not in busy:
                continue
            return False
        fds = [fd for fd in sel.get_map() if fd != L.ssock_fd]
        if not fds:
            return True
        transports = getattr(loop, '_transports', None)
        all_fds = set(fds)
        if transports is not None:
            all_fds.update(transports.keys())
        registered = set(fds)
        names = set()
        peers = []
        for fd in all_fds:
            try:
                s = socket.socket(fileno=fd)
            except OSError:
                if fd in registered:
                    return False
                continue
            try:
                try:
                    names.add(s.getsockname())
                except OSError:
                    pass
                if fd in registered:
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                        continue
                    try:
                        peers.append(s.getpeername())
                    except OSError:
                        return False
            finally:
                s.detach()
        return all(p in names for p in peers)

    # -- handles: steps and callbacks ----------------------------------------------------
    def _make_handle_run(self, orig):
        tr = self.tr
        hooks = self

        loops = tr.loops
        recs = tr.tasks

        def _run(self):
            try:
                loop = self._loop
                L = loops.get(id(loop))
                if L is None or L.ref() is not loop:
                    L = tr.loop_rec(loop)
                if not L.tick_emitted:
                    hooks._emit_tick(loop, L, self)
                cb = self._callback
                task = getattr(cb, '__self__', None)
                if task is not None and isinstance(task, TASK_TYPES):
                    pre = recs.get(id(task))
                    if pre is None or pre.ref() is not task or not pre.started:
                        pre = hooks._before_step(task, loop, L)
                    kind = timer = None
                else:
                    task = None
                    pre = None
                    kind, timer = hooks._callback_kind(self, cb, L, pop=True)
                t = loop.time()
                own0 = tr.own
                L.cur_gen += 1
                if L.samples:
                    L.samples = []
                s0 = PERF()
                L.cur_handle = self
                L.cur_start = s0
            except Exception as e:
                tr.internal_error('handle', e)
                try:
                    return orig(self)
                finally:
                    self = cb = task = None
            try:
                orig(self)
            finally:
                s1 = PERF()
                L.cur_start = None
                L.cur_handle = None
                try:
                    dur = s1 - s0 - (tr.own - own0)
                    if task is not None:
                        hooks._after_step(task, pre, loop, L, t, dur)
                    else:
                        hooks._after_callback(cb, kind, timer, loop, L, t, dur)
                except Exception as e:
                    tr.internal_error('handle_end', e)
                # Like asyncio's own Handle._run ("self = None  # Needed to break cycles"):
                # if a frame below us outlives this call (a traceback keeps it), Python
                # keeps this frame's locals too; they must not hold the handle or the task.
                self = cb = task = pre = loop = None
        return _run

    def _before_step(self, task, loop, L):
        tr = self.tr
        rec = tr.tasks.get(id(task))
        if rec is None or rec.ref() is not task:
            rec = tr.register_task(task)
        if not rec.started:
            rec.started = True
            coro = frames.task_coro(task)
            f = getattr(coro, 'cr_frame', None)
            if f is not None and _is_user_file(f.f_code.co_filename):
                rec.line = f.f_lineno
                rec.file = frames.file_field(f.f_code.co_filename)
            f = None
        return rec

    def _make_after_step(self):
        """The hottest path of the tracer (one call per step), so it is one closure with its
        lookups bound once. The event is formatted by hand (the JSON the encoder would
        produce) and carries only what changed since the task's previous step: `from` is
        that step's `to`; `stack` and `reason` are omitted when unchanged (docs/protocol.md)."""
        tr = self.tr
        hooks = self
        emitter = tr.emitter
        reasons = tr.reasons
        compute = reasons.compute
        sleep_code = reasons._sleep_code
        YIELD = _YIELD

        def after_step(task, rec, loop, L, t, dur):
            s0 = PERF()
            tr.steps += 1
            frm = rec.line
            from_file = rec.file
            head = '{"ev":"step","task":%d,"t":%.6f,"dur":%.7f' % (rec.id, t - L.origin, dur)
            if not rec.stepped:
                rec.stepped = True
                head += ',"from":' + ('null' if frm is None else str(frm))
                if from_file is not None:
                    head += ',"fromFile":' + _quote(from_file)
            if task.done():
                rec.line = rec.file = rec.reason = None
                emitter.emit_raw(head + ',"to":null}')
                hooks._emit_done(task, rec, loop)
            else:
                try:
                    coro = task._coro
                except AttributeError:
                    coro = task.get_coro()
                chain = _await_chain(coro)[0]
                coro = None
                stack, first = user_stack(chain)
                if (first < len(chain) - 1 and chain[first].f_code is sleep_code
                        and not rec.timeouts):
                    reason = YIELD  # asyncio.sleep(0) awaiting its bare yield
                elif first == 0 and not rec.started:
                    reason = reasons.not_started()
                else:
                    reason = compute(task, chain, first, rec)
                del chain[:]
                f = None
                if stack:
                    top = stack[-1]
                    rec.line = line = top[0]
                    rec.file = top[2] if len(top) > 2 else None
                    head += ',"to":%d' % line
                else:
                    rec.line = rec.file = None
                    head += ',"to":null'
                if rec.file is not None:
                    head += ',"file":' + _quote(rec.file)
                if stack != rec.stack:
                    head += ',"stack":' + _encode(stack)
                    rec.stack = stack
                if reason is not rec.reason and reason != rec.reason:
                    head += ',"reason":' + (_YIELD_JSON if reason is YIELD else _encode(reason))
                    rec.reason = reason
                emitter.emit_raw(head + '}')
            longest = L.tick_longest
            if longest is None or dur > longest[0] or dur > tr.blocking:
                hooks._account(L, dur, rec.id, task, frm, from_file, loop)
            else:
                L.tick_busy += dur
            tr.own += PERF() - s0
        return after_step

    def _emit_done(self, task, rec, loop):
        tr = self.tr
        ev = {'ev': 'done', 'task': rec.id, 't': round(loop.time() - rec.origin, 6)}
        if task.cancelled():
            ev['state'] = 'cancelled'
        else:
            exc = task._exception
            if exc is not None:
                ev['state'] = 'exception'
                ev['error'] = frames.error_info(exc)
            else:
                ev['state'] = 'ok'
                ev['result'] = frames.short_repr(task._result)
            exc = None
        tr.emit(ev)

    def suspension(self, task, rec):
        """(stack, reason) of a suspended task. The chain's frames are dropped on return."""
        try:
            coro = task._coro
        except AttributeError:
            coro = task.get_coro()
        chain, leaf = _await_chain(coro)
        leaf = coro = None
        stack, first = user_stack(chain)
        if first == 0 and rec is not None and not rec.started:
            reason = self.tr.reasons.not_started()
        else:
            reason = self.tr.reasons.compute(task, chain, first, rec)
        del chain[:]
        return stack, reason

    def _account(self, L, dur, tid, fn, line, file, loop):
        """Blocking detection for one handle and the tick's totals. tid: the task's id for a
        step (fn is then the task, named only when needed), else None (fn: callback name)."""
        L.tick_busy += dur
        longest = L.tick_longest
        if longest is None or dur > longest[0]:
            if tid is not None:
                fn = getattr(frames.task_coro(fn), '__qualname__', '?')
            L.tick_longest = (dur, fn, line, file, tid)
        if dur > self.tr.blocking:
            if tid is not None and not isinstance(fn, str):
                fn = getattr(frames.task_coro(fn), '__qualname__', '?')
            L.tick_blocked = True
            self._emit_blocking(L, loop, tid, fn, line, file, dur)

    def _emit_blocking(self, L, loop, tid, fn, line, file, dur):
        """A `blocking` event for a step (tid: its task) or a callback. When the watchdog
        sampled the running frame, the most frequent sampled line replaces line/file."""
        samples = list(L.samples)
        sampled = bool(samples)
        if sampled:
            line, file = max(set(samples), key=samples.count)
        ev = {'ev': 'blocking', 'loop': L.id, 'what': 'callback' if tid is None else 'step'}
        if tid is not None:
            ev['task'] = tid
        ev['fn'] = fn
        ev['line'] = line
        if file is not None:
            ev['file'] = file
        ev.update(dur=round(dur, 6), t=round(loop.time() - L.origin, 6), n=L.n, sampled=sampled)
        self.tr.emit(ev)

    def blocking_in_progress(self):
        """At a stop (a limit, control `stop`), possibly from another thread: a `blocking`
        event for each handle still running past the threshold (a step that never yields),
        its line sampled now if the watchdog has no sample yet."""
        tr = self.tr
        from . import blocking
        for L in list(tr.loops.values()):
            h = L.cur_handle
            start = L.cur_start
            if h is None or start is None:
                continue
            try:
                dur = PERF() - start
                if dur <= tr.blocking:
                    continue
                loop = L.ref()
                if loop is None:
                    continue
                if not L.samples:
                    blocking._sample(L)
                cb = h._callback
                task = getattr(cb, '__self__', None)
                if task is not None and isinstance(task, TASK_TYPES):
                    rec = tr.task_rec(task)
                    tid = rec.id
                    fn = getattr(frames.task_coro(task), '__qualname__', '?')
                    line, file = rec.line, rec.file
                else:
                    tid = None
                    fn = frames.callable_name(cb)
                    line, file = frames.callable_position(cb)
                task = cb = h = None
                self._emit_blocking(L, loop, tid, fn, line, file, dur)
                loop = None
            except Exception as e:
                tr.internal_error('blocking_at_stop', e)

    def _after_callback(self, cb, kind, timer, loop, L, t, dur):
        tr = self.tr
        s0 = PERF()
        name = frames.callable_name(cb)
        ev = {'ev': 'callback', 'loop': L.id, 'fn': name}
        line, file = frames.callable_position(cb)
        frames.put_position(ev, line, file)
        ev['kind'] = kind
        if timer is not None:
            ev['timer'] = timer
        ev['t'] = round(t - L.origin, 6)
        ev['dur'] = dur
        tr.emit(ev)
        self._account(L, dur, None, name, line, file, loop)
        tr.own += PERF() - s0

    # -- tasks ---------------------------------------------------------------------------
    def _make_create_task(self, orig):
        tr = self.tr
        hooks = self

        def create_task(self, coro, *args, **kwargs):
            s0 = PERF()
            try:
                parent = _current_task(self)
                pid = tr.task_id(parent) if parent is not None else None
                line, file = frames.caller_position(2)
                parent = None
                name = kwargs.get('name')
                if name is None and _NAMED_CREATORS:
                    f = _getframe(1)
                    if id(f.f_code) in _NAMED_CREATORS:
                        name = f.f_locals.get('name')
                    f = None
                if name is not None:
                    name = str(name)
                tr.creating.append((coro, pid, line, file, name))
                pushed = True
            except Exception as e:
                tr.internal_error('create_task', e)
                pushed = False
            tr.own += PERF() - s0
            try:
                task = orig(self, coro, *args, **kwargs)
            finally:
                if pushed:
                    tr.creating.pop()
            s1 = PERF()
            try:
                if pushed:
                    hooks._created(self, task, coro, pid, line, file, name, s1 - s0)
            except Exception as e:
                tr.internal_error('create_task', e)
            tr.own += PERF() - s1
            # No locals holding the coroutine or the task once we return (see _run).
            out = [task]
            task = coro = None
            return out.pop()
        return create_task

    def _created(self, loop, task, coro, pid, line, file, name, elapsed):
        tr = self.tr
        rec = tr.task_rec_if_known(task)
        started = (getattr(coro, 'cr_frame', 0) is None or getattr(coro, 'cr_suspended', False)
                   or task.done())
        if rec is None:
            rec = tr.register_task(task, pid, line, file, eager=bool(started), coro=coro,
                                   name=name)
        if started and not rec.started:
            # 3.12+ eager task: its first step ran inside create_task, without a Handle.
            rec.started = True
            co = getattr(coro, 'cr_code', None)
            if co is not None and _is_user_file(co.co_filename):
                rec.line, rec.file = co.co_firstlineno, frames.file_field(co.co_filename)
            L = tr.loop_rec(loop)
            self._after_step(task, rec, loop, L, loop.time(), elapsed)

    # -- timers --------------------------------------------------------------------------
    def _make_call_at(self, orig):
        tr = self.tr

        def call_at(self, when, callback, *args, **kwargs):
            h = orig(self, when, callback, *args, **kwargs)
            s0 = PERF()
            try:
                tr.n_timers += 1
                tid = tr.n_timers
                name = frames.callable_name(callback)
                L = tr.loop_rec(self)
                rel = round(when - L.origin, 6)
                ev = {'ev': 'timer', 'loop': L.id, 'timer': tid, 'when': rel, 'fn': name}
                line, file = frames.caller_position(2)
                frames.put_position(ev, line, file)
                trec = None
                short = name.rsplit('.', 1)[-1]
                if short in _WAKERS:
                    task = _current_task(self)
                    if task is not None:
                        ev['task'] = tr.task_id(task)
                        owner = getattr(callback, '__self__', None)
                        if _Timeout is not None and isinstance(owner, _Timeout):
                            trec = tr.task_rec(task)
                            if trec.timeouts is None:
                                trec.timeouts = {}
                            trec.timeouts[tid] = rel
                    task = None
                tr.timers[id(h)] = TimerRec(tid, trec)
                ev['t'] = round(self.time() - L.origin, 6)
                tr.emit(ev)
            except Exception as e:
                tr.internal_error('call_at', e)
            tr.own += PERF() - s0
            return h
        return call_at

    def _make_timer_cancel(self, orig):
        tr = self.tr

        def cancel(self):
            if not self._cancelled:
                s0 = PERF()
                try:
                    rec = tr.timers.pop(id(self), None)
                    if rec is not None:
                        if rec.task is not None and rec.task.timeouts:
                            rec.task.timeouts.pop(rec.id, None)
                        L = tr.loops.get(id(self._loop))
                        tr.emit({'ev': 'timer_cancel', 'loop': L.id if L else None,
                                 'timer': rec.id,
                                 't': round(self._loop.time() - (L.origin if L else 0.0), 6)})
                except Exception as e:
                    tr.internal_error('timer_cancel', e)
                tr.own += PERF() - s0
            return orig(self)
        return cancel

    def _make_call_soon_threadsafe(self, orig):
        tr = self.tr

        def call_soon_threadsafe(self, callback, *args, **kwargs):
            # Marked before the call: the loop may run the handle before we return.
            tr.threadsafe.add(id(callback))
            return orig(self, callback, *args, **kwargs)
        return call_soon_threadsafe

    # -- executor jobs -------------------------------------------------------------------
    def _make_run_in_executor(self, orig):
        tr = self.tr
        hooks = self

        def run_in_executor(self, executor, func, *args):
            s0 = PERF()
            job = None
            try:
                ex = self._default_executor if executor is None else executor
                if ex is None or isinstance(ex, concurrent.futures.ThreadPoolExecutor):
                    job = hooks._new_job(self, func)
                    # A C-level partial tags the call without adding a Python frame (which
                    # would show in the worker's tracebacks).
                    tagged = functools.partial(func)
                    tr.jobs_by_fn[id(tagged)] = (job, tagged)
                    func = tagged
            except Exception as e:
                tr.internal_error('run_in_executor', e)
            tr.own += PERF() - s0
            try:
                fut = orig(self, executor, func, *args)
            except BaseException:
                if job is not None:
                    tr.jobs_by_fn.pop(id(func), None)
                    with hooks.jobs_lock:
                        tr.outstanding_jobs -= 1
                raise
            if job is not None:
                try:
                    tr.job_futs[fut] = job
                except Exception:
                    pass
            return fut
        return run_in_executor

    def _new_job(self, loop, func):
        tr = self.tr
        fn = func
        # asyncio.to_thread submits functools.partial(Context.run, func, ...)
        if isinstance(fn, functools.partial) and getattr(fn.func, '__name__', '') == 'run' \
                and fn.args and type(getattr(fn.func, '__self__', None)).__name__ == 'Context':
            fn = fn.args[0]
        with self.jobs_lock:
            tr.n_jobs += 1
            tr.outstanding_jobs += 1
            jid = tr.n_jobs
        job = JobRec(jid, frames.callable_name(fn))
        L = tr.loop_rec(loop)
        ev = {'ev': 'job', 'job': jid, 'loop': L.id}
        task = _current_task(loop)
        if task is not None:
            ev['task'] = tr.task_id(task)
        task = None
        ev['fn'] = job.fn
        line, file = frames.caller_position(3)
        frames.put_position(ev, line, file)
        ev['t'] = round(loop.time() - L.origin, 6)
        ev['wall'] = tr.wall()
        tr.emit(ev)
        return job

    def _make_work_item_run(self, orig):
        tr = self.tr
        hooks = self

        def run(self):
            me = _get_ident()
            tr.busy_workers.add(me)
            job = None
            try:
                ent = tr.jobs_by_fn.pop(id(self.fn), None) if tr.jobs_by_fn else None
                if ent is not None and ent[1] is self.fn:
                    job = ent[0]
                    job.thread = threading.current_thread().name
                    job.start = PERF()
                    tr.jobs_by_cf[id(self.future)] = job
                    tr.emit({'ev': 'job_start', 'job': job.id, 'thread': job.thread,
                             'wall': tr.wall()})
            except Exception as e:
                tr.internal_error('job_start', e)
            try:
                return orig(self)
            finally:
                if job is not None:
                    if tr.jobs_by_cf.pop(id(self.future), None) is not None:
                        hooks._job_end(job, False, 'cancelled')
                    with hooks.jobs_lock:
                        tr.outstanding_jobs -= 1
                tr.busy_workers.discard(me)
                # Like _WorkItem.run's own "self = None": break the cycle with the
                # exception a failing job leaves in its future.
                self = ent = None
        return run

    def _job_end(self, job, ok, error):
        tr = self.tr
        now = PERF()
        ev = {'ev': 'job_end', 'job': job.id, 'thread': job.thread, 'wall': tr.wall(),
              'dur': round(now - job.start, 6) if job.start is not None else None, 'ok': ok}
        if error is not None:
            ev['error'] = error
        tr.emit(ev)

    def _make_cf_set(self, what):
        tr = self.tr
        hooks = self

        def maker(orig):
            def setter(self, value):
                # Emitted before the original wakes the loop, so job_end precedes the step
                # that receives the result.
                if tr.jobs_by_cf:
                    job = tr.jobs_by_cf.pop(id(self), None)
                    if job is not None:
                        try:
                            if what == 'result':
                                hooks._job_end(job, True, None)
                            else:
                                hooks._job_end(job, False, '%s: %s' % (
                                    type(value).__name__, frames._safe_str(value)))
                        except Exception as e:
                            tr.internal_error('job_end', e)
                return orig(self, value)
            return setter
        return maker

    # -- logged exceptions ---------------------------------------------------------------
    def _make_call_exception_handler(self, orig):
        def call_exception_handler(self, context):
            try:
                exc = context.get('exception')
                if exc is not None:
                    frames.strip_exception(exc)
                exc = None
            except Exception:
                pass
            return orig(self, context)
        return call_exception_handler

