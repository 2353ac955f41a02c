"""sys.stdout / sys.stderr tee: writes through unchanged, and emits one `output` event per
complete line, attributed to the current task, thread, loop and user line.

Lines are assembled per (stream, thread): print() writes the text and the newline separately,
and two threads printing at once would otherwise be cut mid-line. Output that bypasses
sys.stdout/sys.stderr (os.write, C code, subprocesses) is not seen.
"""

import sys
import threading

from . import frames
from . import virtual_clock as vc
from asyncio import events, tasks

PERF = vc.REAL_PERF
_get_ident = threading.get_ident
_get_running_loop = events._get_running_loop
_current_task = tasks.current_task


class _Tee:
    def __init__(self, stream, name, out):
        self.__dict__['_ls_stream'] = stream
        self.__dict__['_ls_name'] = name
        self.__dict__['_ls_out'] = out

    def write(self, s):
        n = self._ls_stream.write(s)
        self._ls_out.record(self._ls_name, s)
        return n

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._ls_stream, name)

    def __setattr__(self, name, value):
        setattr(self._ls_stream, name, value)

    def __iter__(self):
        return iter(self._ls_stream)

    def __enter__(self):
        return self._ls_stream.__enter__()

    def __exit__(self, *exc):
        return self._ls_stream.__exit__(*exc)


class Output:
    def __init__(self, tr):
        self.tr = tr
        self.lock = threading.RLock()
        self.partial = {}       # (stream, thread ident) -> [text pieces]
        self.tees = {}
        self.saved = {}

    def install(self):
        for name in ('stdout', 'stderr'):
            stream = getattr(sys, name)
            if stream is None:
                continue
            self.saved[name] = stream
            tee = _Tee(stream, name, self)
            self.tees[name] = tee
            setattr(sys, name, tee)

    def uninstall(self):
        for name, stream in self.saved.items():
            if getattr(sys, name) is self.tees.get(name):
                setattr(sys, name, stream)

    def record(self, name, s):
        if not isinstance(s, str) or not s:
            return
        if '\n' not in s:
            # The fast path (print() writes each piece and the newline separately): no lock
            # needed, as each thread only touches its own key and dict/list operations are
            # atomic; too cheap to be worth subtracting from the step's duration.
            try:
                key = (name, _get_ident())
                pieces = self.partial.get(key)
                if pieces is None:
                    self.partial[key] = [s]
                else:
                    pieces.append(s)
            except Exception as e:
                self.tr.internal_error('output', e)
            return
        tr = self.tr
        s0 = PERF()
        try:
            ident = _get_ident()
            key = (name, ident)
            with self.lock:
                if '\n' not in s:
                    self.partial.setdefault(key, []).append(s)
                    tr.own += PERF() - s0
                    return
                pieces = self.partial.pop(key, None)
                if pieces:
                    pieces.append(s)
                    s = ''.join(pieces)
                lines = s.split('\n')
                rest = lines.pop()
                if rest:
                    self.partial[key] = [rest]
            ctx = self._context(ident)
            for line in lines:
                ev = {'ev': 'output', 'stream': name, 'text': line}
                ev.update(ctx)
                ev['wall'] = tr.wall()
                tr.emit(ev)
        except Exception as e:
            tr.internal_error('output', e)
        tr.own += PERF() - s0

    def _context(self, ident):
        d = {}
        loop = _get_running_loop()
        if loop is not None:
            task = _current_task(loop)
            if task is not None:
                d['task'] = self.tr.task_id(task)
            task = None
        if ident != self.tr.main_ident:
            t = threading._active.get(ident)
            if t is not None:
                d['thread'] = t.name
        line, file = frames.caller_position(4)
        frames.put_position(d, line, file)
        if loop is not None:
            L = self.tr.loops.get(id(loop))
            if L is not None:
                d['loop'] = L.id
                d['t'] = round(loop.time() - L.origin, 6)
        return d

    def flush_partial(self):
        """At exit: a final line without a newline becomes an event too."""
        with self.lock:
            items = list(self.partial.items())
            self.partial.clear()
        for (name, ident), pieces in items:
            text = ''.join(pieces)
            if text:
                ev = {'ev': 'output', 'stream': name, 'text': text}
                if ident != self.tr.main_ident:
                    t = threading._active.get(ident)
                    if t is not None:
                        ev['thread'] = t.name
                ev['wall'] = self.tr.wall()
                self.tr.emit(ev)
