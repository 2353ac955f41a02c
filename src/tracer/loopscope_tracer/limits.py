"""Limits: stop the program cleanly when it passes one (the `end` event says which).

Ticks, virtual seconds (the program's monotonic clock since the start: loop time under the
virtual clock) and wall seconds (real time, paused time not counted) are checked by
check_limits(): at the start of every tick, and by the watchdog (a program stuck in one step).
The events limit is counted where events are written (emitter.Emitter), which stops the
program the same way.
"""

from . import virtual_clock as vc
from .instrument import Instrument


class Limits(Instrument):
    def __init__(self, max_ticks, max_virtual_seconds, max_wall_seconds, started,
                 paused_seconds, stop):
        """None means no limit. started: vc.REAL_PERF() when the tracer started;
        paused_seconds(): real seconds spent paused so far; stop(outcome, limit): ends the
        program (ending.Ending.stop)."""
        self.max_ticks = max_ticks
        self.max_virtual = max_virtual_seconds
        self.max_wall = max_wall_seconds
        self.started = started
        self.paused_seconds = paused_seconds
        self.stop = stop
        self.virtual_start = vc.REAL_MONOTONIC()
        self.ticks = 0          # ticks of every loop so far

    def forked(self):
        """In a child made by fork: the limits are the traced program's, not its children's."""
        self.max_ticks = self.max_virtual = self.max_wall = None

    def tick_started(self, loop, L):
        self.ticks += 1
        self.check_limits()

    def check_limits(self):
        if self.max_ticks is not None and self.ticks > self.max_ticks:
            self.stop('limit', 'ticks')
        if self.max_virtual is not None and vc.monotonic() - self.virtual_start > self.max_virtual:
            self.stop('limit', 'virtual-seconds')
        if (self.max_wall is not None
                and vc.REAL_PERF() - self.started - self.paused_seconds() > self.max_wall):
            self.stop('limit', 'wall-seconds')
