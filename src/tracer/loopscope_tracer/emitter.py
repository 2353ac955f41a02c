"""Writes events as JSON lines to the events descriptor.

Events are buffered (64 KB) and flushed at each tick, by the watchdog every ~50 ms, before a
pause and at exit. Any thread may emit. Write errors (the program closed our descriptor, the
reader went away) silently turn the emitter off: the program must run on regardless.
"""

import os
import threading


def _not_json(obj):
    # A value of the program's that slipped into an event (a tracer bug): named, so that
    # the event is still written.
    return '<%s>' % type(obj).__name__


def _make_encoder():
    """(encode, quote): json.dumps's own C encoder, built once (JSONEncoder.encode builds a
    new one on every call; building it once is about twice as fast for our small events),
    and the C function that quotes a JSON string. Both come from _json itself: importing the
    json package (re, enum, functools, collections with it) would cost more than a small
    program's whole start-up. The json package is only the fallback where _json is not."""
    try:
        from _json import encode_basestring_ascii, make_encoder
        c = make_encoder(None, _not_json, encode_basestring_ascii, None, ':', ',', False,
                         False, False)
        c({'probe': [1, 2.5, None, 'x']}, 0)
    except Exception:
        import json
        return (json.JSONEncoder(separators=(',', ':'), allow_nan=False,
                                 default=_not_json).encode,
                json.encoder.encode_basestring_ascii)
    join = ''.join
    return (lambda obj: join(c(obj, 0))), encode_basestring_ascii


_encode, quote = _make_encoder()   # quote: a JSON string literal, quotes included
encode = _encode
FLUSH_AT = 65536   # bytes buffered before a write (also read by _accel.c's emit)


def seconds(x):
    """round(x, 6) of an event formatted by hand: '%.6f' is the same number (the correctly
    rounded decimal that round() turns back into a float) for a fraction of the cost of
    round() and repr(); null for inf and nan."""
    return '%.6f' % x if x - x == 0 else 'null'


def text(value):
    """A string of an event formatted by hand: quote() when it is one (a name the program
    chose may be anything), else as emit() writes it."""
    return quote(value) if isinstance(value, str) else _encode(value)


def _sanitize(obj):
    # Only reached when an event holds inf/nan, which JSON cannot carry.
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float('inf'), float('-inf')) else None
    if isinstance(obj, dict):
        return {k: _sanitize(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_sanitize(v) for v in obj]
    return obj


class Emitter:
    # Slots: _accel.c's emit reads and writes count, cap, buf and size at their offsets.
    __slots__ = ('fd', 'freeze', 'thaw', 'max_events', 'cap', 'on_limit', 'lock', 'buf',
                 'size', 'count', 'broken', 'closed')

    def __init__(self, fd, max_events=None, on_limit=None, freeze=None, thaw=None):
        self.fd = fd
        # Writing may block when the reader is slow: the program's clocks are frozen
        # meanwhile, or that wait would show up in its timestamps.
        self.freeze = freeze
        self.thaw = thaw
        self.max_events = max_events
        # emit_raw writes while count < cap: max_events, or 0 once closed
        self.cap = float('inf') if max_events is None else max_events
        self.on_limit = on_limit      # called (outside the lock) when max_events is reached
        self.lock = threading.RLock()
        self.buf = []
        self.size = 0
        self.count = 0
        self.broken = False
        self.closed = False

    def emit(self, ev):
        """ev is a dict with 'ev' first. Returns nothing; never raises for I/O errors."""
        try:
            line = _encode(ev)
        except ValueError:
            line = _encode(_sanitize(ev))
        self.emit_raw(line)

    def emit_raw(self, line):
        """An event already encoded as one JSON line (without the newline)."""
        with self.lock:
            if self.count < self.cap:
                self.count += 1
                self.buf.append(line)
                self.size += len(line) + 1
                if self.size >= FLUSH_AT:
                    self._flush_locked()
                return
            if self.closed:
                return
        if self.on_limit is not None:
            self.on_limit()

    def emit_final(self, ev):
        """The end event: written even past max_events, then everything is flushed."""
        try:
            line = _encode(ev)
        except ValueError:
            line = _encode(_sanitize(ev))
        with self.lock:
            if self.closed:
                return
            self.count += 1
            self.buf.append(line)
            self._flush_locked()

    def flush(self):
        with self.lock:
            if self.buf:
                self._flush_locked()

    def _flush_locked(self):
        if not self.buf:
            return
        data = ('\n'.join(self.buf) + '\n').encode('utf-8', 'surrogatepass')
        self.buf = []
        self.size = 0
        if self.broken:
            return
        if self.freeze is not None:
            self.freeze()
        try:
            view = memoryview(data)
            while view:
                n = os.write(self.fd, view)
                view = view[n:]
        except OSError:
            self.broken = True
        finally:
            if self.thaw is not None:
                self.thaw()

    def forked(self):
        """In a child made by fork: the trace is the parent's. The buffered lines are the
        parent's to write, and the lock may be held by a thread the child does not have."""
        self.lock = threading.RLock()
        self.buf = []
        self.size = 0
        self.cap = 0
        self.closed = True
        self.broken = True
        if self.fd is not None:
            # Its copy of the descriptor would keep the reader from seeing the end of the
            # events while the child lives on after the parent.
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None

    def close(self):
        with self.lock:
            self._flush_locked()
            self.closed = True
            self.cap = 0
            if self.fd is not None and not self.broken:
                try:
                    os.close(self.fd)
                except OSError:
                    pass
