"""Why a task is suspended: the `reason` object of docs/protocol.md.

The reason is found in two passes over the task's await chain (frames.await_chain):
1. the first known asyncio function below the deepest user frame, matched by code object
   (sleep, Queue.get, Lock.acquire, StreamReader._wait_for_data, wait_for, ...): its locals
   give the details;
2. otherwise the future the task waits on (task._fut_waiter): another task, a gather, an
   executor job, a shield, or any other future (kind `future` with its type name).
Anything unexpected gives kind `future`: computing a reason must never fail the tracer.
Reasons is also the listener that keeps each task's active asyncio.timeout() deadlines
(TaskRec.timeouts), from the timer hooks; and it says whose reason may have changed while
they stay suspended (waiters_of, waiters_after): a gather, asyncio.wait or TaskGroup counts
the tasks it still waits for.
"""

from . import frames as _frames
from .instrument import Instrument

# asyncio and its parts, bound once the program imported asyncio (asyncio_loaded).
asyncio = locks = queues = streams = tasks = socket = None
TASK_TYPES = ()
# The most frequent reason (asyncio.sleep(0)), shared and pre-encoded by the Recorder.
# Never mutated (compute() only adds details to fresh dicts).
YIELD = {'kind': 'yield', 'text': 'asyncio.sleep(0): yielded, back in the ready queue'}
# asyncio.sleep's code: in an await chain, followed by another frame (its bare yield), it is
# asyncio.sleep(0).
SLEEP_CODE = _TASKGROUP_DONE = None


def asyncio_loaded():
    global asyncio, locks, queues, streams, tasks, socket, TASK_TYPES, SLEEP_CODE, _TASKGROUP_DONE
    import asyncio
    import socket
    from asyncio import locks, queues, streams, tasks
    TASK_TYPES = _frames.TASK_TYPES
    SLEEP_CODE = getattr(tasks.sleep, '__code__', None)
    _TASKGROUP_DONE = getattr(getattr(getattr(asyncio, 'taskgroups', None), 'TaskGroup', None),
                              '_on_task_done', None)


def _num(x):
    try:
        return float(x)
    except Exception:
        return None


def _peer_str(peer):
    """host:port or a socket path; None for anything else (no str() of a program's object)."""
    if type(peer) is tuple and len(peer) >= 2 and type(peer[0]) is str \
            and type(peer[1]) is int:
        return '%s:%s' % (peer[0], peer[1])
    if type(peer) is bytes:
        peer = peer.decode('utf-8', 'replace')
    return peer if type(peer) is str and peer else None


def _sock_info(sock):
    d = {}
    if not isinstance(sock, socket.socket):
        return d   # something else the program passed (a mock): nothing to say of it
    try:
        d['fd'] = sock.fileno()
    except Exception:
        pass
    try:
        p = _peer_str(sock.getpeername())
        if p:
            d['peer'] = p
    except Exception:
        pass
    return d


def _attrs(obj):
    """An object's instance attributes, read without running any of its code (no
    properties, no __getattr__): its __dict__ and its __slots__."""
    if obj is None:
        return {}
    try:
        d = dict(object.__getattribute__(obj, '__dict__'))
    except (AttributeError, TypeError):
        d = {}
    for cls in type(obj).__mro__:
        for slot in cls.__dict__.get('__slots__', ()) if isinstance(
                cls.__dict__.get('__slots__', ()), (tuple, list)) else ():
            desc = cls.__dict__.get(slot)
            if type(desc).__name__ == 'member_descriptor':
                try:
                    d[slot] = desc.__get__(obj, cls)
                except AttributeError:
                    pass
    return d


def _holder(fw, obj, var):
    """(obj, its attributes, a description, the attribute's name) when obj holds fw in one
    of its attributes, else None."""
    if obj is None or isinstance(obj, (int, float, str, bytes, tuple, list, dict, set)):
        return None
    held = _attrs(obj)
    name = next((k for k, v in held.items() if v is fw), None)
    if name is None:
        return None
    what = '%s.%s' % (type(obj).__name__, name) if var == 'self' else '%s.%s, a %s' % (
        var, name, type(obj).__name__)
    return obj, held, what, name


def _connection_of(owner, attrs, loop):
    """The transport an object (or a frame, by its locals) is the reading or writing end of:
    itself, one it holds, its protocol's, or the loop's transport that delivers to it (the
    object, or a protocol it holds, is that transport's protocol)."""
    if isinstance(owner, asyncio.BaseTransport):
        return owner
    protocols = [owner] if isinstance(owner, asyncio.BaseProtocol) else []
    for v in attrs.values():
        if isinstance(v, asyncio.BaseTransport):
            return v
        if isinstance(v, asyncio.BaseProtocol):
            protocols.append(v)
    for p in protocols:
        for w in _attrs(p).values():
            if isinstance(w, asyncio.BaseTransport):
                return w
    transports = getattr(loop, '_transports', None)
    if protocols and transports is not None:
        for tr in list(transports.values()):
            if any(_attrs(tr).get('_protocol') is p for p in protocols):
                return tr
    return None


def _transport_info(transport):
    d = {}
    if transport is None or type(transport).__module__.split('.')[0] not in _TRANSPORT_LIBS:
        # get_extra_info of a transport class of the program's would run its code.
        return d
    try:
        p = _peer_str(transport.get_extra_info('peername'))
        if p:
            d['peer'] = p
    except Exception:
        pass
    try:
        sock = transport.get_extra_info('socket')
        if sock is not None:
            d['fd'] = sock.fileno()
    except Exception:
        pass
    return d


# Where the transports whose get_extra_info the tracer may call come from.
_TRANSPORT_LIBS = ('asyncio', 'uvloop')


class Reasons(Instrument):
    def __init__(self, registry, report):
        """registry: for task, timer and job ids; report(where, exc): an internal error."""
        self.registry = registry
        self.report = report
        self.by_code = {}
        self.origin = 0.0   # the loop origin of the task whose reason is being computed
        self.waiter = None  # the TaskRec whose reason is being computed
        # id of a task -> [TaskRec] of the tasks whose reason counts it as pending
        self.waiters = {}

    def asyncio_loaded(self):
        """The program imported asyncio: know its waiting functions."""
        self._register()

    # -- asyncio.timeout() deadlines (timer hooks) ------------------------------------------

    def timer_armed(self, handle, trec, loop, L, callback):
        if trec.timeout and trec.wakes is not None:
            rec = trec.wakes
            if rec.timeouts is None:
                rec.timeouts = {}
            rec.timeouts[trec.id] = trec.when

    def timer_fired(self, trec, loop, L):
        if trec.timeout and trec.wakes is not None and trec.wakes.timeouts:
            trec.wakes.timeouts.pop(trec.id, None)

    timer_cancelled = timer_fired

    # -- registration -------------------------------------------------------------------

    def _reg(self, fn, handler):
        fn = getattr(fn, '__func__', fn)
        co = getattr(fn, '__code__', None)
        if co is not None:
            # By id: hashing a code object is slow. The entry pins the code (no id reuse).
            self.by_code[id(co)] = (co, handler)

    def _register(self):
        R = self._reg
        R(tasks.sleep, self._sleep)
        sleep0 = getattr(tasks, '__sleep0', None)
        if sleep0 is not None:
            R(sleep0, self._yield)
        R(queues.Queue.get, self._queue('queue_get'))
        R(queues.Queue.put, self._queue('queue_put'))
        R(queues.Queue.join, self._queue('queue_join'))
        R(locks.Lock.acquire, self._lock)
        R(locks.Semaphore.acquire, self._semaphore)
        R(locks.Event.wait, self._event)
        R(locks.Condition.wait, self._condition)
        R(locks.Condition.wait_for, self._condition)
        if hasattr(locks, 'Barrier'):
            R(locks.Barrier.wait, self._barrier)
        R(streams.StreamReader._wait_for_data, self._stream_read)
        R(streams.StreamWriter.drain, self._stream_drain)
        R(streams.open_connection, self._connect)
        if hasattr(streams, 'open_unix_connection'):
            R(streams.open_unix_connection, self._connect)
        from asyncio import base_events, selector_events
        R(base_events.BaseEventLoop.create_connection, self._connect)
        for name, h in (('sock_connect', self._connect), ('sock_recv', self._sock('io_read')),
                        ('sock_recv_into', self._sock('io_read')),
                        ('sock_recvfrom', self._sock('io_read')),
                        ('sock_sendall', self._sock('io_write')),
                        ('sock_accept', self._sock('io_accept'))):
            fn = getattr(selector_events.BaseSelectorEventLoop, name, None)
            if fn is not None:
                R(fn, h)
        R(base_events.Server.serve_forever, self._serve)
        R(tasks.wait_for, self._wait_for)
        R(tasks._wait, self._wait)
        tg = getattr(asyncio, 'taskgroups', None)
        if tg is not None:
            R(tg.TaskGroup.__aexit__, self._taskgroup)
            if hasattr(tg.TaskGroup, '_aexit'):
                R(tg.TaskGroup._aexit, self._taskgroup)
        th = getattr(asyncio, 'threads', None)
        if th is not None:
            R(th.to_thread, self._to_thread)
        if hasattr(asyncio.Future, '_asyncio_awaited_by'):     # 3.14+
            from asyncio import staggered
            R(tasks._AsCompletedIterator._wait_for_one, self._awaited_by('asyncio.as_completed'))
            R(staggered.staggered_race, self._awaited_by('asyncio.staggered_race'))
        from asyncio import subprocess as asp
        R(asp.Process.wait, self._subprocess)
        R(asp.Process.communicate, self._subprocess)
        R(asp.create_subprocess_exec, self._subprocess_start)
        R(asp.create_subprocess_shell, self._subprocess_start)

    # -- reasons that change while the task stays suspended ----------------------------

    def _watch(self, tasks):
        """The reason being computed counts these tasks as pending: when one finishes, its
        waiter's reason changes."""
        if self.waiter is None:
            return
        task_id = self.registry.task_id
        self._watch_ids([task_id(t) for t in tasks if isinstance(t, TASK_TYPES) and not t.done()])

    def _watch_ids(self, ids):
        """_watch, for the ids of the pending tasks."""
        rec = self.waiter
        if rec is None:
            return
        waiters = self.waiters
        for tid in ids:
            recs = waiters.get(tid)
            if recs is None:
                waiters[tid] = [rec]
            elif rec not in recs:
                recs.append(rec)

    def waiters_of(self, rec):
        """TaskRecs of the tasks whose reason counted this (now finished) task as pending."""
        return self.waiters.pop(rec.id, ())

    def waiters_after(self, callback):
        """TaskRecs whose reason this callback changed: a TaskGroup counts a finished task
        until its done callback (_on_task_done) has run."""
        done = _TASKGROUP_DONE
        if done is not None and getattr(callback, '__func__', None) is done:
            parent = getattr(callback.__self__, '_parent_task', None)
            if parent is not None:
                return (self.registry.task(parent),)
        return ()

    # -- entry points -------------------------------------------------------------------

    def suspension(self, task, rec):
        """(stack, reason) of a suspended task (for a pause). The chain's frames are dropped
        on return."""
        coro = _frames.task_coro(task)
        chain = _frames.await_chain(coro)[0]
        coro = None
        stack, first, lib_at = _frames.user_stack(chain)
        if first == 0 and rec is not None and not rec.started:
            reason = self.not_started()
        else:
            reason = self.compute(task, chain, first, rec)
            if lib_at > first:
                reason = self.with_via(reason, chain[lib_at - 1])
        del chain[:]
        return stack, reason

    def with_via(self, reason, frame):
        """The reason, with `via`: where in a library the wait is, when the await chain goes
        on below the user's deepest frame into an installed library."""
        reason = dict(reason)
        reason['via'] = _frames.library_frame(frame)
        return reason

    def compute(self, task, chain, first, rec=None):
        """chain: frames outermost first; first: index just below the deepest user frame."""
        try:
            self.waiter = rec
            if rec is not None:
                self.origin = rec.origin
            else:
                self.origin = self.registry.origin_of(getattr(task, '_loop', None))
            by_code = self.by_code
            n = len(chain)
            for i in range(first, n):
                co = chain[i].f_code
                h = by_code.get(id(co))
                if h is not None:
                    h = h[1]
                    if co is SLEEP_CODE and i + 1 < n:
                        # asyncio.sleep(0) awaiting __sleep0: skip reading the frame's locals
                        return self._with_timeout(self._yield(None, task), rec)
                    r = h(chain[i], task)
                    if r is not None:
                        return self._with_timeout(r, rec)
            return self._with_timeout(self._from_waiter(task, chain), rec)
        except Exception as e:
            self.report('wait_reason', e)
            return {'kind': 'future', 'text': 'waiting (reason unknown)', 'type': 'unknown'}

    def _with_timeout(self, r, rec):
        # Inside `async with asyncio.timeout(...)` (tracked by the timer hooks).
        if rec is not None and rec.timeouts:
            r = dict(r)
            deadline = min(rec.timeouts.values())
            if r['kind'] == 'future':
                return {'kind': 'timeout', 'deadline': deadline, 'type': r.get('type'),
                        'text': 'awaiting %s under asyncio.timeout: deadline t=%.3f'
                                % (r.get('type'), deadline)}
            r.setdefault('timeoutDeadline', deadline)
        return r

    def not_started(self):
        return {'kind': 'ready', 'text': 'created, waiting for its first step'}

    # -- from the future the task waits on -----------------------------------------------

    def _from_waiter(self, task, chain):
        fw = getattr(task, '_fut_waiter', None)
        if fw is None:
            return {'kind': 'yield', 'text': 'yielded: back in the ready queue'}
        return self.describe_future(fw, chain, task)

    def describe_future(self, fw, chain, waiter):
        """fw: what the task `waiter` awaits, at the bottom of its await chain."""
        registry = self.registry
        if isinstance(fw, TASK_TYPES):
            tid = registry.task_id(fw)
            return {'kind': 'task', 'task': tid,
                    'text': 'awaiting task %s (%s)' % (tid, _task_name(fw))}
        children = getattr(fw, '_children', None)
        if children is not None and type(fw).__name__ == '_GatheringFuture':
            # Once over the children: a gather can have thousands.
            task_id = registry.task_id
            tasks = [c for c in children if isinstance(c, TASK_TYPES)]
            ids = [task_id(c) for c in tasks]
            pending = sum(1 for c in children if not c.done())
            self._watch_ids([tid for c, tid in zip(tasks, ids) if not c.done()])
            return {'kind': 'gather', 'children': ids, 'pending': pending,
                    'text': 'asyncio.gather: %d of %d awaitables pending' % (pending, len(children))}
        job = registry.job_of_future(fw)
        if job is not None:
            return self._job_reason(job)
        shield_inner = _shield_inner(fw)
        if shield_inner is not False:
            d = {'kind': 'shield', 'text': 'awaiting a shielded awaitable'}
            if isinstance(shield_inner, TASK_TYPES):
                tid = registry.task_id(shield_inner)
                d['task'] = tid
                d['text'] = 'awaiting shielded task %s (%s)' % (tid, _task_name(shield_inner))
            return d
        owned = self._owned_future(fw, chain, waiter)
        if owned is not None:
            return owned
        tname = type(fw).__name__
        return {'kind': 'future', 'type': tname, 'text': 'awaiting a %s' % tname}

    def _owned_future(self, fw, chain, waiter):
        """A bare future, followed to what will resolve it as far as the facts allow: who
        holds it in the await chain, from the deepest frame up: the frame's `self` (an
        aiohttp StreamReader's _waiter, a protocol's), a local variable, or an object in a
        local variable (the program's `protocol.reply`); then that holder's connection (a
        transport, or a protocol's transport) or a task it holds. None when nothing in the
        chain holds it. Reads instance attributes and locals only: no code of the program
        runs."""
        for f in reversed(chain):
            loc = f.f_locals
            found = _holder(fw, loc.get('self'), 'self')
            if found is None and any(v is fw for v in loc.values()):
                name = next(k for k, v in loc.items() if v is fw)
                found = (None, loc, '%s() variable %s' % (f.f_code.co_name, name), name)
            if found is None:
                for k, v in loc.items():
                    found = _holder(fw, v, k) if k != 'self' else None
                    if found is not None:
                        break
            if found is None:
                continue
            owner, held, what, name = found
            lib = _frames.code_library(f.f_code.co_filename)
            if lib:
                what = '%s %s' % (lib, what)
            transport = _connection_of(owner, held, getattr(fw, '_loop', None))
            return self._resolver(fw, what, name, transport, held, waiter)
        return None

    def _resolver(self, fw, what, name, transport, held, waiter):
        if transport is not None:
            d = {'kind': 'io_write' if 'drain' in name or 'writ' in name else 'io_read'}
            d.update(_transport_info(transport))
            peer = d.get('peer', 'a connection')
            if d['kind'] == 'io_read':
                d['text'] = 'waiting on the connection with %s (%s)' % (peer, what)
            else:
                d['text'] = 'waiting to write to %s (%s)' % (peer, what)
            return d
        task = next((v for v in held.values() if isinstance(v, TASK_TYPES) and not v.done()
                     and v is not waiter), None)
        if task is not None:
            tid = self.registry.task_id(task)
            return {'kind': 'task', 'task': tid, 'text': 'awaiting %s, next to task %s (%s)'
                    % (what, tid, _task_name(task))}
        tname = type(fw).__name__
        return {'kind': 'future', 'type': tname, 'text': 'awaiting a %s: %s' % (tname, what)}

    def _job_reason(self, job):
        d = {'kind': 'executor', 'fn': job.fn, 'job': job.id}
        if job.thread:
            d['thread'] = job.thread
            d['text'] = '%s() running on %s' % (job.fn, job.thread)
        else:
            d['text'] = '%s() queued in the executor' % job.fn
        return d

    # -- handlers (frame of a known asyncio function, the task) ---------------------------

    def _sleep(self, f, task):
        loc = f.f_locals
        h = loc.get('h')
        delay = loc.get('delay')
        if h is None:  # delay <= 0: awaiting __sleep0, a bare yield
            return self._yield(f, task)
        when = round(h.when() - self.origin, 6)
        d = {'kind': 'sleep', 'delay': _num(delay), 'wake': when,
             'text': 'asyncio.sleep(%s): timer fires at t=%.3f' % (_short_num(delay), when)}
        tid = self.registry.timer_id(h)
        if tid is not None:
            d['timer'] = tid
        return d

    def _yield(self, f, task):
        return YIELD

    def _queue(self, kind):
        verb = {'queue_get': 'get()', 'queue_put': 'put()', 'queue_join': 'join()'}[kind]

        def handler(f, task):
            q = f.f_locals.get('self')
            size = q.qsize()
            maxsize = q.maxsize
            d = {'kind': kind, 'size': size, 'maxsize': maxsize}
            cap = '%d/%s' % (size, maxsize if maxsize > 0 else 'unbounded')
            if kind == 'queue_get':
                d['text'] = 'queue.get(): waiting for an item (queue has %s)' % cap
            elif kind == 'queue_put':
                d['text'] = 'queue.put(): waiting for room (queue is full, %s)' % cap
            else:
                un = getattr(q, '_unfinished_tasks', None)
                d['unfinished'] = un
                d['text'] = 'queue.join(): waiting for %s unfinished items' % un
            return d
        handler.__name__ = verb
        return handler

    def _lock(self, f, task):
        lk = f.f_locals.get('self')
        locked = bool(lk.locked())
        return {'kind': 'lock', 'locked': locked,
                'text': 'waiting to acquire a Lock (%s)' % ('held by another task' if locked
                                                            else 'about to be acquired')}

    def _semaphore(self, f, task):
        s = f.f_locals.get('self')
        value = getattr(s, '_value', None)
        return {'kind': 'semaphore', 'value': value,
                'text': 'waiting to acquire a %s (value %s)' % (type(s).__name__, value)}

    def _event(self, f, task):
        return {'kind': 'event', 'text': 'waiting for Event.set()'}

    def _condition(self, f, task):
        fn = f.f_code.co_name
        return {'kind': 'condition', 'text': 'waiting in Condition.%s() for a notify' % fn}

    def _barrier(self, f, task):
        b = f.f_locals.get('self')
        d = {'kind': 'barrier', 'parties': b.parties, 'waiting': b.n_waiting}
        d['text'] = 'waiting at a Barrier (%d of %d parties)' % (b.n_waiting, b.parties)
        return d

    def _stream_read(self, f, task):
        reader = f.f_locals.get('self')
        d = {'kind': 'io_read'}
        d.update(_transport_info(getattr(reader, '_transport', None)))
        d['text'] = 'waiting for data from %s' % d.get('peer', 'the stream')
        return d

    def _stream_drain(self, f, task):
        w = f.f_locals.get('self')
        d = {'kind': 'io_write'}
        d.update(_transport_info(getattr(w, '_transport', None)))
        d['text'] = 'waiting for the write buffer to drain to %s' % d.get('peer', 'the stream')
        return d

    def _connect(self, f, task):
        loc = f.f_locals
        d = {'kind': 'io_connect'}
        host, port = loc.get('host'), loc.get('port')
        if type(host) in (str, type(None)) and type(port) in (int, str, type(None)) \
                and (host is not None or port is not None):
            d['peer'] = '%s:%s' % (host, port)
        elif _peer_str(loc.get('path')):
            d['peer'] = _peer_str(loc.get('path'))
        elif _peer_str(loc.get('address')):
            d['peer'] = _peer_str(loc.get('address'))
        sock = loc.get('sock')
        if isinstance(sock, socket.socket):
            try:
                d['fd'] = sock.fileno()
            except Exception:
                pass
        d['text'] = 'connecting to %s' % d.get('peer', 'a peer')
        return d

    def _sock(self, kind):
        words = {'io_read': 'waiting to read from %s', 'io_write': 'waiting to write to %s',
                 'io_accept': 'waiting to accept a connection on %s'}[kind]

        def handler(f, task):
            d = {'kind': kind}
            sock = f.f_locals.get('sock')
            if sock is not None:
                d.update(_sock_info(sock))
            d['text'] = words % d.get('peer', 'fd %s' % d.get('fd', '?'))
            return d
        return handler

    def _serve(self, f, task):
        d = {'kind': 'io_accept', 'text': 'serving forever: waiting for connections'}
        return d

    def _wait_for(self, f, task):
        loc = f.f_locals
        timeout = _num(loc.get('timeout'))
        d = {'kind': 'wait_for', 'timeout': timeout}
        h = loc.get('timeout_handle')
        deadline = None
        if h is not None:
            deadline = round(h.when() - self.origin, 6)
        else:
            rec = self.registry.known_task(task)
            if rec is not None and rec.timeouts:
                deadline = min(rec.timeouts.values())
        d['deadline'] = deadline
        inner = loc.get('fut')
        if isinstance(inner, TASK_TYPES):
            d['task'] = self.registry.task_id(inner)
        if deadline is not None:
            d['text'] = 'asyncio.wait_for(timeout=%s): gives up at t=%.3f' % (
                _short_num(timeout), deadline)
        else:
            d['text'] = 'asyncio.wait_for(timeout=%s)' % _short_num(timeout)
        return d

    def _wait(self, f, task):
        loc = f.f_locals
        fs = loc.get('fs') or ()
        # fs and a TaskGroup's tasks are sets: ids in creation order, not in address order
        ids = sorted(self.registry.task_id(x) for x in fs if isinstance(x, TASK_TYPES))
        pending = sum(1 for x in fs if not x.done())
        self._watch(fs)
        rw = loc.get('return_when')
        d = {'kind': 'wait', 'tasks': ids, 'pending': pending, 'returnWhen': rw}
        h = loc.get('timeout_handle')
        if h is not None:
            d['deadline'] = round(h.when() - self.origin, 6)
        d['text'] = 'asyncio.wait(%s): %d of %d pending' % (rw, pending, len(fs))
        return d

    def _taskgroup(self, f, task):
        tg = f.f_locals.get('self')
        ts = list(getattr(tg, '_tasks', ()) or ())
        ids = sorted(self.registry.task_id(x) for x in ts if isinstance(x, TASK_TYPES))
        self._watch(ts)
        # The group waits until each task's done callback has run: a task already done (a
        # cancelled sibling) stays in _tasks until then, and still counts.
        pending = len(ts)
        running = sum(1 for x in ts if not x.done())
        text = 'end of TaskGroup: waiting for %d task(s)' % pending
        if running < pending:
            text += ' (%d finished, completion not yet processed)' % (pending - running)
        return {'kind': 'taskgroup', 'tasks': ids, 'pending': pending, 'text': text}

    def _to_thread(self, f, task):
        fw = getattr(task, '_fut_waiter', None)
        job = self.registry.job_of_future(fw) if fw is not None else None
        if job is not None:
            return self._job_reason(job)
        fn = f.f_locals.get('func')
        name = _frames.callable_name(fn) if fn is not None else '?'
        return {'kind': 'executor', 'fn': name, 'job': None,
                'text': 'asyncio.to_thread(%s)' % name}

    def _awaited_by(self, where):
        """3.14+: a handler for asyncio helpers whose own wait is on something private
        (as_completed: its queue; staggered_race: its events): the tasks this task is
        registered as awaiting, from asyncio's call-graph bookkeeping (the awaited-by edges
        asyncio.capture_call_graph reads). None when there are none."""
        def handler(f, task):
            awaited = sorted((self.registry.task_id(t), t)
                             for t in asyncio.all_tasks(task.get_loop())
                             if task in (t._asyncio_awaited_by or ()))
            if not awaited:
                return None
            if len(awaited) == 1:
                tid, t = awaited[0]
                return {'kind': 'task', 'task': tid, 'text': 'awaiting task %s (%s) in %s'
                        % (tid, _task_name(t), where)}
            ids = [tid for tid, _ in awaited]
            return {'kind': 'wait', 'tasks': ids, 'pending': len(ids), 'returnWhen': None,
                    'text': '%s: waiting for the first of %d pending tasks to finish'
                            % (where, len(ids))}
        return handler

    def _subprocess_start(self, f, task):
        return {'kind': 'subprocess', 'pid': None, 'text': 'starting a subprocess'}

    def _subprocess(self, f, task):
        p = f.f_locals.get('self')
        pid = getattr(p, 'pid', None)
        return {'kind': 'subprocess', 'pid': pid,
                'text': 'waiting for subprocess %s (%s)' % (pid, f.f_code.co_name)}


def _short_num(x):
    if isinstance(x, float) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def _task_name(t):
    try:
        return t.get_name()
    except Exception:
        return '?'


def _shield_inner(fw):
    """The inner awaitable when fw is the outer future of asyncio.shield(), else False."""
    try:
        cbs = fw._callbacks or ()
    except Exception:
        return False
    for entry in cbs:
        cb = entry[0] if isinstance(entry, tuple) else entry
        if getattr(cb, '__name__', '') == '_outer_done_callback':
            # The closure cell named `inner` (3.14 adds `cur_task`, the awaiting task).
            try:
                return cb.__closure__[cb.__code__.co_freevars.index('inner')].cell_contents
            except (AttributeError, ValueError, IndexError, TypeError):
                return None
    return False
