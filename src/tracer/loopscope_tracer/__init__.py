"""Loopscope tracer: runs a Python file like `python file.py` would and reports what its
asyncio event loops do, as JSON lines (see docs/protocol.md).

Start it as `python -m loopscope_tracer [options] scenario.py [args...]`.
Module map: cli (options), runner (runs the file), state (shared tracer state, ids, stop),
emitter (event writer), loop_hooks (asyncio patches), frames (user frames, await chains,
labels), wait_reasons, virtual_clock, blocking (watchdog), output (stdout/stderr tee), control.
"""

PROTOCOL = 1
MINOR = 0
