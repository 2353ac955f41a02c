"""Runs scenarios traced (like the session does: events on a descriptor, optional control
descriptor) and untraced, for comparison. Standard library only.

Tests import this module by name: run them with
    python -m unittest discover -s test/python -t test/python
"""

import json
import re
import os
import subprocess
import sys
import tempfile
import threading
import unittest

from protocol_schema import check_event

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACER_PATH = os.path.join(ROOT, 'src', 'tracer')
SCENARIOS = os.path.join(HERE, 'scenarios')
PY = sys.executable
VERSION = sys.version_info[:2]
HANG_GUARD = 120  # seconds; only stops a hung child, never an assertion


def scenario(name):
    return os.path.join(SCENARIOS, name)


def _env(traced, extra=None):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env['PYTHONIOENCODING'] = 'utf-8'
    env.pop('PYTHONWARNINGS', None)
    env.pop('PYTHONASYNCIODEBUG', None)
    if traced:
        env['PYTHONPATH'] = TRACER_PATH
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)   # None: not set at all
        else:
            env[k] = v
    return env


def normalize(data):
    """Decoded text with memory addresses (0x7f...) blanked: they differ between any two
    runs of the same program, traced or not."""
    return re.sub(r'0x[0-9a-f]{6,}', '0x?', data.decode('utf-8', 'replace'))


class Result:
    def __init__(self, rc, out, err, events):
        self.rc = rc
        self.out = out
        self.err = err
        self.events = events

    def of(self, _ev, **match):
        return [e for e in self.events if e.get('ev') == _ev
                and all(e.get(k) == v for k, v in match.items())]

    def one(self, _ev, **match):
        found = self.of(_ev, **match)
        if len(found) != 1:
            raise AssertionError('expected one %s %r, got %d' % (_ev, match, len(found)))
        return found[0]

    @property
    def end(self):
        ends = self.of('end')
        return ends[-1] if ends else None

    def task_by_coro(self, coro):
        return [e for e in self.of('task') if e['coro'] == coro or e['coro'].endswith('.' + coro)]

    def reasons(self):
        """Every reason of every step event, in order."""
        return [e['reason'] for e in self.of('step') if 'reason' in e]


def run_untraced(script, args=(), cwd=None, stdin=subprocess.DEVNULL, env=None, input=None,
                 interp=(), python=PY):
    """interp: the interpreter's own options (-X dev, -W ...), before the script; python:
    another interpreter than the one running the tests."""
    if input is not None:
        stdin = None
    p = subprocess.run([python] + list(interp) + [script] + list(args), cwd=cwd, stdin=stdin, input=input,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(False, env),
                       timeout=HANG_GUARD)
    return p.returncode, p.stdout, p.stderr


def run_traced(script, args=(), opts=(), cwd=None, stdin=subprocess.DEVNULL, env=None,
               on_event=None, control=False, events_file=False, fd3=False, input=None,
               raw_events=False, interp=(), python=PY):
    """Run the tracer like the session does. on_event(ev, send) is called for each event as
    it arrives (from a reader thread); send(line) writes to the control descriptor."""
    r_ev, w_ev = os.pipe()
    pass_fds = []
    cmd = [python] + list(interp) + ['-m', 'loopscope_tracer']
    tmp = None
    r_ctl = w_ctl = None
    if control or on_event is not None or fd3:
        r_ctl, w_ctl = os.pipe()
    if events_file:
        os.close(r_ev)
        os.close(w_ev)
        fd, tmp = tempfile.mkstemp(suffix='.jsonl')
        os.close(fd)
        cmd += ['--events-file', tmp]
    elif fd3:
        # Like the session: the child has exactly fds 0-4, events on 3, control on 4.
        import fcntl
        hi_w = fcntl.fcntl(w_ev, fcntl.F_DUPFD, 10)
        hi_r = fcntl.fcntl(r_ctl, fcntl.F_DUPFD, 10)
        os.close(w_ev)
        os.close(r_ctl)
        w_ev, r_ctl = hi_w, hi_r
        pass_fds += [w_ev, r_ctl]
        tramp = ('import os, sys; os.dup2(%d, 3); os.dup2(%d, 4); os.close(%d); os.close(%d); '
                 'os.execv(sys.executable, [sys.executable] + sys.argv[1:])'
                 % (w_ev, r_ctl, w_ev, r_ctl))
        cmd = [python, '-c', tramp] + cmd[1:] + ['--events-fd', '3', '--control-fd', '4']
    else:
        cmd += ['--events-fd', str(w_ev)]
        pass_fds.append(w_ev)
    if r_ctl is not None and not fd3:
        pass_fds.append(r_ctl)
        cmd += ['--control-fd', str(r_ctl)]
    cmd += list(opts) + [script] + list(args)

    if input is not None:
        stdin = subprocess.PIPE
    p = subprocess.Popen(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=_env(True, env), pass_fds=pass_fds)
    if not events_file:
        os.close(w_ev)
    if r_ctl is not None:
        os.close(r_ctl)
    events = []
    lock = threading.Lock()

    ctl = {'fd': w_ctl}

    def send(line):
        """Write a control line; send(None) closes the control descriptor (EOF)."""
        with lock:
            if ctl['fd'] is None:
                return
            if line is None:
                os.close(ctl['fd'])
                ctl['fd'] = None
                return
            try:
                os.write(ctl['fd'], (line + '\n').encode())
            except OSError:
                pass

    def reader():
        with os.fdopen(r_ev, 'rb') as f:
            for raw in f:
                ev = json.loads(raw)
                events.append(ev)
                if on_event is not None:
                    on_event(ev, send)

    th = None
    if not events_file:
        th = threading.Thread(target=reader, daemon=True)
        th.start()
    try:
        out, err = p.communicate(input=input, timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    if th is not None:
        th.join(HANG_GUARD)
    with lock:
        if ctl['fd'] is not None:
            os.close(ctl['fd'])
            ctl['fd'] = None
    if tmp is not None:
        with open(tmp, 'rb') as f:
            if raw_events:
                # Large traces: the raw JSON lines; tests look at them with string checks.
                events = [line.decode() for line in f if line.strip()]
            else:
                events = [json.loads(line) for line in f if line.strip()]
        os.unlink(tmp)
    # Every event the tracer writes follows the protocol's schema (large raw traces: the first
    # 20,000 lines, which hold every kind of event such a trace has).
    for ev in events[:20000] if raw_events else events:
        check_event(json.loads(ev) if raw_events else ev)
    return Result(p.returncode, out, err, events)


class TracerTestCase(unittest.TestCase):
    maxDiff = None

    def assertSameAsUntraced(self, script, args=(), opts=(), ended=True, **kw):
        """Traced and untraced runs give identical stdout, stderr and exit code."""
        res = run_traced(script, args, opts, **kw)
        self.assertMatchesUntraced(res, script, args, cwd=kw.get('cwd'), input=kw.get('input'),
                                   env=kw.get('env'), interp=kw.get('interp', ()),
                                   python=kw.get('python', PY))
        self.assertWellFormed(res, ended=ended)
        return res

    def assertMatchesUntraced(self, res, script, args=(), cwd=None, input=None, env=None,
                              interp=(), python=PY):
        traced = (res.rc, normalize(res.out), normalize(res.err))
        # The untraced program's own timing varies with machine load (a real sleep can
        # overshoot): the traced run must match one untraced run out of three.
        for attempt in range(3):
            untraced = run_untraced(script, args, cwd=cwd, input=input, env=env,
                                    interp=interp, python=python)
            if traced == (untraced[0], normalize(untraced[1]), normalize(untraced[2])):
                return
        where = ' (traced exit code %s, untraced %s; traced stderr ends %r)' % (
            res.rc, untraced[0], res.err[-400:])
        self.assertEqual(normalize(res.out), normalize(untraced[1]), 'stdout differs' + where)
        self.assertEqual(normalize(res.err), normalize(untraced[2]), 'stderr differs' + where)
        self.assertEqual(res.rc, untraced[0], 'exit code differs' + where)

    def assertWellFormed(self, res, ended=True):
        """start first; end last (when the tracer could write it); no internal errors;
        every id referenced is declared."""
        self.assertTrue(res.events, 'no events')
        self.assertEqual(res.events[0]['ev'], 'start')
        errors = res.of('internal_error')
        self.assertEqual(errors, [], 'tracer internal errors')
        if ended:
            self.assertEqual(res.events[-1]['ev'], 'end')
            self.assertEqual(res.end['exitCode'], res.rc if res.rc >= 0 else res.end['exitCode'])
        tasks = set()
        loops = set()
        for e in res.events:
            k = e['ev']
            if k == 'loop':
                loops.add(e['loop'])
            elif k == 'task':
                self.assertIn(e['loop'], loops, 'task before its loop')
                tasks.add(e['task'])
            elif k in ('step', 'done'):
                self.assertIn(e['task'], tasks, '%s of an undeclared task' % k)
            elif k == 'tick':
                self.assertIn(e['loop'], loops)
                for r in e['ready']:
                    if isinstance(r, int):
                        self.assertIn(r, tasks, 'ready task undeclared')
                    else:
                        self.assertIn(r['kind'], ('soon', 'timer', 'io', 'threadsafe'))
                for io in e.get('io', ()):
                    self.assertIn(io['events'], ('r', 'w', 'rw'), 'io readiness')
