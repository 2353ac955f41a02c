"""Frames: which code is the user's, where a suspended task stands, labels, tracebacks.

Rule: never keep a frame (or a traceback) beyond the call that looked at it. A retained frame
keeps a coroutine's locals alive, which moves "coroutine was never awaited" warnings and
"Task exception was never retrieved" logs to another place and time.
"""

import builtins
import gc
import os
import reprlib
import sys
import types

PKG_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# The standard library's folder, os.py's: asyncio's and nearly every library file a program
# runs are under it, found without sysconfig (_stdlib_dirs).
OS_DIR = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
# Found without importing asyncio: the tracer imports it only when the program does (lazy.py).
ASYNCIO_DIR = os.path.join(OS_DIR, 'asyncio') + os.sep


def _dirs(*paths):
    out = set()
    for p in paths:
        if p:
            out.add(os.path.abspath(p) + os.sep)
    return tuple(sorted(out, key=len, reverse=True))   # the most specific first


def _stdlib_dirs():
    """Where the standard library lives; found at the first look at a file outside OS_DIR,
    not at start: sysconfig costs a small program's start-up time."""
    global _STDLIB_DIRS
    if _STDLIB_DIRS is None:
        import sysconfig
        try:
            paths = sysconfig.get_paths()
        except Exception:
            paths = {}
        _STDLIB_DIRS = _dirs(paths.get('stdlib'), paths.get('platstdlib'),
                             os.path.dirname(os.path.abspath(os.__file__)))
    return _STDLIB_DIRS


# Where libraries live: the standard library, and any folder named site-packages or
# dist-packages (this interpreter's, Debian's, another venv's).
_STDLIB_DIRS = None
_SITE_NAMES = ('site-packages', 'dist-packages')

# The scenario's code filename, as compiled (set_scenario).
scenario_filename = None

# filename -> None for the user's code, '' for code that is nobody's library (the tracer,
# <frozen ...>, <string>), else the library's name (code_library).
_library_cache = {}


def set_scenario(filename):
    """The runner compiled the scenario as `filename`: code from it is the user's."""
    global scenario_filename
    scenario_filename = filename
    _library_cache.clear()
    _user_code_info.clear()


def code_library(filename):
    """Who the code in `filename` belongs to: None for the user's (the scenario and
    everything else in the workspace), else the name of its library: the top-level package
    or module under the standard library or a site-packages/dist-packages folder (any
    interpreter's or venv's), e.g. "asyncio", "aiohttp"; '' for the tracer's own code and
    code without a file (<frozen ...>, <string>)."""
    try:
        return _library_cache[filename]
    except KeyError:
        pass
    if filename == scenario_filename:
        lib = None
    elif not filename or filename.startswith('<'):
        lib = ''
    else:
        lib = _library_of_path(os.path.abspath(filename))
    _library_cache[filename] = lib
    return lib


def _library_of_path(path):
    if path.startswith(PKG_DIR):
        return ''
    installed = _installed_part(path)
    if installed is not None:
        return _top_name(installed)
    if path.startswith(OS_DIR):
        return _top_name(path[len(OS_DIR):].split(os.sep, 1)[0])
    for d in _stdlib_dirs():
        if path.startswith(d):
            return _top_name(path[len(d):].split(os.sep, 1)[0])
    return None


def _installed_part(path):
    """The path component just below its last site-packages/dist-packages folder, or None."""
    parts = path.split(os.sep)
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] in _SITE_NAMES:
            return parts[i + 1]
    return None


def is_installed_library(filename):
    """True for code installed in a site-packages/dist-packages folder (not the standard
    library)."""
    return bool(filename) and _installed_part(os.path.abspath(filename)) is not None


def _top_name(part):
    return part[:-3] if part.endswith('.py') else part.split('.', 1)[0]


def is_user_file(filename):
    """True for code the user wrote (see code_library)."""
    lib = _library_cache.get(filename, _UNKNOWN)
    if lib is _UNKNOWN:
        lib = code_library(filename)
    return lib is None


_UNKNOWN = object()


def is_asyncio_file(filename):
    return filename.startswith(ASYNCIO_DIR)


def file_field(filename):
    """None for the scenario file, else the absolute path (the protocol's optional `file`)."""
    if filename == scenario_filename:
        return None
    return os.path.abspath(filename)


# Code objects where the event loop calls into a handle (set by patches). A search for
# "the user line that did this" stops there: above it is only the code that started the loop
# (e.g. the `asyncio.run(main())` line), which did not do it.
# Kept as ids (hashing a code object is slow); the codes are pinned so no id is reused.
boundary_codes = set()
_pinned_codes = []


def add_boundary(co):
    _pinned_codes.append(co)
    boundary_codes.add(id(co))


def user_frame_in_handle(f):
    """The innermost user frame at or above f, not looking past the running handle."""
    bc = boundary_codes
    lc = _library_cache
    while f is not None:
        co = f.f_code
        if id(co) in bc:
            return None
        lib = lc.get(co.co_filename, _UNKNOWN)
        if lib is None or (lib is _UNKNOWN and code_library(co.co_filename) is None):
            return f
        f = f.f_back
    return None


def caller_position(depth=2):
    """(line, file-or-None) of the innermost user frame calling us within the current
    handle, or (None, None)."""
    try:
        f = sys._getframe(depth)
    except ValueError:
        return None, None
    bc = boundary_codes
    lc = _library_cache
    while f is not None:
        co = f.f_code
        if id(co) in bc:
            return None, None
        lib = lc.get(co.co_filename, _UNKNOWN)
        if lib is None or (lib is _UNKNOWN and code_library(co.co_filename) is None):
            return f.f_lineno, file_field(co.co_filename)
        f = f.f_back
    return None, None


TASK_TYPES = ()    # asyncio's Task types, once the program imported asyncio (asyncio_loaded)


def asyncio_loaded():
    global TASK_TYPES
    import asyncio
    # asyncio.Task (the C Task where there is one) first, always: isinstance() tries the
    # types in order, and a miss on the first costs a __class__ lookup (a set's order
    # changed from run to run with the types' addresses).
    py_task = getattr(asyncio.tasks, '_PyTask', asyncio.Task)
    TASK_TYPES = (asyncio.Task,) if py_task is asyncio.Task else (asyncio.Task, py_task)


_CoroutineType = types.CoroutineType
_GeneratorType = types.GeneratorType
_AsyncGenType = types.AsyncGeneratorType


def task_coro(task):
    """The task's coroutine. Not task.get_coro(): on 3.12.0-3.12.1 it crashes the interpreter
    for an eager task that finished inside create_task (its coroutine was cleared); the
    `_coro` attribute returns None then. Can be None."""
    try:
        return task._coro
    except AttributeError:
        return task.get_coro()


def coro_started(coro):
    """True once a coroutine's first step has begun (it runs, is suspended or is over)."""
    return bool(getattr(coro, 'cr_frame', 0) is None or getattr(coro, 'cr_running', False)
                or getattr(coro, 'cr_suspended', False))


def await_chain(coro):
    """Frames of a suspended task, outermost first, and the object at the bottom of the chain
    (a FutureIter, a custom awaitable's iterator, or None for a bare yield)."""
    frames = []
    obj = coro
    for _ in range(256):
        if obj is None:
            break
        t = type(obj)
        if t is _CoroutineType:
            f = obj.cr_frame
            nxt = obj.cr_await
        elif t is _GeneratorType:
            f = obj.gi_frame
            nxt = obj.gi_yieldfrom
        elif t is _AsyncGenType:
            f = obj.ag_frame
            nxt = obj.ag_await
        elif t.__name__ in ('async_generator_asend', 'async_generator_athrow'):
            # `async for` over an async generator: the asend object has no frame and no
            # cr_await; the generator is among its referents.
            nxt = None
            for r in gc.get_referents(obj):
                if type(r) is _AsyncGenType:
                    nxt = r
                    break
            obj = nxt
            continue
        else:
            f = getattr(obj, 'cr_frame', None)
            if f is not None:
                nxt = getattr(obj, 'cr_await', None)
            else:
                break
        if f is None:
            break
        frames.append(f)
        obj = nxt
    return frames, obj


# id(code) -> (code, name, file field) for user code, (code, library) for code of an
# installed library, (code,) otherwise. Keyed by id: hashing a code object hashes its
# bytecode and constants every time (slow, and slower on 3.13); the entry holds the code, so
# its id cannot be reused.
_user_code_info = {}


def _code_info(co):
    fn = co.co_filename
    if is_user_file(fn):
        info = (co, co.co_name, file_field(fn))
    elif is_installed_library(fn):
        info = (co, code_library(fn))
    else:
        info = (co,)
    _user_code_info[id(co)] = info
    return info


def user_stack(chain):
    """The await stack of a chain (await_chain's frames): its user frames, outermost first,
    as [line, function] or [line, function, file] tuples; the index just below its deepest
    user frame in the chain (0 when there is no user frame); and the index just below the
    deepest frame of an installed library (0 when none)."""
    stack = []
    first = lib_at = i = 0
    code_info = _user_code_info
    for f in chain:
        i += 1
        co = f.f_code
        info = code_info.get(id(co))
        if info is None:
            info = _code_info(co)
        n = len(info)
        if n == 3:
            first = i
            if info[2] is None:
                stack.append((f.f_lineno, info[1]))
            else:
                stack.append((f.f_lineno, info[1], info[2]))
        elif n == 2:
            lib_at = i
    return stack, first, lib_at


def library_frame(f):
    """{lib, fn, line, file} of a frame of an installed library (a reason's `via`)."""
    co = f.f_code
    return {'lib': code_library(co.co_filename), 'fn': co.co_name, 'line': f.f_lineno,
            'file': os.path.abspath(co.co_filename)}


# Values whose repr and str run no code but CPython's own; containers of them (exactly these
# types: a subclass may override anything).
_SCALARS = frozenset((int, float, complex, bool, type(None), str, bytes))
_CONTAINERS = frozenset((list, tuple, dict, set, frozenset))


class _Repr(reprlib.Repr):
    """reprlib, but never calling a repr of the program's (or a library's): the tracer must
    not run code the program would not run (a slow or side-effecting __repr__). Other
    values show as <TypeName>, an Enum member by its name."""

    def repr1(self, x, level):
        t = type(x)
        if t in _SCALARS or t in _CONTAINERS:
            return reprlib.Repr.repr1(self, x, level)
        import enum    # not at start: it costs start-up time
        if isinstance(x, enum.Enum):
            name = x.__dict__.get('_name_')
            if type(name) is str:
                return '%s.%s' % (t.__name__, name)
        return '<%s>' % t.__name__


_repr = _Repr()
_repr.maxstring = 24
_repr.maxother = 24
_repr.maxlist = 4
_repr.maxtuple = 4
_repr.maxdict = 3
_repr.maxset = 4
_repr.maxlevel = 2


def short_repr(value):
    if value is None:   # the most frequent (most tasks' result): no need for reprlib
        return 'None'
    try:
        return _repr.repr(value)
    except Exception:
        return '<%s>' % type(value).__name__


def _plain(value, depth=0):
    t = type(value)
    if t in _SCALARS:
        return True
    if t in _CONTAINERS and depth < 2 and len(value) <= 20:
        items = value.items() if t is dict else ((v,) for v in value)
        return all(_plain(v, depth + 1) for item in items for v in item)
    return False


def coro_label(coro):
    """`fetch_data(1, 2)` from a not-yet-started coroutine's arguments."""
    name = getattr(coro, '__name__', None) or type(coro).__name__
    f = getattr(coro, 'cr_frame', None)
    if f is None:
        f = getattr(coro, 'gi_frame', None)
    if f is None:
        return name + '()'
    co = f.f_code
    if co.co_argcount or co.co_kwonlyargcount or co.co_flags & 0x0C:  # *args, **kwargs
        parts = _arguments(f, co)   # only then: reading f_locals is costly
        if parts is None:
            return name + '(...)'
    else:
        parts = ()
    label = '%s(%s)' % (name, ', '.join(parts))
    if len(label) > 120:
        label = label[:117] + '...'
    return label


def _arguments(f, co):
    """The shortened reprs of a not-yet-started frame's arguments (None if unreadable)."""
    try:
        loc = f.f_locals
    except Exception:
        return None
    n = co.co_argcount
    names = co.co_varnames
    parts = [short_repr(loc[a]) for a in names[:n] if a in loc]
    i = n
    kw = names[i:i + co.co_kwonlyargcount]
    i += co.co_kwonlyargcount
    if co.co_flags & 0x04:  # CO_VARARGS
        va = loc.get(names[i], ())
        i += 1
        parts.extend(short_repr(v) for v in va)
    parts.extend('%s=%s' % (a, short_repr(loc[a])) for a in kw if a in loc)
    if co.co_flags & 0x08:  # CO_VARKEYWORDS
        vk = loc.get(names[i], {})
        parts.extend('%s=%s' % (k, short_repr(v)) for k, v in vk.items())
    return parts


def callable_name(fn):
    """A readable name for a callback: qualified name, unwrapping partials."""
    for _ in range(4):
        func = getattr(fn, 'func', None)
        if func is None or not callable(func):
            break
        fn = func
    name = getattr(fn, '__qualname__', None)
    if name is None:
        name = getattr(fn, '__name__', None)
    if name is None:
        name = type(fn).__name__
    return name


def callable_code(fn):
    for _ in range(4):
        func = getattr(fn, 'func', None)
        if func is None or not callable(func):
            break
        fn = func
    fn = getattr(fn, '__func__', fn)
    return getattr(fn, '__code__', None)


def callable_position(fn):
    """(line, file) of a user-defined callback's def, or (None, None)."""
    co = callable_code(fn)
    if co is None or not is_user_file(co.co_filename):
        return None, None
    return co.co_firstlineno, file_field(co.co_filename)


def strip_traceback(tb):
    """Drop the tracer's own entries from a traceback chain (relinks tb_next in place)."""
    head = prev = None
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(PKG_DIR):
            if prev is None:
                head = tb
            else:
                prev.tb_next = tb
            prev = tb
        tb = tb.tb_next
    if prev is not None:
        prev.tb_next = None
    return head


def strip_exception(exc):
    """strip_traceback on an exception, its cause and its context (in place)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            tb = exc.__traceback__
            if tb is not None:
                new = strip_traceback(tb)
                if new is not tb:
                    exc.__traceback__ = new
            if exc.__cause__ is not None:
                strip_exception(exc.__cause__)
        except Exception:
            pass
        exc = exc.__context__


def exception_position(exc):
    """(line, file) of the innermost user frame in exc's traceback, or (None, None)."""
    tb = getattr(exc, '__traceback__', None)
    line = file = None
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename
        if is_user_file(fn):
            line, file = tb.tb_lineno, file_field(fn)
        tb = tb.tb_next
    return line, file


def put_position(d, line, file):
    """Adds the protocol's optional `line` and `file` to an event (each only when known)."""
    if line is not None:
        d['line'] = line
    if file is not None:
        d['file'] = file


_GROUPS = (builtins.BaseExceptionGroup,) if hasattr(builtins, 'BaseExceptionGroup') else ()


def safe_str(exc):
    """An exception's message. str(exc) when that runs no code of the program: its __str__
    is CPython's or the standard library's and its arguments are plain values; else its
    arguments, shown without calling their reprs."""
    try:
        args = BaseException.args.__get__(exc)
        # An exception group's own __str__ is 'message (N sub-exceptions)': it formats
        # none of its exceptions.
        if (_plain(args) or isinstance(exc, _GROUPS)) \
                and not _program_method(type(exc), '__str__'):
            s = str(exc)
        elif len(args) == 1 and type(args[0]) is str:
            s = args[0]
        else:
            s = ', '.join(short_repr(a) for a in args)
    except Exception:
        s = '<unprintable %s>' % type(exc).__name__
    if len(s) > 500:
        s = s[:497] + '...'
    return s


def _program_method(cls, name):
    """True when cls's method `name` is Python code outside the standard library (the
    program's, or an installed library's)."""
    import inspect    # not at start: it costs a small program's start-up time
    co = getattr(inspect.getattr_static(cls, name, None), '__code__', None)
    if co is None:
        return False
    fn = co.co_filename
    lib = code_library(fn)
    return lib is None or lib == '' or is_installed_library(fn)
