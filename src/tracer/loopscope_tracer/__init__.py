"""Loopscope tracer: runs a Python file like `python file.py` would and reports what its
asyncio event loops do, as JSON lines (see docs/protocol.md).

Start it as `python -m loopscope_tracer [options] scenario.py [args...]`.
Module map: cli (options), runner (runs the file), state (shared tracer state, ids, stop),
emitter (event writer), loop_hooks (asyncio patches), frames (user frames, await chains,
labels), wait_reasons, virtual_clock, blocking (watchdog), output (stdout/stderr tee), control.
"""

import sys

PROTOCOL = 2
MINOR = 0

# Compile the tracer's own modules once and keep them in __pycache__ beside them even when the
# environment says PYTHONDONTWRITEBYTECODE: compiling them on every run costs more than a
# small program's whole run. cli.start() restores the setting before the user's code runs.
USER_DONT_WRITE_BYTECODE = sys.dont_write_bytecode
sys.dont_write_bytecode = False
