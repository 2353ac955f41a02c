"""The file runs exactly as `python scenario.py` would; bad input ends cleanly."""
import os
import shutil
import signal
import tempfile
import unittest
import unittest.mock

from tracer_harness import (PY, SCENARIOS, TRACER_PATH, TracerTestCase, normalize, run_traced,
                            run_untraced, scenario)


class SameAsUntraced(TracerTestCase):
    def test_gather_output_identical(self):
        res = self.assertSameAsUntraced(scenario('gather_sleep.py'))
        self.assertEqual(res.end['outcome'], 'completed')
        self.assertEqual(res.end['exitCode'], 0)

    def test_uncaught_exception_traceback_and_warnings(self):
        # Identical stderr means: the traceback has no tracer frames, "Task exception was
        # never retrieved" and "coroutine ... was never awaited" appear where Python puts them.
        res = self.assertSameAsUntraced(scenario('exceptions.py'))
        self.assertIn(b'ZeroDivisionError', res.err)
        self.assertIn(b'was never awaited', res.err)
        self.assertIn(b'Task exception was never retrieved', res.err)
        self.assertNotIn(b'loopscope_tracer', res.err)
        end = res.end
        self.assertEqual(end['outcome'], 'exception')
        self.assertEqual(end['exitCode'], 1)
        self.assertEqual(end['error']['type'], 'ZeroDivisionError')
        self.assertEqual(end['error']['line'], 15)
        self.assertNotIn('loopscope_tracer', end['error']['traceback'])
        self.assertIn('ZeroDivisionError', end['error']['traceback'])
        boom = res.task_by_coro('boom')[0]['task']
        done = res.one('done', task=boom)
        self.assertEqual(done['state'], 'exception')
        self.assertEqual(done['error']['type'], 'ValueError')
        self.assertEqual(done['error']['line'], 7)

    def test_task_exception_logged_at_collection(self):
        res = self.assertSameAsUntraced(scenario('task_exception_gc.py'))
        self.assertIn(b'Task exception was never retrieved', res.err)
        self.assertEqual(res.end['outcome'], 'completed')

    def test_sys_exit_codes(self):
        for arg, rc, outcome in (('0', 0, 'completed'), ('4', 4, 'exception'),
                                 ('msg', 1, 'exception')):
            with self.subTest(arg=arg):
                res = self.assertSameAsUntraced(scenario('sys_exit.py'), [arg])
                self.assertEqual(res.rc, rc)
                self.assertEqual(res.end['outcome'], outcome)
                self.assertEqual(res.end['exitCode'], rc)

    def test_environment_name_argv_cwd_path(self):
        # Run from another directory with a relative path and arguments.
        cwd = os.path.dirname(os.path.dirname(scenario('x')))
        res = self.assertSameAsUntraced(os.path.join('scenarios', 'environment.py'),
                                        ['one', '--two', 'three four'], cwd=cwd)
        self.assertIn(b"name __main__", res.out)
        self.assertIn(b"DeprecationWarning: old API", res.err)
        self.assertIn(b"first free fd 3", res.out)
        self.assertEqual(res.events[0]['argv'],
                         [os.path.join('scenarios', 'environment.py'), 'one', '--two',
                          'three four'])
        self.assertEqual(res.events[0]['cwd'], cwd)

    def test_interpreter_options(self):
        # Options given to the interpreter are the program's: sys.flags, -X, -W, orig_argv.
        res = self.assertSameAsUntraced(scenario('environment.py'), ['a'],
                                        interp=['-X', 'dev', '-W', 'ignore::UserWarning', '-B'])
        self.assertIn(b"dev_mode=True", res.out)
        self.assertNotIn(b'UserWarning', res.err)

    def test_environment_like_the_session(self):
        # Events on fd 3 and control on fd 4, as the VS Code session passes them.
        res = self.assertSameAsUntraced(scenario('environment.py'), fd3=True)
        self.assertIn(b"first free fd 3", res.out)

    def test_module_annotations(self):
        res = self.assertSameAsUntraced(scenario('annotations.py'))
        self.assertIn(b"module {'x': <class 'int'>, 'name': <class 'str'>}", res.out)

    def test_stdio_errors_handler_as_untraced(self):
        # The C locale, nothing forced: stdout's errors handler is surrogateescape, plainly and
        # traced; the tracer's own channel carries the escaped name as JSON.
        env = {'LC_ALL': 'C', 'LANG': None, 'LC_CTYPE': None, 'PYTHONIOENCODING': None,
               'PYTHONUTF8': None}
        res = self.assertSameAsUntraced(scenario('file_names.py'), env=env)
        self.assertIn(b'name caf\xe9.txt', res.out)
        self.assertEqual(res.rc, 0)
        self.assertEqual(res.of('output')[1]['text'], 'name caf\udce9.txt')
        # An encoding forced on the program (what the session did) changes the outcome.
        forced = run_traced(scenario('file_names.py'), env=dict(env, PYTHONIOENCODING='utf-8'))
        self.assertEqual(forced.rc, 1)
        self.assertIn(b'UnicodeEncodeError', forced.err)

    def test_the_programs_objects_are_left_alone(self):
        # No __repr__/__str__ of the program runs for events (a task's result, a label, an
        # error message); a half-built loop subclass, a mocked selector, a Task-like object
        # from a task factory, a non-callable job: no internal error.
        res = self.assertSameAsUntraced(scenario('program_objects.py'))
        self.assertIn(b"calls: ['repr']", res.out)   # print() of the task-like's result
        fail = res.one('task', coro='fail')['task']
        error = res.one('done', task=fail)['error']
        self.assertEqual((error['type'], error['message']), ('Shouting', "'quiet', <Counted>"))
        result = res.task_by_coro('result')
        self.assertEqual(res.one('done', task=result[0]['task'])['result'], '<Counted>')

    def test_another_thread_appending_to_the_ready_queue_while_the_tracer_reads_it(self):
        # The tracer lists the ready queue at each tick; call_soon_threadsafe from a thread
        # appends to it meanwhile (without a copy: an internal error "deque mutated during
        # iteration", in most runs).
        res = self.assertSameAsUntraced(scenario('threadsafe_storm.py'))
        self.assertIn(b'threadsafe calls run: 20000', res.out)

    def test_keyboard_interrupt(self):
        res = self.assertSameAsUntraced(scenario('kbint.py'))
        self.assertEqual(res.rc, -signal.SIGINT)
        self.assertEqual(res.end['outcome'], 'exception')
        self.assertEqual(res.end['error']['type'], 'KeyboardInterrupt')

    def test_prompts_without_a_newline(self):
        res = self.assertSameAsUntraced(scenario('prompts.py'), input=b'Ada\n\n')
        out = [(e['stream'], e['text'], e.get('partial', False)) for e in res.of('output')]
        self.assertEqual(out, [('stdout', 'Your name? ', True), ('stdout', 'hello Ada', False),
                               ('stdout', 'Press enter> ', True),
                               ('stdout', 'progress: done', False),
                               ('stderr', 'warning: ', True), ('stderr', 'careful', False)])
        prompt = res.of('output')[0]
        self.assertEqual((prompt['line'], prompt['task']), (7, res.one('task', coro='main')['task']))

    def test_a_read_without_a_prompt_is_announced_by_an_empty_partial_line(self):
        res = self.assertSameAsUntraced(scenario('bare_input.py'), input=b'Ada\nx\n')
        out = [(e['text'], e.get('partial', False), e.get('line')) for e in res.of('output')]
        # input() (line 8), then each read of the loop over sys.stdin (line 10), the last one
        # finding the end of the input.
        self.assertEqual(out, [('', True, 8), ('hello Ada', False, 9), ('', True, 10),
                               ('got x', False, 11), ('', True, 10)])

    def test_unicode_and_partial_last_line(self):
        res = self.assertSameAsUntraced(scenario('unicode_out.py'))
        texts = [e['text'] for e in res.of('output')]
        self.assertIn('héllo wörld ✓ 日本', texts)
        self.assertIn('partial line without newline', texts)
        err = res.one('output', stream='stderr')
        self.assertEqual(err['text'], 'warn from task')

    def test_program_without_asyncio_does_not_load_it(self):
        # Start-up (issue 14.2): the tracer imports asyncio only when the program does.
        res = self.assertSameAsUntraced(scenario('without_asyncio.py'))
        self.assertIn(b'asyncio loaded: False', res.out)
        self.assertEqual(res.end['outcome'], 'completed')
        self.assertEqual(len(res.of('output')), 3)

    # What the tracer itself still imports before the program runs (issue 14.2): each costs
    # start-up time, and each shows in the program's sys.modules although it did not import it.
    TRACER_IMPORTS_AT_START = (
        'threading',   # the tracer's locks and thread names
        'atexit',      # the `end` event is written at exit, after the program's threads
        'fcntl',       # the event and control descriptors move out of the program's way
        '_json',       # events are encoded by json's C encoder (not the json package)
        'datetime',    # the virtual clock's datetime.now()
        # imported at module level by frames.py and registry.py
        'reprlib', 'weakref', 'gc',
    )

    def test_an_empty_program_finds_the_modules_of_an_untraced_run(self):
        program = scenario('modules_at_start.py')
        res = run_traced(program)
        self.assertWellFormed(res)
        traced = set(res.out.decode().split())
        plain = set(run_untraced(program)[1].decode().split())
        self.assertEqual(plain - traced, set())
        # Allowed beyond the untraced run: what `python -m` itself imports (the session
        # starts the tracer so), the modules above and what they import, the tracer's own
        # package, and sysconfig's data module (read when frames asks it for the paths).
        allowed = set(run_untraced('modules_at_start', self.TRACER_IMPORTS_AT_START,
                                   cwd=SCENARIOS, interp=('-m',))[1].decode().split())
        unexpected = {m for m in traced - plain - allowed
                      if m.split('.')[0] != 'loopscope_tracer'
                      and not m.startswith('_sysconfigdata')}
        self.assertEqual(unexpected, set(), 'the tracer imported these at start')

    def test_asyncio_imported_late_is_fully_traced(self):
        for args in ([], ['thread']):
            with self.subTest(args=args):
                res = self.assertSameAsUntraced(scenario('late_asyncio.py'), args)
                self.assertIn(b'before asyncio: False', res.out)
                self.assertEqual(res.of('output')[0]['text'], 'before asyncio: False')
                workers = res.task_by_coro('worker')
                self.assertEqual(len(workers), 2)
                self.assertEqual(len(res.task_by_coro('program')), 1)
                for w, n in zip(workers, (2, 3)):
                    self.assertEqual(len(res.of('step', task=w['task'])), n + 1)
                    self.assertEqual(res.one('done', task=w['task'])['result'], str(n))
                self.assertTrue(any(e['reason']['kind'] == 'yield'
                                    for e in res.of('step', task=workers[0]['task'])
                                    if e.get('reason')))
                self.assertGreater(res.end['counts']['ticks'], 3)
                self.assertEqual(res.end['counts']['loops'], 1)


class Flushes(unittest.TestCase):
    """When the recorder writes its buffered events (the killed.py and closerange.py tests
    check what a kill keeps)."""

    def test_every_tick_flushes_until_the_loop_is_busy_then_once_a_millisecond(self):
        import sys
        sys.path.insert(0, TRACER_PATH)
        try:
            from loopscope_tracer import emitter, events, registry, virtual_clock as vc
            from loopscope_tracer.wait_reasons import Reasons
        finally:
            sys.path.remove(TRACER_PATH)

        class Counting(emitter.Emitter):
            __slots__ = ('flushes',)

            def flush(self):
                self.flushes += 1
                super().flush()

        fd = os.open(os.devnull, os.O_WRONLY)
        self.addCleanup(os.close, fd)
        out = Counting(fd)
        out.flushes = 0
        ids = registry.Registry()
        recorder = events.Recorder(out, ids, Reasons(ids, lambda where, e: None), vc.REAL_PERF())

        def ticks(n):
            """n ticks of one event each: (flushes, milliseconds they took)."""
            flushes, started = out.flushes, vc.REAL_PERF()
            for _ in range(n):
                out.emit_raw('{"ev":"x"}')
                recorder.tick_started(None, None)
            return out.flushes - flushes, (vc.REAL_PERF() - started) * 1000

        recorder.loop_idle(None, None, None)
        self.assertEqual(ticks(10), (10, unittest.mock.ANY), 'a loop that just waited')
        deadline = vc.REAL_PERF() + events.BUSY_AFTER
        while vc.REAL_PERF() < deadline:
            ticks(1)
        flushes, ms = ticks(10000)
        self.assertLessEqual(flushes, ms + 1, 'a busy loop')
        self.assertLess(flushes, 10000)
        before = out.flushes
        for _ in range(5):
            out.emit_raw('{"ev":"x"}')
            recorder.loop_idle(None, None, None)
        self.assertEqual(out.flushes - before, 5, 'every wait')
        self.assertEqual(ticks(10)[0], 10, 'a loop that just waited')


class BadInput(TracerTestCase):
    def test_file_not_found(self):
        res = self.assertSameAsUntraced('no_such_scenario.py')
        self.assertEqual(res.rc, 2)
        self.assertEqual(res.end['outcome'], 'not-runnable')
        self.assertIn(b"can't open file", res.err)

    def test_directory(self):
        d = tempfile.mkdtemp()
        try:
            res = self.assertSameAsUntraced(d)
            self.assertEqual(res.rc, 1)
            self.assertEqual(res.end['outcome'], 'not-runnable')
        finally:
            shutil.rmtree(d)

    def test_directory_with_main(self):
        d = tempfile.mkdtemp()
        try:
            with open(os.path.join(d, '__main__.py'), 'w') as f:
                f.write('import asyncio\nasync def m():\n    print("pkg main")\n'
                        'asyncio.run(m())\n')
            res = self.assertSameAsUntraced(d)
            self.assertEqual(res.end['outcome'], 'completed')
            self.assertEqual(len(res.of('loop')), 1)
        finally:
            shutil.rmtree(d)

    def test_non_utf8(self):
        res = self.assertSameAsUntraced(scenario('non_utf8.py'))
        self.assertEqual(res.rc, 1)
        self.assertEqual(res.end['outcome'], 'not-runnable')
        self.assertIn(b'Non-UTF-8', res.err)

    def test_non_utf8_anywhere(self):
        # The bad byte after code, a comment, a string opened on the line before, ...
        sources = [b'x="\xe9"\n', b'print(1)\nx="\xe9"\n', b'# c\n  x = "\xe9"\n',
                   b'"""doc\n\xe9"""\n', b'x=(1,\n\xe9)\n', b'a=1\nb=2\n\t"\xc3\xa9\xe9"\n']
        d = tempfile.mkdtemp()
        try:
            for i, src in enumerate(sources):
                path = os.path.join(d, 'bad%d.py' % i)
                with open(path, 'wb') as f:
                    f.write(src)
                with self.subTest(source=src):
                    res = self.assertSameAsUntraced(path)
                    self.assertEqual(res.end['outcome'], 'not-runnable')
        finally:
            shutil.rmtree(d)

    def test_binary(self):
        res = self.assertSameAsUntraced(scenario('binary.py'))
        self.assertEqual(res.rc, 1)
        self.assertIn(res.end['outcome'], ('not-runnable', 'syntax-error'))
        self.assertIn(b'SyntaxError', res.err)

    def test_syntax_error(self):
        res = self.assertSameAsUntraced(scenario('syntax_error.py'))
        self.assertEqual(res.rc, 1)
        end = res.end
        self.assertEqual(end['outcome'], 'syntax-error')
        self.assertEqual(end['error']['line'], 4)
        self.assertNotIn(b'never runs', res.out)
        self.assertIn(b'syntax_error.py", line 4', res.err)

    def test_script_without_loop(self):
        res = self.assertSameAsUntraced(scenario('no_loop.py'))
        self.assertEqual(res.end['outcome'], 'completed')
        self.assertEqual(res.end['counts']['loops'], 0)
        self.assertEqual(res.of('loop'), [])
        self.assertEqual([e['text'] for e in res.of('output')],
                         ['no event loop here', 'to stderr'])

    def test_os_exit(self):
        res = self.assertSameAsUntraced(scenario('os_exit.py'), ended=False)
        self.assertEqual(res.rc, 7)
        self.assertIsNone(res.end)  # the viewer reports "crashed"
        self.assertEqual(res.one('output')['text'], 'before exit')
        self.assertTrue(res.of('tick'))

    def test_killed_by_signal(self):
        res = run_traced(scenario('killed.py'))
        untraced = run_untraced(scenario('killed.py'))
        self.assertEqual(res.rc, -signal.SIGKILL)
        self.assertEqual((res.rc, res.out, res.err), untraced)
        self.assertIsNone(res.end)
        self.assertEqual(res.events[0]['ev'], 'start')
        self.assertEqual(res.one('output')['text'], 'about to die')
        # Everything up to the last completed tick was written before the kill.
        main = res.task_by_coro('main')[0]['task']
        self.assertGreaterEqual(len(res.of('step', task=main)), 2)

    def test_stdin_eof(self):
        res = self.assertSameAsUntraced(scenario('stdin_read.py'))
        self.assertIn(b"read ''", res.out)
        self.assertIn(b'EOFError', res.err)
        self.assertEqual(res.end['outcome'], 'exception')

    def test_stdin_provided(self):
        res = self.assertSameAsUntraced(scenario('stdin_read.py'), input=b'first\nsecond\n')
        self.assertIn(b"read 'first\\n'", res.out)
        self.assertIn(b'input: second', res.out)
        self.assertEqual(res.end['outcome'], 'completed')

    def test_script_abuses_tracer_descriptors(self):
        res = self.assertSameAsUntraced(scenario('fd_abuse.py'), fd3=True)
        self.assertIn(b'still alive', res.out)
        self.assertEqual(res.end['outcome'], 'completed')

    def test_script_closes_every_descriptor(self):
        res = run_traced(scenario('closerange.py'))
        untraced = run_untraced(scenario('closerange.py'))
        self.assertEqual((res.rc, res.out), untraced[:2], res.err)
        # asyncio itself breaks (its own descriptors are gone); the two shutdown messages
        # come out of one garbage collection whose order is not fixed: compare as sets.
        self.assertEqual(sorted(normalize(res.err).splitlines()),
                         sorted(normalize(untraced[2]).splitlines()))
        self.assertEqual(res.events[0]['ev'], 'start')
        # Everything up to the tick that closed our descriptor was written.
        main = res.task_by_coro('main')[0]['task']
        self.assertEqual(res.of('step', task=main)[0]['reason']['kind'], 'sleep')

    def test_options_without_events_destination(self):
        import subprocess
        from tracer_harness import _env
        p = subprocess.run([PY, '-m', 'loopscope_tracer', scenario('no_loop.py')],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(True))
        self.assertEqual(p.returncode, 2)
        self.assertIn(b'--events-fd', p.stderr)
        self.assertEqual(p.stdout, b'')


if __name__ == '__main__':
    unittest.main()
