"""The tracer never changes the program; output attribution; blocking; executor jobs;
heavy and odd input."""
import json
import os
import unittest

from tracer_harness import TracerTestCase, run_traced, run_untraced, normalize, scenario


class NeverChangesTheProgram(TracerTestCase):
    def test_ready_queue_and_timers_untouched(self):
        res = self.assertSameAsUntraced(scenario('handles.py'))
        self.assertIn(b'fut done 42', res.out)

    def test_no_retained_frames(self):
        res = self.assertSameAsUntraced(scenario('retained.py'))
        self.assertIn(b'alive while suspended: True', res.out)
        self.assertIn(b'alive after the task is gone: False', res.out)

    def test_tracer_errors_are_internal_errors(self):
        untraced = run_untraced(scenario('bad_queue.py'))
        res = run_traced(scenario('bad_queue.py'))
        self.assertEqual((res.rc, res.out, res.err), untraced)
        errors = res.of('internal_error')
        self.assertTrue(errors)
        self.assertIn('qsize is broken', errors[0]['message'])
        self.assertEqual(errors[0]['where'], 'wait_reason')
        self.assertEqual(res.end['outcome'], 'completed')
        consumer = res.task_by_coro('consumer')[0]['task']
        # the step is still reported, with a fallback reason
        self.assertEqual(res.of('step', task=consumer)[0]['reason']['kind'], 'future')


    def test_the_program_does_not_see_the_tracer(self):
        # asyncio debug mode's _source_traceback of handles and tasks, inspect.stack() in
        # callbacks, task steps, an exception handler and an executor job: as untraced.
        res = self.assertSameAsUntraced(scenario('invisible.py'))
        out = res.out.decode()
        self.assertNotIn('loopscope_tracer', out)
        for made, line in (('call_soon', 53), ('call_soon_threadsafe', 54), ('call_later', 55),
                           ('call_at', 56), ('create_task', 57)):
            self.assertRegex(out, r'(?m)^%s created at .* > invisible.py:%d main$' % (made, line))
        for tag in ('soon callback', 'threadsafe callback', 'timer callback', 'task step',
                    'exception handler'):
            self.assertRegex(out, r'(?m)^%s < invisible.py:\d+ \w+ < .*invisible.py:73 <module>$'
                             % tag)
        self.assertIn('executor job < invisible.py:33 callback < thread.py', out)

class Fork(TracerTestCase):
    @unittest.skipUnless(hasattr(os, 'fork'), 'no os.fork here')
    def test_a_forked_child_runs_on_untraced(self):
        # The child forks while a thread holds the tracer's events lock; before the fix it
        # waited for that lock forever at its first event (CPython's test_events, 3.11).
        res = self.assertSameAsUntraced(scenario('fork_child.py'))
        self.assertEqual(res.out, b'parent loop done\nchild loop done\nchild exit code 7\n'
                                  b'parent again loop done\n')
        # The trace is the parent's: its two loops, none of the child's events or output.
        self.assertEqual([e['loop'] for e in res.of('loop')], [1, 2])
        self.assertEqual([e['text'] for e in res.of('output')],
                         ['parent loop done', 'child exit code 7', 'parent again loop done'])
        self.assertEqual(len(res.of('start')), 1)


class OutputAndThreads(TracerTestCase):
    def test_threads_printing_at_once(self):
        res = run_traced(scenario('executor_threads.py'))
        untraced = run_untraced(scenario('executor_threads.py'))
        self.assertEqual(res.rc, untraced[0])
        self.assertEqual(res.err, untraced[2])
        # Threads interleave differently from run to run; every line must be there.
        for data in (res.out, untraced[1]):
            text = data.decode()
            for t in range(4):
                for i in range(50):
                    self.assertIn('T%d line %d' % (t, i), text)
        self.assertWellFormed(res)
        by_thread = {}
        for e in res.of('output'):
            if e['text'].startswith('T'):
                by_thread.setdefault(e['thread'], []).append(e['text'])
        self.assertEqual(len(by_thread), 4)
        for name, lines in by_thread.items():
            prefix = lines[0].split()[0]
            self.assertEqual(lines, ['%s line %d' % (prefix, i) for i in range(50)])
            self.assertTrue(all(e.get('line') == 19 for e in res.of('output', thread=name)))

    def test_many_tasks(self):
        # No wall-clock limit: on a loaded machine the run can take longer than its default.
        res = run_traced(scenario('many_tasks.py'), opts=['--max-wall-seconds', '0'],
                         events_file=True, raw_events=True)
        self.assertMatchesUntraced(res, scenario('many_tasks.py'))
        self.assertEqual(res.out, b'total 4999950000\n')
        lines = res.events
        self.assertTrue(lines[0].startswith('{"ev":"start"'))
        end = json.loads(lines[-1])
        self.assertEqual(end['ev'], 'end')
        self.assertEqual(end['outcome'], 'completed')
        self.assertNotIn('"ev":"internal_error"', ''.join(lines[-50:]))
        leaves = sum(1 for l in lines if l.startswith('{"ev":"task"') and '"coro":"leaf"' in l)
        self.assertEqual(leaves, 100000)
        done = sum(1 for l in lines if l.startswith('{"ev":"done"'))
        self.assertEqual(done, end['counts']['tasks'])
        self.assertFalse(any(l.startswith('{"ev":"internal_error"') for l in lines))


class Blocking(TracerTestCase):
    def test_sleep_and_cpu_in_a_step(self):
        res = self.assertSameAsUntraced(scenario('blocking.py'))
        blocks = res.of('blocking')
        self.assertEqual(len(blocks), 2, blocks)
        sleepy = res.task_by_coro('sleepy')[0]['task']
        busy = res.task_by_coro('busy')[0]['task']
        b1 = res.one('blocking', task=sleepy)
        self.assertEqual((b1['what'], b1['fn'], b1['line'], b1['sampled']),
                         ('step', 'sleepy', 17, True))
        # The program's own time: the wait for the CPU after the sleep is not counted.
        self.assertGreaterEqual(b1['dur'], 0.25)
        b2 = res.one('blocking', task=busy)
        self.assertEqual((b2['what'], b2['fn'], b2['sampled']), ('step', 'busy', True))
        self.assertIn(b2['line'], (10, 11))  # inside crunch()'s loop, found by sampling
        # 0.25 s of CPU; the program's time is measured from the watchdog's first look.
        self.assertGreaterEqual(b2['cpu'], 0.24)  # schedstat lags by up to a scheduler tick

    def test_threshold_option(self):
        res = run_traced(scenario('blocking.py'), opts=['--blocking-ms', '1000'])
        self.assertWellFormed(res)
        self.assertEqual(res.of('blocking'), [])

    def test_tick_blocking(self):
        res = self.assertSameAsUntraced(scenario('tick_blocking.py'), opts=['--blocking-ms', '300'])
        blocks = res.of('blocking')
        self.assertEqual([b['what'] for b in blocks], ['tick'])
        self.assertGreaterEqual(blocks[0]['dur'], 0.35)
        self.assertIn(blocks[0]['fn'], ('part',))

    def test_just_over_the_threshold_is_sampled_on_the_users_line(self):
        # The watchdog samples from its first look, not from the threshold on: a handler
        # that a library's task calls, 4 ms over, is still found on its own line.
        res = self.assertSameAsUntraced(scenario('library_blocking.py'))
        b = res.one('blocking')
        task = res.one('task', task=b['task'])
        self.assertEqual(task['lib'], 'fakelib')
        self.assertEqual((b['what'], b['line'], b['sampled']), ('step', 13, True))
        self.assertNotIn('file', b)

    def test_a_busy_machine_is_not_the_programs_time(self):
        # Three busy processes share the program's CPU: each step waits for it about three
        # times as long as it runs. The 200 ms step is blocking, with its CPU time; the time
        # it waited for the CPU is taken out and it is marked uncertain (most of its wall time
        # was not the program's). Whether the 50 ms step crosses the threshold depends on how
        # busy the rest of the machine is, so it is not checked.
        res = self.assertSameAsUntraced(scenario('crowded_cpu.py'))
        main = res.one('task', coro='main')['task']
        long_step = res.of('step', task=main)[-1]
        b = res.of('blocking')[-1]     # the program's last step is the long one
        self.assertEqual((b['what'], b['task']), ('step', main))
        self.assertGreaterEqual(b['cpu'], 0.19)
        self.assertIn(b['line'], (12, 13))  # crunch()'s loop
        self.assertLess(b['dur'], long_step['dur'])
        self.assertIs(b['uncertain'], True)

    def test_virtual_jumps_are_not_blocking(self):
        res = run_traced(scenario('gather_sleep.py'))
        self.assertEqual(res.of('blocking'), [])


class Executor(TracerTestCase):
    def test_jobs(self):
        res = run_traced(scenario('executor_threads.py'))
        self.assertWellFormed(res)
        jobs = res.of('job')
        self.assertGreaterEqual(len(jobs), 3)
        main = res.one('task', coro='main')['task']
        for j in jobs:
            self.assertEqual(j['task'], main)
            start = res.one('job_start', job=j['job'])
            end = res.one('job_end', job=j['job'])
            # asyncio names its default executor's threads from 3.9
            self.assertTrue(start['thread'].startswith(('asyncio', 'ThreadPoolExecutor')))
            self.assertEqual(end['thread'], start['thread'])
            self.assertLess(res.events.index(j), res.events.index(start))
            self.assertLess(res.events.index(start), res.events.index(end))
        fail = [j for j in jobs if j['fn'] == 'fail'][0]
        end = res.one('job_end', job=fail['job'])
        self.assertFalse(end['ok'])
        self.assertEqual(end['error'], "KeyError: 'bad job'")
        work = [e for e in res.of('output') if e['text'].startswith('work')]
        self.assertEqual(len(work), len([j for j in jobs if j['fn'] == 'work']))
        for e in work:
            self.assertTrue(e['thread'].startswith(('asyncio', 'ThreadPoolExecutor')))
            self.assertEqual(e['line'], 9)
        # the step that receives a job's result comes after its job_end
        steps = res.of('step', task=main)
        checked = 0
        for j in jobs:
            end_at = res.events.index(res.one('job_end', job=j['job']))
            waiting = [s for s in steps if s.get('reason', {}).get('job') == j['job']]
            if not waiting:
                continue  # awaited through gather
            nxt = [s for s in steps if res.events.index(s) > res.events.index(waiting[-1])]
            self.assertLess(end_at, res.events.index(nxt[0]))
            checked += 1
        self.assertGreaterEqual(checked, 1)


if __name__ == '__main__':
    unittest.main()
