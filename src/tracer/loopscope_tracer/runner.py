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
# Not `from importlib.machinery import ...`: on 3.14 that asks the module for __path__, and
# its __getattr__ imports warnings, which an untraced start does not.
import importlib.machinery
import os
import sys

from . import events, frames

PY39 = sys.version_info >= (3, 9)


def _prog():
    orig = getattr(sys, 'orig_argv', None)
    return orig[0] if orig else sys.executable


class NotRunnable(Exception):
    """exc: an exception for sys.excepthook to print, instead of the message."""

    def __init__(self, message, exit_code, error_type, exc=None):
        Exception.__init__(self, message)
        self.exit_code = exit_code
        self.error_type = error_type
        self.exc = exc


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
        import re
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
        raise _non_utf8_error(src, bad_at, filename)
    del text
    return src


def _non_utf8_error(src, bad_at, filename):
    """The tokenizer's error for a byte that is not UTF-8, with each version's line number
    quirks: 3.8/3.9 count a line that continues a token (inside a string, after a backslash)
    one too far in the message, 3.10 counts every line one too far, 3.14+ count line 2 as line 1 when line 1
    ended in a token of its own. 3.14+ give the location as well (printed by sys.excepthook:
    the line and a caret under the byte)."""
    start = src.rfind(b'\n', 0, bad_at) + 1
    lineno = line_of_byte = src[:start].count(b'\n') + 1
    version = sys.version_info[:2]
    if version < (3, 10) and _continues_a_token(src[:start]):
        lineno += 1
    elif version == (3, 10):
        lineno += 1
    elif version >= (3, 14) and lineno == 2 and src[:start].strip() \
            and not src.lstrip().startswith(b'#') and not _continues_a_token(src[:start]):
        lineno = 1
    if version >= (3, 11):
        url = 'https://peps.python.org/pep-0263/'
    elif PY39:
        url = 'https://python.org/dev/peps/pep-0263/'
    else:
        url = 'http://python.org/dev/peps/pep-0263/'
    msg = ("Non-UTF-8 code starting with '\\x%02x' in file %s on line %d, but no encoding "
           "declared; see %s for details" % (src[bad_at], filename, lineno, url))
    if version >= (3, 14):
        end = src.find(b'\n', start)
        line = src[start:end if end >= 0 else len(src)]
        text = line.split(b'\0')[0].decode('utf-8', 'replace')
        offset = len(src[start:bad_at].decode('utf-8', 'replace')) + 1
        e = SyntaxError(msg, (filename, lineno, offset, text, lineno, offset + 1))
        return NotRunnable(msg, 1, 'SyntaxError', e)
    head = '  File "%s", line %d\n' % (filename, line_of_byte) if not PY39 else ''
    return NotRunnable('%sSyntaxError: %s\n' % (head, msg), 1, 'SyntaxError')


def _continues_a_token(before):
    """True when the line after the source text `before` continues one of its tokens: a
    string left open, or a backslash at the end of its last line."""
    import io
    import tokenize
    try:
        for _ in tokenize.generate_tokens(io.StringIO(before.decode('utf-8')).readline):
            pass
    except tokenize.TokenError as e:
        return 'string' in str(e.args[0]) or before.rstrip(b'\r\n').endswith(b'\\')
    except (SyntaxError, UnicodeDecodeError):
        return False
    return False


def _declared_encoding(src):
    """PEP 263: a BOM, or a coding cookie on line 1 or 2; else UTF-8."""
    if src.startswith(b'\xef\xbb\xbf'):
        return 'utf-8-sig'
    for line in src.split(b'\n', 2)[:2]:
        # re only for a line that may hold a cookie: importing it costs start-up time.
        if b'coding' in line:
            import re
            m = re.match(br'^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)', line)
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
        if e.exc is not None:
            _print_uncaught(e.exc)
        else:
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
        '__loader__': importlib.machinery.SourceFileLoader('__main__', filename),
        '__spec__': None,
        '__annotations__': {},
        '__builtins__': builtins,
        '__file__': filename,
        '__cached__': None,
    })
    if sys.version_info >= (3, 14):
        # PEP 649: a module's annotations are computed from its __annotate__ on first access;
        # the namespace starts without them.
        del md['__annotations__']
    if sys.version_info >= (3, 15):
        del md['__cached__']  # no longer set on modules
    sys.argv[:] = [script_arg] + list(args)
    if hasattr(sys, 'orig_argv'):
        # The interpreter and its own options, then the file: drop `-m loopscope_tracer` and
        # the tracer's options.
        orig = sys.orig_argv
        cut = next((i for i, a in enumerate(orig) if i and a.startswith('-m')), 1)
        sys.orig_argv = orig[:cut] + [script_arg] + list(args)
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
