"""The program's clocks: real time plus an offset.

Every clock the program can read (time.time, monotonic, perf_counter, their _ns forms,
localtime, gmtime, ctime, asctime, strftime, datetime.now/utcnow/today, date.today) and
loop.time() (which reads time.monotonic) returns real time + an offset (`_state`). The offset
grows when the virtual clock skips an idle wait (the selector patch calls advance(); jump.py
decides when it may), and shrinks by the paused time after a pause, so a pause never shows up
in the program's clocks. While frozen (paused, or the tracer waiting on its own output), every
clock stands still at the moment the freeze began.

Installed in every clock mode: in real mode the offset only ever changes around pauses. In
deterministic mode (DeterministicClock) the clocks are frozen all the time except while the
loop waits for real, so the program's own compute time never moves them.
The tracer itself must use the REAL_* functions below (saved before patching).
"""

import datetime as _dt
import sys
import threading
import time as _time

from .instrument import Instrument

REAL_TIME = _time.time
REAL_MONOTONIC = _time.monotonic
REAL_PERF = _time.perf_counter
REAL_TIME_NS = _time.time_ns
REAL_MONOTONIC_NS = _time.monotonic_ns
REAL_PERF_NS = _time.perf_counter_ns
REAL_SLEEP = _time.sleep
_real_localtime = _time.localtime
_real_gmtime = _time.gmtime
_real_ctime = _time.ctime
_real_asctime = _time.asctime
_real_strftime = _time.strftime

# (offset, frozen): seconds added to every clock, and while frozen the real readings
# (monotonic, perf_counter, time) taken when the freeze began (else None): a frozen clock reads
# the same value every time. One tuple, replaced whole: other threads (the watchdog's flushes,
# executor workers reading the clock) must never see one updated without the other.
_state = (0.0, None)
_freeze_lock = threading.Lock()
_freeze_depth = 0


def advance(seconds):
    """Move every clock forward by `seconds` (an idle wait skipped, a deterministic sleep)."""
    global _state
    with _freeze_lock:
        off, frozen = _state
        _state = (off + seconds, frozen)


def freeze():
    """Stop every clock (nested calls allowed): used while paused and while the tracer waits
    on its own output, so neither shows up in the program's time."""
    global _state, _freeze_depth
    with _freeze_lock:
        _freeze_depth += 1
        if _freeze_depth == 1:
            _state = (_state[0], (REAL_MONOTONIC(), REAL_PERF(), REAL_TIME()))


def thaw():
    global _state, _freeze_depth
    with _freeze_lock:
        if _freeze_depth == 0:
            return
        _freeze_depth -= 1
        off, frozen = _state
        if _freeze_depth == 0 and frozen is not None:
            # The time spent frozen does not count.
            _state = (off - (REAL_MONOTONIC() - frozen[0]), None)


def forked():
    """In a child made by fork: its clocks run (a freeze was the parent's: writing events, a
    pause), and a fresh lock (another thread may have held this one)."""
    global _state, _freeze_lock, _freeze_depth
    _freeze_lock = threading.Lock()
    _freeze_depth = 0
    off, frozen = _state
    if frozen is not None:
        _state = (off - (REAL_MONOTONIC() - frozen[0]), None)


def monotonic():
    off, frozen = _state
    return (REAL_MONOTONIC() if frozen is None else frozen[0]) + off


def perf_counter():
    off, frozen = _state
    return (REAL_PERF() if frozen is None else frozen[1]) + off


def time():
    off, frozen = _state
    return (REAL_TIME() if frozen is None else frozen[2]) + off


def monotonic_ns():
    off, frozen = _state
    if frozen is None:
        return REAL_MONOTONIC_NS() + int(off * 1e9)
    return int((frozen[0] + off) * 1e9)


def perf_counter_ns():
    off, frozen = _state
    if frozen is None:
        return REAL_PERF_NS() + int(off * 1e9)
    return int((frozen[1] + off) * 1e9)


def time_ns():
    off, frozen = _state
    if frozen is None:
        return REAL_TIME_NS() + int(off * 1e9)
    return int((frozen[2] + off) * 1e9)


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
_UTCNOW_DEPRECATED = sys.version_info >= (3, 12)
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


class DeterministicClock(Instrument):
    """`--clock deterministic`: the clocks stand still while the program computes and move
    only when the loop waits: by the exact jump over an idle wait (jump.py), by the real time
    of a wait that must be real (a thread, a socket to the outside), and by exactly the time
    asked of a blocking time.sleep() on a loop's thread (or the main thread). So the same
    program gives the same ticks and loop times on every run, whatever the machine's load."""

    def __init__(self):
        self.waiting = threading.local()    # this thread's loop thawed the clocks to wait

    def before_io_wait(self, loop, L, timeout):
        if timeout is None or timeout > 0:
            self.waiting.thawed = True
            thaw()

    def after_io_wait(self, loop, L, waited):
        if getattr(self.waiting, 'thawed', False):
            self.waiting.thawed = False
            freeze()


def _deterministic_sleep(secs):
    REAL_SLEEP(secs)
    # No loop runs before the program imported asyncio (the tracer does not import it first).
    aio_events = sys.modules.get('asyncio.events')
    if threading.current_thread() is threading.main_thread() or \
            (aio_events is not None and aio_events._get_running_loop() is not None):
        advance(secs)


def install(deterministic=False):
    if deterministic:
        freeze()
        _deterministic_sleep.__doc__ = REAL_SLEEP.__doc__
        _deterministic_sleep.__name__ = REAL_SLEEP.__name__
        _time.sleep = _deterministic_sleep
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
