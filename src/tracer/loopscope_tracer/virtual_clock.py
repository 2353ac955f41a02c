"""The program's clocks: real time plus an offset.

Every clock the program can read (time.time, monotonic, perf_counter, their _ns forms,
localtime, gmtime, ctime, asctime, strftime, datetime.now/utcnow/today, date.today) and
loop.time() (which reads time.monotonic) returns real time + an offset (`_state`). The offset grows only
when the virtual clock skips an idle wait (the selector patch calls advance(); jump.py decides
when it may), and
shrinks by the paused time after a pause, so a pause never shows up in the program's clocks.
While paused, every clock is frozen at the moment the pause began.

Installed in both clock modes: in real mode the offset only ever changes around pauses.
The tracer itself must use the REAL_* functions below (saved before patching).
"""

import datetime as _dt
import threading
import time as _time

REAL_TIME = _time.time
REAL_MONOTONIC = _time.monotonic
REAL_PERF = _time.perf_counter
REAL_TIME_NS = _time.time_ns
REAL_MONOTONIC_NS = _time.monotonic_ns
REAL_PERF_NS = _time.perf_counter_ns
_real_localtime = _time.localtime
_real_gmtime = _time.gmtime
_real_ctime = _time.ctime
_real_asctime = _time.asctime
_real_strftime = _time.strftime

# (offset, paused_at): seconds added to every clock, and REAL_MONOTONIC() when the current
# freeze began (else None). One tuple, replaced whole: other threads (the watchdog's flushes,
# executor workers reading the clock) must never see one updated without the other.
_state = (0.0, None)
total_jump = 0.0       # virtual seconds skipped so far
total_paused = 0.0     # real seconds spent frozen (pauses, blocked writes)
_freeze_lock = threading.Lock()
_freeze_depth = 0


def _off():
    off, p = _state
    if p is None:
        return off
    # Frozen: cancel out the real time that passed since the freeze began.
    return off - (REAL_MONOTONIC() - p)


def advance(seconds):
    """Skip `seconds` of idle time (virtual mode only)."""
    global _state, total_jump
    with _freeze_lock:
        off, p = _state
        _state = (off + seconds, p)
        total_jump += seconds


def freeze():
    """Stop every clock (nested calls allowed): used while paused and while the tracer waits
    on its own output, so neither shows up in the program's time."""
    global _state, _freeze_depth
    with _freeze_lock:
        _freeze_depth += 1
        if _freeze_depth == 1:
            _state = (_state[0], REAL_MONOTONIC())


def thaw():
    global _state, total_paused, _freeze_depth
    with _freeze_lock:
        if _freeze_depth == 0:
            return
        _freeze_depth -= 1
        off, p = _state
        if _freeze_depth == 0 and p is not None:
            spent = REAL_MONOTONIC() - p
            _state = (off - spent, None)
            total_paused += spent


def monotonic():
    off, p = _state
    if p is None:
        return REAL_MONOTONIC() + off
    return p + off


def time():
    off, p = _state
    if p is None:
        return REAL_TIME() + off
    return REAL_TIME() + off - (REAL_MONOTONIC() - p)


def perf_counter():
    off, p = _state
    if p is None:
        return REAL_PERF() + off
    return REAL_PERF() + off - (REAL_MONOTONIC() - p)


def monotonic_ns():
    return REAL_MONOTONIC_NS() + int(_off() * 1e9)


def time_ns():
    return REAL_TIME_NS() + int(_off() * 1e9)


def perf_counter_ns():
    return REAL_PERF_NS() + int(_off() * 1e9)


def localtime(secs=None):
    return _real_localtime(time() if secs is None else secs)


def gmtime(secs=None):
    return _real_gmtime(time() if secs is None else secs)


def ctime(secs=None):
    return _real_ctime(time() if secs is None else secs)


def asctime(t=None):
    return _real_asctime(localtime() if t is None else t)


def strftime(format, t=None):
    return _real_strftime(format, localtime() if t is None else t)


# datetime.datetime / datetime.date are C types whose classmethods cannot be patched. Their
# now()/today() read the C clock directly, so we patch them by class replacement, keeping
# every observable property the same: the replacement classes are only ever used for their
# classmethods, instances created through them are plain datetime/date objects, and
# isinstance/issubclass against them behave like the originals (the metaclass forwards them).
_RealDatetime = _dt.datetime
_UTCNOW_DEPRECATED = __import__('sys').version_info >= (3, 12)
_UTCNOW_MESSAGE = ("datetime.datetime.utcnow() is deprecated and scheduled for removal in a "
                   "future version. Use timezone-aware objects to represent datetimes in UTC: "
                   "datetime.datetime.now(datetime.UTC).")
_RealDate = _dt.date


class _ForwardMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, cls._real)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, cls._real)


def _make_datetime_class():
    real = _RealDatetime

    class datetime(real, metaclass=_ForwardMeta):
        _real = real

        def __new__(cls, *args, **kwargs):
            # Instances are always real datetimes (same type, same repr).
            return real(*args, **kwargs)

        @classmethod
        def now(cls, tz=None):
            return real.fromtimestamp(time(), tz)

        @classmethod
        def utcnow(cls):
            if _UTCNOW_DEPRECATED:
                # Same warning, same caller line as the real (deprecated) utcnow.
                import warnings
                warnings.warn(_UTCNOW_MESSAGE, DeprecationWarning, stacklevel=2)
            return real.fromtimestamp(time(), _dt.timezone.utc).replace(tzinfo=None)

        @classmethod
        def today(cls):
            return real.fromtimestamp(time())

    datetime.__module__ = real.__module__
    datetime.__qualname__ = real.__qualname__
    datetime.__doc__ = real.__doc__
    return datetime


def _make_date_class():
    real = _RealDate

    class date(real, metaclass=_ForwardMeta):
        _real = real

        def __new__(cls, *args, **kwargs):
            return real(*args, **kwargs)

        @classmethod
        def today(cls):
            return real.fromtimestamp(time())

    date.__module__ = real.__module__
    date.__qualname__ = real.__qualname__
    date.__doc__ = real.__doc__
    return date


def install():
    _time.time = time
    _time.monotonic = monotonic
    _time.perf_counter = perf_counter
    _time.time_ns = time_ns
    _time.monotonic_ns = monotonic_ns
    _time.perf_counter_ns = perf_counter_ns
    _time.localtime = localtime
    _time.gmtime = gmtime
    _time.ctime = ctime
    _time.asctime = asctime
    _time.strftime = strftime
    _dt.datetime = _make_datetime_class()
    _dt.date = _make_date_class()
