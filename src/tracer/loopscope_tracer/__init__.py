"""Loopscope tracer: runs a Python file like `python file.py` would and reports what its
asyncio event loops do, as JSON lines (see docs/protocol.md).

Start it as `python -m loopscope_tracer [options] scenario.py [args...]`.

Module map:
  cli           options; wires the components together and runs the file
  runner        runs the file like `python file.py` (the real __main__, its exit code)
  lazy          asyncio is imported and patched only when the program imports it
  patches       class-level patches on asyncio: find facts, call the hooks; nothing else
  output        sys.stdout/sys.stderr tee and sys.stdin: the output_line hook per line (and
                per prompt the program waits after)
  instrument    the hook interface (Instrument) and its dispatcher (Hooks)
  registry      ids and records of loops, tasks, timers, executor jobs
listeners of the hooks:
  events        the Recorder: the one place that writes events, one function per kind
  wait_reasons  why a suspended task waits (the `reason` object), whose reason changes while
                it stays suspended; asyncio.timeout deadlines
  blocking      handles and ticks over the blocking threshold; the watchdog thread
  limits        ticks, virtual and wall seconds: check_limits()
  jobs          the executor's books (jobs pending, workers busy)
  control       the control channel: pause, step, continue, stop
  virtual_clock the program's clocks: real time + offset, frozen while paused; its
                DeterministicClock listener freezes them except while the loop waits
helpers:
  jump          when the virtual clock may skip a wait (the jump decision)
  frames        user code, await chains and stacks, labels, tracebacks
  emitter       buffered JSON-lines writer to the events descriptor
  ending        the outcome and the `end` event (atexit, or a stop)
"""

import sys

PROTOCOL = 2
MINOR = 1

# Compile the tracer's own modules once and keep them in __pycache__ beside them even when the
# environment says PYTHONDONTWRITEBYTECODE: compiling them on every run costs more than a
# small program's whole run. cli.start() restores the setting before the user's code runs.
USER_DONT_WRITE_BYTECODE = sys.dont_write_bytecode
sys.dont_write_bytecode = False
