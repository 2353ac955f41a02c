"""Writes events as JSON lines to the events descriptor.

Events are buffered (64 KB) and flushed at each tick (in a busy loop once a millisecond:
events.Recorder.tick_started), before the loop waits, by the watchdog every ~50 ms, before a
pause and at exit. Any thread may emit. Write errors (the program closed our descriptor, the
reader went away) silently turn the emitter off: the program must run on regardless.
"""

import os
import sys
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


REFUSED, ADDED, FULL = -1, 0, 1   # what EventBuffer.add says (and _accel.c's)


class EventBuffer:
    """The events waiting to be written. _accel.c's EventBuffer is the same in C: the C step
    path adds its events to it without a Python call or the emitter's lock."""
    __slots__ = ('lines', 'size', 'count', 'cap', 'flush_at')

    def __init__(self, cap, count=0, flush_at=FLUSH_AT):
        self.lines = []
        self.size = 0
        self.count = count        # events added
        self.cap = cap            # add refuses past this many events (unless forced)
        self.flush_at = flush_at  # size that calls for a write

    def add(self, line, force=False):
        """line: one event as JSON, without the newline. REFUSED, ADDED, or FULL (added, and
        it is time to write)."""
        if self.count >= self.cap and not force:
            return REFUSED
        self.count += 1
        self.lines.append(line)
        self.size += len(line) + 1
        return FULL if self.size >= self.flush_at else ADDED

    def take(self):
        """The lines added since the last take, as UTF-8 bytes."""
        if not self.lines:
            return b''
        data = ('\n'.join(self.lines) + '\n').encode('utf-8', 'surrogatepass')
        self.lines = []
        self.size = 0
        return data

    def __len__(self):
        return self.size


class Emitter:
    __slots__ = ('fd', 'freeze', 'thaw', 'on_limit', 'lock', 'events', 'broken', 'closed')

    def __init__(self, fd, max_events=None, on_limit=None, freeze=None, thaw=None):
        self.fd = fd
        # Writing may block when the reader is slow: the program's clocks are frozen
        # meanwhile, or that wait would show up in its timestamps.
        self.freeze = freeze
        self.thaw = thaw
        self.on_limit = on_limit      # called (outside the lock) when max_events is reached
        self.lock = threading.RLock()
        self.events = EventBuffer(sys.maxsize if max_events is None else max_events)
        self.broken = False
        self.closed = False

    @property
    def count(self):
        return self.events.count

    def use_buffer(self, make):
        """From now on buffers events in make(cap, count): _accel.c's EventBuffer, which the C
        step path adds to directly. Returns it."""
        with self.lock:
            self._flush_locked()
            self.events = make(self.events.cap, self.events.count, FLUSH_AT)
            return self.events

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
            added = self.events.add(line)
            if added == FULL:
                self._flush_locked()
            if added != REFUSED or self.closed:
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
            self.events.add(line, True)
            self._flush_locked()

    def flush(self):
        with self.lock:
            if self.events:
                self._flush_locked()

    def _flush_locked(self):
        data = self.events.take()
        if not data or self.broken:
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
        self.events.take()
        self.events.cap = 0
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
            # Closed first: an event the C step path adds from here on is refused, not
            # left in the buffer after its last write.
            self.closed = True
            self.events.cap = 0
            self._flush_locked()
            if self.fd is not None and not self.broken:
                try:
                    os.close(self.fd)
                except OSError:
                    pass
