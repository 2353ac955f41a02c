"""Runs the user's file exactly as `python file.py` would, the way pdb does.

Not runpy.run_path: that runs the file in a temporary module, which changes when finalizers
and "coroutine was never awaited" warnings fire. Instead the file is compiled here (a
SyntaxError is printed like Python prints it, exit 1) and executed in the real `__main__`
module, refilled with what Python puts there, with the user's sys.argv and sys.path[0].
Uncaught exceptions are printed by sys.excepthook with the tracer's frames removed.
The `end` event is written from atexit, which runs after non-daemon threads are joined.
"""

import atexit
import builtins
import os
import re
import sys
from importlib.machinery import SourceFileLoader

from . import events, frames

PY39 = sys.version_info >= (3, 9)


def _prog():
    orig = getattr(sys, 'orig_argv', None)
    return orig[0] if orig else sys.executable


class NotRunnable(Exception):
    def __init__(self, message, exit_code, error_type):
        Exception.__init__(self, message)
        self.exit_code = exit_code
        self.error_type = error_type


def resolve(script_arg):
    """(path to read, filename as Python would report it, sys.path[0]); or NotRunnable."""
    shown = os.path.abspath(script_arg) if PY39 else script_arg
    if os.path.isdir(script_arg):
        main = os.path.join(script_arg, '__main__.py')
        if os.path.isfile(main):
            return main, (os.path.abspath(main) if PY39 else main), \
                os.path.dirname(os.path.realpath(main))
        raise NotRunnable("%s: can't find '__main__' module in %r\n" % (_prog(), shown), 1,
                          'NotRunnable')
    if not os.path.exists(script_arg):
        raise NotRunnable("%s: can't open file %r: [Errno 2] No such file or directory\n"
                          % (_prog(), shown), 2, 'FileNotFoundError')
    return script_arg, shown, os.path.dirname(os.path.realpath(script_arg))


def read_source(path, filename):
    """The file's bytes, checked to decode like Python's own tokenizer would."""
    try:
        with open(path, 'rb') as f:
            src = f.read()
    except OSError as e:
        raise NotRunnable("%s: can't open file %r: [Errno %s] %s\n"
                          % (_prog(), filename, e.errno, e.strerror), 2, type(e).__name__)
    if sys.version_info < (3, 11) and b'\0' in src:
        # Python <= 3.10 reads each line only up to its first NUL byte.
        src = re.sub(b'\0[^\n]*', b'', src)
    encoding = _declared_encoding(src)
    try:
        text = src.decode(encoding)
        bad_at = None
    except UnicodeDecodeError as e:
        bad_at = e.start
    except LookupError:
        return src  # unknown encoding: compile() reports it like Python does
    nul_at = src.find(b'\0')
    if nul_at >= 0 and (bad_at is None or nul_at < bad_at):
        lineno = src[:nul_at].count(b'\n') + 1
        line = src.splitlines()[lineno - 1].split(b'\0')[0].decode(encoding, 'replace')
        raise NotRunnable('  File "%s", line %d\n    %s\nSyntaxError: source code cannot '
                          'contain null bytes\n' % (filename, lineno, line.strip()), 1,
                          'SyntaxError')
    if bad_at is not None:
        lineno = src[:bad_at].count(b'\n') + 1
        if sys.version_info[:2] == (3, 10):
            lineno += 1  # Python 3.10 reports the line after the bad byte's
        if sys.version_info >= (3, 11):
            url, head = 'https://peps.python.org/pep-0263/', ''
        elif PY39:
            url, head = 'https://python.org/dev/peps/pep-0263/', ''
        else:
            url, head = 'http://python.org/dev/peps/pep-0263/', \
                '  File "%s", line %d\n' % (filename, lineno)
        raise NotRunnable("%sSyntaxError: Non-UTF-8 code starting with '\\x%02x' in file %s on "
                          "line %d, but no encoding declared; see %s for details\n"
                          % (head, src[bad_at], filename, lineno, url), 1, 'SyntaxError')
    del text
    return src


_CODING = re.compile(br'^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)')


def _declared_encoding(src):
    """PEP 263: a BOM, or a coding cookie on line 1 or 2; else UTF-8."""
    if src.startswith(b'\xef\xbb\xbf'):
        return 'utf-8-sig'
    for line in src.split(b'\n', 2)[:2]:
        m = _CODING.match(line)
        if m:
            return m.group(1).decode('ascii', 'replace')
        if line.strip() and not line.lstrip().startswith(b'#'):
            break
    return 'utf-8'


def _print_uncaught(exc):
    """What Python does with an uncaught exception: sys.last_*, then sys.excepthook."""
    tb = exc.__traceback__
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = exc
    try:
        sys.excepthook(type(exc), exc, tb)
    except BaseException:
        sys.__excepthook__(type(exc), exc, tb)


def run(ending, script_arg, args, install):
    """Run the file, recording its outcome in `ending` (ending.Ending). `install()` sets the
    tracer up once the file is known to be runnable. Returns the exit code, or raises the
    user's SystemExit."""
    atexit.register(ending.finish)
    try:
        path, filename, path0 = resolve(script_arg)
        src = read_source(path, filename)
    except NotRunnable as e:
        sys.stderr.write(str(e))
        sys.stderr.flush()
        ending.outcome, ending.exit_code = 'not-runnable', e.exit_code
        ending.error = events.end_error(e.error_type, str(e).strip(), '')
        return e.exit_code

    try:
        code = compile(src, filename, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        e.__traceback__ = None
        _print_uncaught(e)
        ending.outcome, ending.exit_code = 'syntax-error', 1
        ending.error = events.end_error(
            type(e).__name__, str(getattr(e, 'msg', e)),
            ''.join(__import__('traceback').format_exception_only(type(e), e)),
            getattr(e, 'lineno', None) or None)
        return 1
    del src

    frames.set_scenario(filename)

    import __main__
    md = __main__.__dict__
    md.clear()
    md.update({
        '__name__': '__main__',
        '__doc__': None,
        '__package__': None,
        '__loader__': SourceFileLoader('__main__', filename),
        '__spec__': None,
        '__annotations__': {},
        '__builtins__': builtins,
        '__file__': filename,
        '__cached__': None,
    })
    sys.argv[:] = [script_arg] + list(args)
    if hasattr(sys, 'orig_argv'):
        sys.orig_argv = [sys.orig_argv[0], script_arg] + list(args)
    if sys.path:
        sys.path[0] = path0
    else:
        sys.path.insert(0, path0)

    install()
    try:
        exec(code, md)
    except SystemExit as e:
        frames.strip_exception(e)
        c = e.code
        if c is None:
            ending.outcome, ending.exit_code = 'completed', 0
        elif isinstance(c, int):
            ending.exit_code = c & 0xFF
            ending.outcome = 'completed' if ending.exit_code == 0 else 'exception'
        else:
            ending.outcome, ending.exit_code = 'exception', 1
        if ending.outcome == 'exception':
            line, file = frames.exception_position(e)
            ending.error = events.end_error('SystemExit', str(c), '', line, file)
        raise
    except BaseException as e:
        frames.strip_exception(e)
        import traceback
        try:
            text = ''.join(traceback.format_exception(type(e), e, e.__traceback__))
        except Exception:
            text = ''
        ending.outcome, ending.exit_code = 'exception', 1
        ending.error = events.uncaught_error(e, text)
        _print_uncaught(e)
        if isinstance(e, KeyboardInterrupt):
            ending.exit_code = 130
            ending.kill_with_sigint = True
        return 1
    ending.outcome, ending.exit_code = 'completed', 0
    return 0
