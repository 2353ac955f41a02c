"""Command line: `python -m loopscope_tracer [options] scenario.py [args...]`.

Options come before the scenario; everything after it is the program's own sys.argv.
Errors in the options are reported on stderr with exit code 2, before anything runs.
"""

import os
import sys

USAGE = """usage: python -m loopscope_tracer (--events-fd N | --events-file PATH) [options] scenario.py [args...]

Runs scenario.py exactly like `python scenario.py [args...]` and writes Loopscope trace
events (JSON lines, docs/protocol.md) to the given descriptor or file.

options:
  --events-fd N             write events to inherited file descriptor N
  --events-file PATH        write events to PATH (created or truncated)
  --control-fd N            read control commands (pause, step N, continue, stop) from fd N
  --pause-at-start          pause before the first tick (needs --control-fd)
  --clock virtual|real|deterministic
                            virtual (default): idle waits take no real time;
                            deterministic: also the program's compute time does not move
                            its clocks (the same times on every run)
  --max-ticks N             stop after N ticks (default 1000000; 0 = no limit)
  --max-virtual-seconds S   stop after S seconds of loop time (default 3600; 0 = no limit)
  --max-wall-seconds S      stop after S real seconds (default 60; 0 = no limit)
  --max-events N            stop after N events (default 5000000; 0 = no limit)
  --blocking-ms MS          report handles that hold the loop longer (default 100)
"""


class UsageError(Exception):
    pass


class Options:
    """The parsed options (limits: None means no limit)."""
    events_fd = None
    events_file = None
    control_fd = None
    pause_at_start = False
    clock = 'virtual'
    max_ticks = 1000000
    max_virtual_seconds = 3600.0
    max_wall_seconds = 60.0
    max_events = 5000000
    blocking_ms = 100.0


def parse(argv):
    """(Options, scenario, the program's arguments)."""
    opts = Options()
    i = 0

    def value():
        nonlocal i
        if '=' in argv[i]:
            return argv[i].split('=', 1)[1]
        i += 1
        if i >= len(argv):
            raise UsageError('%s needs a value' % argv[i - 1])
        return argv[i]

    def number(text, kind, name):
        try:
            v = kind(text)
        except ValueError:
            raise UsageError('%s: not a number: %r' % (name, text))
        if v < 0:
            raise UsageError('%s: must not be negative' % name)
        return v

    while i < len(argv):
        a = argv[i]
        name = a.split('=', 1)[0]
        if a == '--':
            i += 1
            break
        if not a.startswith('--') or a == '-':
            break
        if name in ('-h', '--help'):
            sys.stdout.write(USAGE)
            raise SystemExit(0)
        elif name == '--events-fd':
            opts.events_fd = number(value(), int, name)
        elif name == '--events-file':
            opts.events_file = value()
        elif name == '--control-fd':
            opts.control_fd = number(value(), int, name)
        elif name == '--pause-at-start':
            opts.pause_at_start = True
        elif name == '--clock':
            v = value()
            if v not in ('virtual', 'real', 'deterministic'):
                raise UsageError('--clock must be virtual, real or deterministic')
            opts.clock = v
        elif name == '--max-ticks':
            opts.max_ticks = number(value(), int, name) or None
        elif name == '--max-virtual-seconds':
            opts.max_virtual_seconds = number(value(), float, name) or None
        elif name == '--max-wall-seconds':
            opts.max_wall_seconds = number(value(), float, name) or None
        elif name == '--max-events':
            opts.max_events = number(value(), int, name) or None
        elif name == '--blocking-ms':
            opts.blocking_ms = number(value(), float, name)
        else:
            raise UsageError('unknown option %s' % a)
        i += 1
    if i >= len(argv):
        raise UsageError('no scenario file given')
    if opts.events_fd is None and opts.events_file is None:
        raise UsageError('no events destination: pass --events-fd N or --events-file PATH '
                         '(events are never written to stdout)')
    if opts.events_fd is not None and opts.events_file is not None:
        raise UsageError('--events-fd and --events-file are exclusive')
    if opts.pause_at_start and opts.control_fd is None:
        raise UsageError('--pause-at-start needs --control-fd (nothing could resume it)')
    return opts, argv[i], argv[i + 1:]


def _move_high(fd, name):
    """Move an inherited descriptor out of the program's way: dup it to >= 200, close-on-exec,
    and close the original, so the program sees the same free descriptors as when run
    untraced (its first open() gets fd 3 again, os.close(3) fails as it would)."""
    import fcntl
    try:
        os.fstat(fd)
    except OSError:
        raise UsageError('%s %d is not an open descriptor' % (name, fd))
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 200)
    if new != fd:
        os.close(fd)
    return new


def _unhook_pythonpath():
    """Remove the tracer's own directory from sys.path and PYTHONPATH: the program (and any
    Python it starts) should see the environment of an untraced run."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != here or p == '']
    pp = os.environ.get('PYTHONPATH')
    if pp is not None:
        rest = [p for p in pp.split(os.pathsep) if p and os.path.abspath(p) != here]
        if rest:
            os.environ['PYTHONPATH'] = os.pathsep.join(rest)
        else:
            del os.environ['PYTHONPATH']


def main():
    try:
        opts, script, args = parse(sys.argv[1:])
        if opts.events_fd is not None:
            events_fd = _move_high(opts.events_fd, '--events-fd')
        else:
            try:
                fd = os.open(opts.events_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            except OSError as e:
                raise UsageError('cannot open --events-file %s: %s' % (opts.events_file,
                                                                        e.strerror))
            events_fd = _move_high(fd, '--events-file')
        control_fd = None
        if opts.control_fd is not None:
            control_fd = _move_high(opts.control_fd, '--control-fd')
    except UsageError as e:
        sys.stderr.write('loopscope_tracer: %s\n\n%s' % (e, USAGE))
        raise SystemExit(2)


    code = start(opts, script, args, events_fd, control_fd)
    raise SystemExit(code)


def start(opts, script, args, events_fd, control_fd):
    """Wire the tracer together, emit `start`, run the file. Returns the exit code."""
    from . import MINOR, PROTOCOL
    from . import blocking, control, events, ending, frames, jobs, lazy, limits, output, \
        registry, runner, virtual_clock, wait_reasons
    from .emitter import Emitter
    from .instrument import Hooks
    from .wait_reasons import Reasons

    started = virtual_clock.REAL_PERF()
    # Components that call each other late (a limit stops the program, anyone reports an
    # internal error) do it through these names, bound below.
    the_end = the_recorder = None

    def stop(outcome, limit=None):
        the_end.stop(outcome, limit)

    def report(where, exc):
        the_recorder.internal_error(where, exc)

    emitter = Emitter(events_fd, opts.max_events, on_limit=lambda: stop('limit', 'events'),
                      freeze=virtual_clock.freeze, thaw=virtual_clock.thaw)
    ids = registry.Registry()
    reasons = Reasons(ids, report)
    the_recorder = recorder = events.Recorder(emitter, ids, reasons, started)
    ctl = control.Control(control_fd, opts.pause_at_start, ids, reasons, recorder, stop)
    lim = limits.Limits(opts.max_ticks, opts.max_virtual_seconds, opts.max_wall_seconds,
                        started, ctl.paused_seconds, stop)
    block = blocking.Blocking(opts.blocking_ms / 1000.0, recorder, ids)
    executor = jobs.Jobs()
    deterministic = opts.clock == 'deterministic'
    # The order is the order each hook calls its listeners: the gate and the limits before
    # a tick; a step's own events before the blocking event about it.
    listeners = [ctl, lim, recorder, reasons, block, executor]
    if deterministic:
        listeners.append(virtual_clock.DeterministicClock())
    hooks = Hooks(listeners)
    ids.hooks = hooks
    out = output.Output(hooks, report)
    dog = blocking.Watchdog(block.threshold, ids, emitter, lim.check_limits, report)
    the_end = ending.Ending(recorder, out, block, dog, lambda: {
        'loops': ids.n_loops, 'ticks': lim.ticks, 'tasks': ids.n_tasks,
        'steps': recorder.steps})

    _unhook_pythonpath()
    # python: what platform.python_version() says, without importing platform (start-up time).
    recorder.start({'ev': 'start', 'protocol': PROTOCOL, 'minor': MINOR,
                    'python': sys.version.split()[0], 'executable': sys.executable,
                    'scenario': os.path.abspath(script), 'argv': [script] + list(args),
                    'cwd': os.getcwd(), 'clock': opts.clock, 'pid': os.getpid(),
                    'limits': {'ticks': opts.max_ticks,
                               'virtualSeconds': opts.max_virtual_seconds,
                               'wallSeconds': opts.max_wall_seconds,
                               'events': opts.max_events},
                    'blockingMs': opts.blocking_ms})

    def instrument_asyncio():
        # Called when the program imports asyncio (inside that import): never raise into it.
        try:
            for module in (frames, events, wait_reasons, reasons):
                module.asyncio_loaded()
            from . import jump, patches
            decision = jump.JumpDecision(executor, deterministic) if opts.clock != 'real' \
                else None
            patches.install(hooks, ids, report, decision.may_skip if decision else None)
        except Exception as e:
            report('asyncio', e)

    def forked():
        # A process forked from the program (os.fork, multiprocessing's fork workers) goes on
        # untraced: it writes no events, and no limit or control command applies to it.
        for part in (emitter, out, ctl, lim, the_end, virtual_clock):
            part.forked()

    def install():
        virtual_clock.install(deterministic)
        lazy.when_imported(instrument_asyncio)
        out.install()
        real_exit = os._exit

        def _exit(status):
            # os._exit skips atexit: keep what was recorded (no `end`: the viewer reports
            # the stream as crashed, like a kill).
            try:
                emitter.flush()
            except BaseException:
                pass
            real_exit(status)
        _exit.__doc__ = real_exit.__doc__
        os._exit = _exit
        if hasattr(os, 'register_at_fork'):
            os.register_at_fork(after_in_child=forked)
        dog.start()
        ctl.start()

    from . import USER_DONT_WRITE_BYTECODE
    sys.dont_write_bytecode = USER_DONT_WRITE_BYTECODE
    return runner.run(the_end, script, args, install)
