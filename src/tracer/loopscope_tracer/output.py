"""sys.stdout / sys.stderr tee: writes through unchanged, and calls the output_line hook once
per complete line (the Recorder attributes it to the current task, thread, loop and user line).

Lines are assembled per (stream, thread): print() writes the text and the newline separately,
and two threads printing at once would otherwise be cut mid-line. Text without a newline that
the program then waits after (a prompt: it flushes the stream, or reads sys.stdin, as input()
does) is handed over at that moment as a partial line; the rest of the line comes later. Output
that bypasses sys.stdout/sys.stderr (os.write, C code, subprocesses) is not seen.
"""

import sys
import threading

from . import virtual_clock as vc

PERF = vc.REAL_PERF
_get_ident = threading.get_ident


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

    def flush(self):
        r = self._ls_stream.flush()
        self._ls_out.waiting(self._ls_name)
        return r

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


class _Input:
    """sys.stdin: reads go through unchanged, after a partial line the program wrote (its
    prompt) is handed over."""

    def __init__(self, stream, out):
        self.__dict__['_ls_stream'] = stream
        self.__dict__['_ls_out'] = out

    def read(self, *args):
        self._ls_out.reading()
        return self._ls_stream.read(*args)

    def readline(self, *args):
        self._ls_out.reading()
        return self._ls_stream.readline(*args)

    def readlines(self, *args):
        self._ls_out.reading()
        return self._ls_stream.readlines(*args)

    def __iter__(self):
        return self

    def __next__(self):
        self._ls_out.reading()
        return next(self._ls_stream)

    def __getattr__(self, name):
        return getattr(self._ls_stream, name)

    def __setattr__(self, name, value):
        setattr(self._ls_stream, name, value)

    def __enter__(self):
        return self._ls_stream.__enter__()

    def __exit__(self, *exc):
        return self._ls_stream.__exit__(*exc)


class Output:
    def __init__(self, hooks, report):
        """hooks: instrument.Hooks; report(where, exc): an internal error."""
        self.hooks = hooks
        self.report = report
        self.lock = threading.RLock()
        self.partial = {}       # (stream, thread ident) -> [text pieces]
        self.prompted = set()   # threads that handed over a prompt since they last read stdin
        self.tees = {}
        self.saved = {}

    def forked(self):
        """In a child made by fork: a fresh lock (another thread may have held this one), and
        none of the parent's unfinished lines."""
        self.lock = threading.RLock()
        self.partial = {}
        self.prompted = set()

    def install(self):
        for name in ('stdout', 'stderr', 'stdin'):
            stream = getattr(sys, name)
            if stream is None:
                continue
            self.saved[name] = stream
            tee = _Input(stream, self) if name == 'stdin' else _Tee(stream, name, self)
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
                self.report('output', e)
            return
        hooks = self.hooks
        s0 = PERF()
        try:
            ident = _get_ident()
            key = (name, ident)
            with self.lock:
                pieces = self.partial.pop(key, None)
                if pieces:
                    pieces.append(s)
                    s = ''.join(pieces)
                lines = s.split('\n')
                rest = lines.pop()
                if rest:
                    self.partial[key] = [rest]
            output_line = hooks.output_line
            if output_line is not None:
                for line in lines:
                    output_line(name, line, ident, True, False)
        except Exception as e:
            self.report('output', e)
        hooks.own += PERF() - s0

    def waiting(self, name):
        """The program flushed stream `name`: text it wrote without a newline on this thread
        is a partial line it may now wait after."""
        if not self.partial:
            return
        s0 = PERF()
        try:
            ident = _get_ident()
            with self.lock:
                pieces = self.partial.pop((name, ident), None)
            text = ''.join(pieces) if pieces else ''
            if text and self.hooks.output_line is not None:
                self.prompted.add(ident)
                self.hooks.output_line(name, text, ident, True, True)
        except Exception as e:
            self.report('output', e)
        self.hooks.own += PERF() - s0

    def reading(self):
        """The program reads sys.stdin: it waits after its prompt, or, when it wrote none
        since its last read (input() without a prompt, a loop over sys.stdin), after an empty
        partial line, so that a reader still learns that it waits for input."""
        self.waiting('stdout')
        self.waiting('stderr')
        s0 = PERF()
        try:
            ident = _get_ident()
            if ident in self.prompted:
                self.prompted.discard(ident)
            elif self.hooks.output_line is not None:
                self.hooks.output_line('stdout', '', ident, True, True)
        except Exception as e:
            self.report('output', e)
        self.hooks.own += PERF() - s0

    def flush_partial(self):
        """At exit: a final line without a newline becomes an event too."""
        with self.lock:
            items = list(self.partial.items())
            self.partial.clear()
        output_line = self.hooks.output_line
        for (name, ident), pieces in items:
            text = ''.join(pieces)
            if text and output_line is not None:
                output_line(name, text, ident, False, False)
