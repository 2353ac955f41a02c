"""The C step path (accel.py, _accel.c) writes the same events as the pure-Python one.

Each program is traced twice with the deterministic clock, once with LOOPSCOPE_ACCELERATOR=off
and once with =require (the tracer reports an internal error if the C path cannot be built),
and the two event streams must be equal but for what measures real time. The programs are the
examples and scenarios that take no input from threads, sockets or real time.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tracer_harness import ROOT, PY, TRACER_PATH, TracerTestCase, run_traced, scenario

# Fields that measure real time (or the process), not what the loop did.
REAL_TIME_FIELDS = ('dur', 'wall', 'waited', 'cpu', 'origin', 'pid', 'uncertain')

PROGRAMS = [os.path.join(ROOT, 'examples', name) for name in (
    'await_vs_create_task.py', 'callbacks.py', 'cancellation.py', 'condition.py', 'event.py',
    'gather.py', 'lock.py', 'never_awaited.py', 'producer_consumer.py', 'ready_at_once.py',
    'run_twice.py', 'semaphore.py', 'sleep_zero.py', 'task_exception.py', 'taskgroup.py',
    'wait_for_timeout.py')] + [scenario(name) for name in (
    'exception_group.py', 'eager.py', 'eager_start.py',
    'gather_sleep.py', 'pending_counts.py', 'taskgroup_cancel.py', 'loops.py',
    'handles.py', 'stepping.py', 'unknown_awaitable.py', 'carry_forward.py', 'retained.py',
    'as_completed.py', 'bad_queue.py', 'exceptions.py', 'task_names.py',
    'clock_overrides.py', 'plain_callbacks.py', 'under_settrace.py')]


def _compiler():
    return shutil.which(os.environ.get('CC') or 'cc')


def _program(name, source):
    """A program in a file of its own, in a new folder."""
    path = os.path.join(tempfile.mkdtemp(prefix='loopscope-'), name)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(source)
    return path


def _comparable(events):
    out = []
    for e in events:
        if e['ev'] == 'blocking':     # whether a step took over 100 ms of real time
            continue
        e = {k: v for k, v in e.items() if k not in REAL_TIME_FIELDS}
        if e['ev'] == 'end':    # its count of events counts the blocking events
            e['counts'] = {k: v for k, v in e['counts'].items() if k != 'events'}
        out.append(e)
    return out


@unittest.skipUnless(_compiler(), 'no C compiler: the tracer runs its pure-Python step path')
class SameEventsBothWays(TracerTestCase):
    def trace(self, program, accelerator):
        return run_traced(program, opts=('--clock', 'deterministic'),
                          cwd=os.path.dirname(program),
                          env={'LOOPSCOPE_ACCELERATOR': accelerator})

    def test_the_c_step_path_builds_and_loads_for_this_python(self):
        env = dict(os.environ, PYTHONPATH=TRACER_PATH, LOOPSCOPE_ACCELERATOR='require')
        done = subprocess.run(
            [PY, '-c', 'from loopscope_tracer import accel; print(accel.load().StepPath)'],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)
        self.assertEqual(done.returncode, 0, done.stdout.decode('utf-8', 'replace'))
        self.assertIn(b'StepPath', done.stdout)

    def test_same_events_with_and_without_it(self):
        steps = 0
        for program in PROGRAMS:
            with self.subTest(program=os.path.basename(program)):
                pure = self.trace(program, 'off')
                fast = self.trace(program, 'require')
                self.assertEqual([e for e in fast.of('internal_error')
                                  if e.get('where') != 'wait_reason'], [])
                self.assertEqual(fast.out, pure.out)
                self.assertEqual(fast.rc, pure.rc)
                self.assertEqual(_comparable(fast.events), _comparable(pure.events))
                steps += len(fast.of('step'))
        self.assertGreater(steps, 100)

    def test_a_blocking_tick_names_its_longest_step_when_that_ran_first(self):
        # A tick's first step is accounted in C (Blocking._account's `longest`); the tick then
        # blocks with no step over the threshold and is reported under that step's coroutine.
        # Margins: each sleep would have to overrun by 100 ms to change the outcome.
        program = _program('first_longest.py', (
            'import asyncio, time\n\n'
            'async def long_part():\n    time.sleep(0.4)\n\n'
            'async def short_part():\n    time.sleep(0.1)\n\n'
            'async def main():\n'
            '    await asyncio.gather(long_part(), short_part(), short_part())\n\n'
            'asyncio.run(main())\n'))
        for accelerator in ('require', 'off'):
            with self.subTest(accelerator=accelerator):
                run = run_traced(program, opts=('--blocking-ms', '500'),
                                 env={'LOOPSCOPE_ACCELERATOR': accelerator})
                self.assertEqual(run.rc, 0, run.out)
                self.assertEqual([(b['what'], b['fn']) for b in run.of('blocking')],
                                 [('tick', 'long_part')])

    def test_the_record_table_lets_go_of_finished_tasks(self):
        # 15,000 tasks, at most 252 alive at once. The table in front of the registry holds a
        # record until it fills; then it drops those of dead tasks and doubles only if over a
        # quarter is still alive: at most 2,048 slots here, so at most 1,024 records. It used to
        # double whenever it filled: 1,300 to 1,900 records after these tasks on 3.8, 3.11, 3.14
        # and 3.15 (how many depends on the allocator reusing addresses: 3.13 stayed under).
        program = _program('many_tasks.py', (
            'import asyncio, gc\n\n'
            'async def job():\n    await asyncio.sleep(0)\n\n'
            'async def main():\n'
            '    for _ in range(60):\n'
            '        await asyncio.gather(*(job() for _ in range(250)))\n'
            '    gc.collect()\n'
            '    print(sum(type(o).__name__ == "TaskRec" for o in gc.get_objects()))\n\n'
            'asyncio.run(main())\n'))
        run = self.trace(program, 'require')
        self.assertEqual(run.rc, 0, run.out)
        self.assertLessEqual(int(run.out.strip()), 1024 + 2)

    def test_times_are_written_as_python_writes_them(self):
        # The C path writes '%.6f' and '%.7f' in integers (no dtoa): ties, tiny, large,
        # negative and random numbers, each as Python's '%' operator writes it.
        check = (
            'import random, struct\n'
            'from loopscope_tracer import accel\n'
            'fixed = accel.load().fixed\n'
            'rnd = random.Random(14)\n'
            'xs = [0.0, -0.0, 5e-7, 1.5e-6, 2.5e-7, 5e-324, 1e-300, 2.675, 999999999999.9999]\n'
            'xs += [s * (2 * j + 1) / 2 ** k for j in range(3000) for k in (1, 7, 8, 10)\n'
            '       for s in (1, -1)]\n'
            'xs += [rnd.uniform(-1e4, 1e4) for _ in range(20000)]\n'
            'xs += [round(rnd.uniform(0, 100), rnd.randint(5, 8)) for _ in range(20000)]\n'
            'xs += [struct.unpack("d", struct.pack("Q", rnd.getrandbits(64)))[0]\n'
            '       for _ in range(20000)]\n'
            'bad = [(x, d) for x in xs if x == x and abs(x) != float("inf")\n'
            '       for d in (0, 3, 6, 7) if fixed(x, d) != "%.*f" % (d, x)]\n'
            'print(len(xs), bad[:5])\n')
        env = dict(os.environ, PYTHONPATH=TRACER_PATH, LOOPSCOPE_ACCELERATOR='require')
        done = subprocess.run([PY, '-c', check], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=300)
        self.assertEqual(done.returncode, 0, done.stdout.decode('utf-8', 'replace'))
        self.assertTrue(done.stdout.strip().endswith(b'[]'), done.stdout)

    def test_the_events_buffer_is_the_same_in_c(self):
        # The C step path adds its events to _accel.c's EventBuffer, the Python writers too:
        # it must refuse, fill, force and hand back lines exactly as emitter.EventBuffer.
        check = (
            'from loopscope_tracer import accel, emitter\n'
            'def run(make):\n'
            '    b = make(4, 1, 13)\n'
            '    said = [b.add("x"), bool(b), b.add("{}" * 5), len(b) >= 13, b.take(), bool(b),\n'
            '            b.add("\\u00e9\\ud800"), b.add("y"), b.add("z", True), b.count, b.take()]\n'
            '    b.cap = 0\n'
            '    return said + [b.add("w"), b.count, b.take()]\n'
            'a, c = run(emitter.EventBuffer), run(accel.load().EventBuffer)\n'
            'print(a == c, a, c)\n')
        env = dict(os.environ, PYTHONPATH=TRACER_PATH, LOOPSCOPE_ACCELERATOR='require')
        done = subprocess.run([PY, '-c', check], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=180)
        self.assertEqual(done.returncode, 0, done.stdout.decode('utf-8', 'replace'))
        self.assertTrue(done.stdout.startswith(b'True'), done.stdout)

    def test_a_build_removes_the_builds_no_run_used_for_30_days(self):
        # Each tracer or Python update leaves its builds in the cache: a new build clears out
        # those untouched for 30 days; loading one marks it used.
        cache = tempfile.mkdtemp(prefix='loopscope-prune-')   # its own: versions run at once
        self.addCleanup(shutil.rmtree, cache, True)
        day = 24 * 3600
        ages = {'_loopscope_accel-00000001.so': 31, 'splice-00000001.marshal': 31,
                '_loopscope_accel-00000002.so': 29, 'notes.txt': 400}
        for name, days in ages.items():
            path = os.path.join(cache, name)
            open(path, 'w').close()
            os.utime(path, (os.path.getmtime(path) - days * day,) * 2)
        check = (
            'import os, time\n'
            'from loopscope_tracer import accel\n'
            'accel.load()\n'
            'built = accel._built_path()\n'
            'os.utime(built, (time.time() - 2 * 86400,) * 2)\n'
            'accel._load_or_build()   # a load: marked used\n'
            'print(round((time.time() - os.path.getmtime(built)) / 86400))\n'
            'print(sorted(n for n in os.listdir(accel.cache_dir()) if not n.startswith(os.path.basename(built))))\n')
        env = dict(os.environ, PYTHONPATH=TRACER_PATH, LOOPSCOPE_ACCELERATOR='require',
                   LOOPSCOPE_CACHE=cache)
        done = subprocess.run([PY, '-c', check], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=180)
        self.assertEqual(done.returncode, 0, done.stdout.decode('utf-8', 'replace'))
        self.assertEqual(done.stdout.decode().split('\n')[:2],
                         ['0', "['_loopscope_accel-00000002.so', 'notes.txt']"])

    def test_a_build_that_fails_is_loud_under_require_and_off_still_traces(self):
        # The comparison above would pass trivially if both runs took the same path: a
        # compiler that fails makes `require` fail loudly and leaves `off` working.
        env = {'LOOPSCOPE_CACHE': os.path.join(ROOT, 'test-results', 'accel-cache-broken'),
               'CC': 'false'}
        program = os.path.join(ROOT, 'examples', 'gather.py')
        required = run_traced(program, cwd=os.path.dirname(program),
                              env=dict(env, LOOPSCOPE_ACCELERATOR='require'))
        self.assertIn('building the C step path failed',
                      ' '.join(e['message'] for e in required.of('internal_error')))
        pure = run_traced(program, cwd=os.path.dirname(program),
                          env=dict(env, LOOPSCOPE_ACCELERATOR='off'))
        self.assertEqual(pure.of('internal_error'), [])
        self.assertGreater(len(pure.of('step')), 0)


if __name__ == '__main__':
    unittest.main()
