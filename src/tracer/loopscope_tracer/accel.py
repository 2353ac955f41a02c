"""The optional C step path (_accel.c): built from source with the machine's C compiler for the
Python that runs the program, cached, loaded; the pure-Python step path when that cannot be.

LOOPSCOPE_ACCELERATOR: unset (use it when it builds and loads), "off" (pure Python), or
"require" (fail loudly when it cannot: for tests that must know which path ran).
The build goes to $LOOPSCOPE_CACHE, else $XDG_CACHE_HOME/loopscope, else ~/.cache/loopscope,
under a name that changes with the source and the Python build, so a stale one is never loaded.
"""

import os
import sys

from .virtual_clock import REAL_TIME  # the program's time.time() may be the virtual clock's

_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_accel.c')
_NAME = '_loopscope_accel'
_BUILD_SECONDS = 120
_RETRY_AFTER_SECONDS = 24 * 3600
_KEEP_UNUSED_SECONDS = 30 * 24 * 3600


def mode():
    return os.environ.get('LOOPSCOPE_ACCELERATOR', '').strip().lower()


def load():
    """The compiled module, or None (pure Python)."""
    wanted = mode()
    # A free-threaded Python would turn the GIL back on to load a module that does not
    # declare itself safe without it (and say so on stderr): the program would run otherwise.
    if wanted == 'off' or not getattr(sys, '_is_gil_enabled', lambda: True)():
        return None
    try:
        return _load_or_build()
    except Exception:
        if wanted == 'require':
            raise
        return None


def _built_path():
    import zlib
    from importlib.machinery import EXTENSION_SUFFIXES
    with open(_SOURCE, 'rb') as f:
        source = f.read()
    key = zlib.crc32((sys.version + sys.executable).encode('utf-8', 'replace') + source)
    return os.path.join(cache_dir(), '%s-%08x%s' % (_NAME, key, EXTENSION_SUFFIXES[0]))


def cache_dir():
    """Where the tracer keeps what it builds once for many runs."""
    return os.environ.get('LOOPSCOPE_CACHE') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache'),
        'loopscope')


def mark_used(path):
    """Keeps a file of the cache from prune_cache(): its time is moved to now, once a day."""
    try:
        if os.path.getmtime(path) < REAL_TIME() - 24 * 3600:
            os.utime(path)
    except OSError:
        pass


def prune_cache():
    """Removes what the tracer built or cached that no run used for 30 days: each update of the
    tracer or of a Python leaves its builds behind (a loaded .so may go: the process keeps its
    mapping)."""
    folder = cache_dir()
    unused_since = REAL_TIME() - _KEEP_UNUSED_SECONDS
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith((_NAME + '-', 'splice-')):
            path = os.path.join(folder, name)
            try:
                if os.path.getmtime(path) < unused_since:
                    os.unlink(path)
            except OSError:
                pass


def _load_or_build():
    path = _built_path()
    failed = path + '.failed'
    if os.path.exists(failed) and os.path.getmtime(failed) > REAL_TIME() - _RETRY_AFTER_SECONDS:
        # It did not build for this source and Python: not tried at every start, only again
        # a day later (the compiler or the headers may have been installed since).
        with open(failed, encoding='utf-8', errors='replace') as f:
            raise RuntimeError(f.read())
    if os.path.exists(path):
        mark_used(path)
    else:
        try:
            build(path)
        except Exception as e:
            with open(failed, 'w', encoding='utf-8') as f:
                f.write('%s: %s' % (type(e).__name__, e))
            raise
        prune_cache()
    from importlib.machinery import ExtensionFileLoader
    from importlib.util import spec_from_file_location, module_from_spec
    loader = ExtensionFileLoader(_NAME, path)
    spec = spec_from_file_location(_NAME, path, loader=loader)
    module = module_from_spec(spec)
    loader.exec_module(module)
    return module


def build(path):
    """Compile _accel.c into `path` (written whole, then renamed: runs building at the same
    time do not see half a file)."""
    import subprocess
    import sysconfig
    include = sysconfig.get_paths()['include']
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = '%s.%d.tmp' % (path, os.getpid())
    # Debian's pyconfig.h includes <x86_64-linux-gnu/python3.X/pyconfig.h>: the folder above.
    cmd = [os.environ.get('CC') or 'cc', '-O2', '-shared', '-fPIC', '-I', include,
           '-I', os.path.dirname(include), _SOURCE, '-o', tmp]
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=_BUILD_SECONDS)
        if done.returncode != 0:
            raise RuntimeError('building the C step path failed:\n%s'
                               % done.stdout.decode('utf-8', 'replace'))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def step_path(hooks, registry, report, before, after, scheduled, starting, created):
    """A StepPath standing in for patches.py's Python hooks (before, after: Handle._run's;
    scheduled: call_soon's; starting, created: create_task's) and for the Recorder's
    tick_ready (at a tick's first handle), ready_entries and ready_json, or None: no compiled
    module, or listeners on the step hooks other than the ones it was written for (the
    Recorder and Blocking, as cli.py sets them up: it does their step work itself)."""
    if scheduled is None:
        return None
    from . import events
    from .blocking import Blocking
    from .events import Recorder
    recorders = [l for l in hooks.listeners if type(l) is Recorder]
    blockings = [l for l in hooks.listeners if type(l) is Blocking]
    if len(recorders) != 1 or len(blockings) != 1:
        return None
    recorder, blocking = recorders[0], blockings[0]
    if (hooks.bound['before_step'] != (blocking.before_step,)
            or hooks.bound['after_step'] != (recorder.after_step, blocking.after_step)
            or hooks.bound['task_scheduled'] != (recorder.task_scheduled,)
            or hooks.bound['task_started'] != (recorder.task_started,)):
        return None
    # Plain callbacks too, when only these listen to them.
    callbacks = (hooks.bound['before_callback'] == (blocking.before_callback,)
                 and hooks.bound['after_callback'] == (recorder.after_callback,
                                                       blocking.after_callback))
    spawns = (hooks.bound['task_spawned'] == (recorder.task_spawned,)
              and events._current_task is not None)
    ticks = hooks.bound['tick_ready'] == (recorder.tick_ready,)
    module = load()
    if module is None:
        return None
    from asyncio import base_events, events as asyncio_events
    from . import emitter, frames, registry as registry_module, wait_reasons
    from . import virtual_clock as vc
    from .patches import _NAMED_CREATORS as named_creators
    events_buffer = recorder.emitter.use_buffer(module.EventBuffer)
    path = module.StepPath(
        loops=registry.loops, recs=registry.tasks, task_types=frames.TASK_TYPES, hooks=hooks,
        report=report, py_before=before, py_after=after, py_scheduled=scheduled,
        py_after_step=recorder.after_step, py_blocking_after_step=blocking.after_step,
        recorder=recorder, emit_raw=recorder.emitter.emit_raw, code_info=frames._user_code_info,
        sleep_code=wait_reasons.SLEEP_CODE, yield_reason=wait_reasons.YIELD,
        yield_json=events._YIELD_JSON, yield_by=events.YIELD_BY,
        compute=recorder.reasons.compute, with_via=recorder.reasons.with_via,
        quote=emitter.quote, encode=emitter.encode, perf=vc.REAL_PERF,
        float_time=registry_module.float_time, threshold=float(blocking.threshold),
        task_started=recorder.task_started, task_coro=frames.task_coro,
        emitter=recorder.emitter, events=events_buffer,
        loop_time=base_events.BaseEventLoop.time, clock_globals=vars(vc),
        clock_monotonic=vc.monotonic, real_monotonic=vc.REAL_MONOTONIC, callbacks=callbacks,
        handle_type=asyncio_events.Handle, threadsafe=registry.threadsafe,
        py_after_callback=recorder.after_callback, py_blocking_after_callback=blocking.after_callback,
        callable_position=frames.callable_position, py_done=recorder.done,
        waiters_of=recorder.reasons.waiters_of, stale=recorder.stale, spawns=spawns,
        registry=registry, ref_type=registry_module._Ref, task_gone=registry._task_gone,
        taskrec_type=registry_module.TaskRec, coro_fields=events.coro_fields,
        coro_label=frames.coro_label, py_task_scheduled=recorder.task_scheduled,
        current_task=events._current_task, start_of=events.start_of, py_starting=starting,
        py_created=created, named_creators=named_creators, boundary_codes=frames.boundary_codes,
        library_cache=frames._library_cache, file_field=frames.file_field,
        ready_other=recorder.ready_other, ticks=ticks)
    recorder.ready_entries = path.ready
    recorder.ready_json = path.ready_json
    return path
