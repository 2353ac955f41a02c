"""Splices the tracer's hook calls into asyncio's own functions.

A wrapper function would sit on the stack under the user's code (a step runs inside
Handle._run, an eager task's first step inside create_task): `inspect.stack()`, tracebacks
and asyncio's debug-mode source tracebacks ("created at .../loopscope_tracer/...") would show
the tracer. Instead, splice() recompiles the function from its own source with the hook code
added, under its own file name and with the line numbers of every original statement, so the
stack of a traced program is frame for frame, line for line, the stack of the untraced one.
It also saves the wrapper's frame on the hottest path.

The hook code can only use the names given to splice() (closure variables, prefixed `_ls_`);
module globals resolve in the function's own module, as before.

Parsing and recompiling costs about 10 ms a run, more than the rest of a small program's
instrumentation, and gives the same code every time: the compiled result is kept in a file of
the tracer's cache (accel.cache_dir()), under a key made of everything it depends on (the
Python, this file, the function's file and code, the hook code), like a .pyc.
"""

import ast
import copy
import dis
import inspect
import linecache
import marshal
import os
import sys
import types
import zlib

from .accel import cache_dir, mark_used, prune_cache

_FACTORY = '''
def _ls_factory({names}):
    class {owner}:
        pass
    return {owner}
'''


class SpliceError(Exception):
    """The function cannot be recompiled (no source, a closure, zero-argument super()...):
    the caller falls back to a wrapper."""


def patch(owner, name, names, enter=(), leave=(), result=None, failed=()):
    """splice(), or where it refuses the function, wrap() with the same hook code; returns
    the original function."""
    try:
        return splice(owner, name, names, enter, leave, result, failed)
    except SpliceError:
        return wrap(owner, name, names, enter, leave, result, failed)


def splice(owner, name, names, enter=(), leave=(), result=None, failed=()):
    """Replace `owner.name` (a plain function defined in class `owner`) by its recompilation
    with hook code spliced in; return the original function.

    names: {name: object} the spliced code may use.
    enter: statements (source lines) run before the body; they may read and rebind arguments.
    leave: statements run when the body ends, however it ends (in a `finally`).
    result: an expression wrapping every value the function returns, `_ls_value` standing for
    the value (a function that falls off its end returns None through it too).
    failed: statements run when the body raises, before leave (the exception goes on).
    """
    func = _function(owner, name)
    if func.__closure__ or '__class__' in func.__code__.co_freevars:
        raise SpliceError('%s.%s is a closure' % (owner.__name__, name))
    code = func.__code__
    key = _cache_key(owner, name, names, enter, leave, result, failed, code)
    factory = _cached().get(key)
    if factory is None:
        factory = _compile(owner, name, func, names, enter, leave, result, failed)
        _store(key, factory)
    namespace = {}
    exec(factory, namespace)
    inner = namespace['_ls_factory'](**names).__dict__[name]
    new_code = inner.__code__
    if sys.version_info >= (3, 11):
        new_code = new_code.replace(co_qualname=code.co_qualname)
    return _install(owner, func, types.FunctionType(
        new_code, func.__globals__, func.__name__, func.__defaults__, inner.__closure__))


def _compile(owner, name, func, names, enter, leave, result, failed):
    """The factory module defining the function with the hook code spliced in, compiled."""
    code = func.__code__
    fdef = _parse_in_place(func)
    if not isinstance(fdef, ast.FunctionDef) or fdef.name != name:
        raise SpliceError('unexpected source for %s.%s' % (owner.__name__, name))
    fdef.decorator_list = []
    # Defaults and annotations were evaluated when the original was defined; evaluating them
    # again here would need the module's names. The originals are put back below.
    fdef.args.defaults = []
    fdef.args.kw_defaults = [None] * len(fdef.args.kwonlyargs)
    fdef.returns = None
    for arg in _all_args(fdef.args):
        arg.annotation = None

    body = fdef.body
    doc = body[:1] if _is_docstring(body[0]) else []
    body = body[len(doc):]
    line = body[0].lineno
    if result is not None:
        template = _expression(result, line)
        body = [_ReturnWrapper(template).visit(stmt) for stmt in body]
        body.append(_at_line(ast.Return(value=_substitute(template, ast.Constant(value=None))),
                             body[-1].end_lineno or line))
    fdef.body = doc + _hooked(body, line, enter, leave, failed)

    factory = ast.parse(_FACTORY.format(names=', '.join(sorted(names)), owner=owner.__name__))
    factory.body[0].body[0].body = [fdef]
    return compile(factory, code.co_filename, 'exec', dont_inherit=True)


_cache = None       # {key: compiled factory}, read from _cache_path() at the first splice


def _cache_path():
    here = os.stat(__file__)
    key = zlib.crc32(('%s %s %s %s' % (sys.version, sys.executable, here.st_mtime_ns,
                                       here.st_size)).encode('utf-8', 'replace'))
    return os.path.join(cache_dir(), 'splice-%08x.marshal' % key)


def _cache_key(owner, name, names, enter, leave, result, failed, code):
    """None (not cached) for a function whose file is not on disk."""
    try:
        st = os.stat(code.co_filename)
    except (OSError, ValueError):
        return None
    return repr((owner.__qualname__, name, sorted(names), list(enter), list(leave), result,
                 list(failed), code.co_filename, st.st_mtime_ns, st.st_size,
                 zlib.crc32(marshal.dumps(code))))


def _cached():
    global _cache
    if _cache is None:
        _cache = {}
        try:
            path = _cache_path()
            with open(path, 'rb') as f:
                loaded = marshal.load(f)
            if isinstance(loaded, dict):
                _cache = loaded
            mark_used(path)
        except Exception:
            pass    # no cache yet, or unreadable: recompiled and written again
    return _cache


def _store(key, factory):
    if key is None:
        return
    _cache[key] = factory
    tmp = None
    try:
        path = _cache_path()
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # Written whole, then renamed: a run reading it at the same time never sees half.
        tmp = '%s.%d.tmp' % (path, os.getpid())
        with open(tmp, 'wb') as f:
            marshal.dump(_cache, f)
        os.replace(tmp, path)
        prune_cache()
    except OSError:
        # A read-only cache: every run splices from source.
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def wrap(owner, name, names, enter=(), leave=(), result=None, failed=()):
    """Replace `owner.name` by a wrapper (in the tracer's file) that runs the same hook code
    as splice() would around a call of the original; return the original. The wrapper's frame
    shows on the stack: only for functions splice() refuses."""
    func = _function(owner, name)
    co = func.__code__
    n = co.co_argcount + co.co_kwonlyargcount
    positional, kwonly = co.co_varnames[:co.co_argcount], co.co_varnames[co.co_argcount:n]
    star = co.co_varnames[n] if co.co_flags & inspect.CO_VARARGS else None
    dstar = (co.co_varnames[n + (star is not None)]
             if co.co_flags & inspect.CO_VARKEYWORDS else None)
    params = list(positional) + (['*' + star] if star else ['*'] if kwonly else []) \
        + list(kwonly) + (['**' + dstar] if dstar else [])
    args = list(positional) + (['*' + star] if star else []) \
        + ['%s=%s' % (k, k) for k in kwonly] + (['**' + dstar] if dstar else [])
    call = '_ls_orig(%s)' % ', '.join(args)
    fdef = ast.parse('def %s(%s):\n    return %s' % (name, ', '.join(params), call)).body[0]
    if result is not None:
        fdef.body = [_ReturnWrapper(_expression(result, 1)).visit(fdef.body[0])]
    fdef.body = _hooked(fdef.body, 1, enter, leave, failed)
    factory = ast.parse(_FACTORY.format(names=', '.join(sorted(names) + ['_ls_orig']),
                                        owner=owner.__name__))
    factory.body[0].body[0].body = [fdef]
    ast.fix_missing_locations(factory)
    namespace = {}
    exec(compile(factory, __file__, 'exec', dont_inherit=True), namespace)
    inner = namespace['_ls_factory'](_ls_orig=func, **names).__dict__[name]
    return _install(owner, func, types.FunctionType(
        inner.__code__, func.__globals__, func.__name__, func.__defaults__, inner.__closure__))


def _parse_in_place(func):
    """The function's definition parsed where it stands in its file: every node has the line
    and columns of the original (3.11+ tracebacks point with the columns). Its lines are
    found by indentation (inspect.getsource tokenizes, and costs more than the splicing),
    then checked against the code's own lines."""
    code = func.__code__
    lines = linecache.getlines(code.co_filename, func.__globals__)
    first = code.co_firstlineno     # its first decorator's line, or its def's
    if not 0 < first <= len(lines):
        raise SpliceError('no source for %s' % func.__qualname__)
    head = lines[first - 1]
    indent = head[:len(head) - len(head.lstrip())]
    end = first
    while end < len(lines) and lines[end - 1].lstrip().startswith('@'):
        end += 1    # past the decorators and the def line
    while end < len(lines):
        text = lines[end]
        stripped = text.strip()
        if (stripped and not stripped.startswith('#') and not text.startswith(indent + ' ')
                and not text.startswith(indent + '\t')):
            break
        end += 1
    # Blank lines put the block on its own lines; an indented one is parsed under `if 1:`.
    source = '\n' * (first - 1 - bool(indent)) + ('if 1:\n' if indent else '') \
        + ''.join(lines[first - 1:end])
    try:
        tree = ast.parse(source)
        fdef = tree.body[0].body[0] if indent else tree.body[0]
    except (SyntaxError, ValueError, IndexError, AttributeError) as e:
        # The lines at co_firstlineno are not a definition: the file changed on disk.
        raise SpliceError('cannot parse %s: %s' % (func.__qualname__, e))
    body_lines = [line for _, line in dis.findlinestarts(code) if line]
    if not all(first <= line <= fdef.end_lineno for line in body_lines):
        raise SpliceError('the source of %s is not its code' % func.__qualname__)
    return fdef


def _function(owner, name):
    func = owner.__dict__.get(name)
    if not isinstance(func, types.FunctionType):
        raise SpliceError('%s.%s is not a plain function' % (owner.__name__, name))
    return func


def _install(owner, func, new):
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__ = func.__qualname__
    new.__module__ = func.__module__
    new.__doc__ = func.__doc__
    new.__dict__.update(func.__dict__)
    setattr(owner, func.__name__, new)
    return func


def _hooked(body, line, enter, leave, failed):
    """enter; try: body / except BaseException: failed; raise / finally: leave."""
    out = _statements(enter, line)
    if not (leave or failed):
        return out + body
    handlers = []
    if failed:
        handler = ast.parse('try:\n    pass\nexcept BaseException:\n    raise').body[0].handlers[0]
        handler.body[:0] = _statements(failed, line)
        handlers.append(_at_line(handler, line, every=True))
    guarded = ast.Try(body=body, handlers=handlers, orelse=[], finalbody=_statements(leave, line))
    return out + [_at_line(guarded, line)]


def _all_args(args):
    out = list(getattr(args, 'posonlyargs', [])) + list(args.args) + list(args.kwonlyargs)
    out += [a for a in (args.vararg, args.kwarg) if a is not None]
    return out


def _is_docstring(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _at_line(node, line, every=False):
    """Give a spliced node (and everything in it without a position, or every node in it)
    the line `line`."""
    for n in ast.walk(node):
        if 'lineno' in n._attributes and (every or not hasattr(n, 'lineno') or n is node):
            n.lineno = n.end_lineno = line
            n.col_offset = n.end_col_offset = 0
    return node


def _statements(lines, line):
    out = []
    for text in lines:
        for stmt in ast.parse(text).body:
            for n in ast.walk(stmt):
                if 'lineno' in n._attributes:
                    n.lineno = n.end_lineno = line
                    n.col_offset = n.end_col_offset = 0
            out.append(stmt)
    return out


def _expression(text, line):
    expr = ast.parse(text, mode='eval').body
    for n in ast.walk(expr):
        if 'lineno' in n._attributes:
            n.lineno = n.end_lineno = line
            n.col_offset = n.end_col_offset = 0
    return expr


class _Substitute(ast.NodeTransformer):
    def __init__(self, value):
        self.value = value

    def visit_Name(self, node):
        return self.value if node.id == '_ls_value' else node


def _substitute(template, value):
    return _Substitute(value).visit(copy.deepcopy(template))


class _ReturnWrapper(ast.NodeTransformer):
    """`return X` -> `return <result with X>`, in the function's own scope only."""

    def __init__(self, template):
        self.template = template

    def visit_Return(self, node):
        value = node.value if node.value is not None else ast.Constant(value=None)
        wrapped = _substitute(self.template, value)
        for n in ast.walk(wrapped):
            if 'lineno' in n._attributes and n is not value and not _inside(n, value):
                n.lineno, n.end_lineno = node.lineno, node.end_lineno
                n.col_offset, n.end_col_offset = node.col_offset, node.end_col_offset
        node.value = wrapped
        return node

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef


def _inside(node, container):
    return any(node is n for n in ast.walk(container))
