"""The control channel (`--control-fd`): pause, step N, continue, stop.

A reader thread (started with _thread, invisible to the program) parses lines; the loop
thread consults `mode` at the start of every tick (the tick_started hook) and blocks here
while paused. While paused the program's clocks are frozen (virtual_clock.freeze), so a
pause never changes ordering or timestamps. End of file means `continue` for good.
"""

import _thread
import os
import threading

from . import frames
from . import virtual_clock as vc
from .instrument import Instrument


class Control(Instrument):
    def __init__(self, fd, pause_at_start, registry, reasons, recorder, stop):
        """stop(outcome): ends the program (ending.Ending.stop)."""
        self.registry = registry
        self.reasons = reasons
        self.recorder = recorder
        self.stop = stop
        self.fd = fd
        self.cond = threading.Condition(threading.Lock())
        # None = run freely (the fast path), 'pause', or 'step' with self.steps ticks left.
        self.mode = 'pause' if pause_at_start else None
        self.steps = 0
        self.eof = fd is None
        self.paused_since = None
        self.paused_total = 0.0   # real seconds spent paused (not counted by the wall limit)

    def forked(self):
        """In a child made by fork: no command reaches it (the reader thread is the parent's)."""
        self.cond = threading.Condition(threading.Lock())
        self.mode = None
        self.eof = True

    def start(self):
        if self.fd is not None:
            _thread.start_new_thread(self._read, ())

    def paused_seconds(self):
        """Real seconds spent paused so far, the current pause included."""
        since = self.paused_since
        return self.paused_total + (vc.REAL_PERF() - since if since is not None else 0.0)

    # -- reader thread ---------------------------------------------------------------------
    def _read(self):
        buf = b''
        while True:
            try:
                data = os.read(self.fd, 4096)
            except OSError:
                data = b''
            if not data:
                with self.cond:
                    self.eof = True
                    self.mode = None
                    self.cond.notify_all()
                return
            buf += data
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                try:
                    self.command(line.decode('utf-8', 'replace').strip())
                except Exception as e:
                    self.recorder.internal_error('control', e)

    def command(self, line):
        parts = line.split()
        if not parts:
            return
        cmd = parts[0].lower()
        if cmd == 'stop':
            self.stop('stopped')
            return
        with self.cond:
            if cmd == 'pause':
                if self.mode is None or self.mode == 'step':
                    self.mode = 'pause'
            elif cmd == 'step':
                n = 1
                if len(parts) > 1:
                    try:
                        n = max(1, int(parts[1]))
                    except ValueError:
                        n = 1
                self.mode = 'step'
                self.steps = n
            elif cmd in ('continue', 'resume', 'run'):
                self.mode = None
            self.cond.notify_all()

    # -- loop thread -----------------------------------------------------------------------
    def tick_started(self, loop, L):
        if self.mode is not None:
            self._gate(loop, L)

    def _gate(self, loop, L):
        with self.cond:
            announced = False
            while True:
                if self.mode == 'step':
                    if self.steps > 0:
                        self.steps -= 1
                        break
                    self.mode = 'pause'
                if self.mode is None:
                    break
                # paused
                if not announced:
                    announced = True
                    vc.freeze()
                    self.paused_since = vc.REAL_PERF()
                    self.cond.release()
                    try:
                        self._announce(loop, L)
                    finally:
                        self.cond.acquire()
                    continue
                self.cond.wait()
            if announced:
                self.paused_total += vc.REAL_PERF() - self.paused_since
                self.paused_since = None
                vc.thaw()

    def _announce(self, loop, L):
        """The `pause` event: every unfinished task of the loop, where and why it waits."""
        from asyncio import tasks as _tasks
        items = []
        try:
            for task in _tasks.all_tasks(loop):
                rec = self.registry.task(task)
                stack, reason = self.reasons.suspension(task, rec)
                if not rec.started:
                    coro = frames.task_coro(task)
                    f = getattr(coro, 'cr_frame', None)
                    line = f.f_lineno if f is not None else None
                    f = None
                else:
                    line = stack[-1][0] if stack else None
                items.append({'task': rec.id, 'line': line, 'stack': stack, 'reason': reason})
            task = None
        except Exception as e:
            self.recorder.internal_error('pause', e)
        items.sort(key=lambda d: d['task'])
        self.recorder.pause(loop, L, items)
