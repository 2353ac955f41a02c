"""How the run ends: the outcome the runner found, and the `end` event written once.

finish() runs from atexit (after non-daemon threads are joined, so their output is in);
stop() ends the program at once (a limit, control `stop`), from any thread.
"""

import os
import sys
import threading

REAL_OS_EXIT = os._exit  # saved before the runner's install() wraps os._exit


class Ending:
    def __init__(self, recorder, output, blocking, watchdog, counts):
        """counts(): the `end` event's counts (loops, ticks, tasks, steps)."""
        self.recorder = recorder
        self.output = output
        self.blocking = blocking
        self.watchdog = watchdog
        self.counts = counts
        # Set by the runner (and by stop()): the `end` event's fields.
        self.outcome = None
        self.limit = None
        self.exit_code = None
        self.error = None
        self.kill_with_sigint = False   # uncaught KeyboardInterrupt: die by SIGINT like Python
        self.finished = False
        self.lock = threading.RLock()

    def forked(self):
        """In a child made by fork: it ends as it would untraced, with no `end` of its own."""
        self.lock = threading.RLock()
        self.finished = True

    def _end_event(self):
        self.recorder.end(self.outcome, self.limit, self.exit_code, self.error, self.counts())

    def finish(self):
        """atexit: emits `end`."""
        with self.lock:
            if self.finished:
                return
            self.finished = True
        self.watchdog.stop()
        try:
            self.output.flush_partial()
            self.output.uninstall()
        except Exception as e:
            self.recorder.internal_error('finish', e)
        if self.outcome is None:
            self.outcome, self.exit_code = 'completed', 0
        self._end_event()
        self.recorder.emitter.close()
        if self.kill_with_sigint:
            _flush_std_streams()
            import signal    # not at start: it costs start-up time
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)

    def stop(self, outcome, limit=None, exit_code=3):
        """Stop the program now: flush everything, emit `end`, exit. Callable from any
        thread."""
        with self.lock:
            if self.finished:
                return
            self.finished = True
            self.outcome, self.limit, self.exit_code = outcome, limit, exit_code
            try:
                self.output.flush_partial()
            except Exception:
                pass
            try:
                self.blocking.in_progress()
            except Exception:
                pass
            _flush_std_streams()
            try:
                self._end_event()
            except Exception:
                pass
            REAL_OS_EXIT(exit_code)


def _flush_std_streams():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass
