"""Loop times relative to the loop's origin, task names given at creation, blocking reported
when a limit stops a step in progress, TaskGroup counts."""
import sys
import unittest

from tracer_harness import TracerTestCase, run_traced, scenario


class RelativeTimes(TracerTestCase):
    def test_times_start_at_the_loop_origin(self):
        res = self.assertSameAsUntraced(scenario('relative_times.py'))
        loop = res.one('loop')
        self.assertEqual(loop['t'], 0.0)
        self.assertGreater(loop['origin'], 0)
        ticks = res.of('tick')
        self.assertLess(ticks[0]['t'], 0.5)
        sleep = [r for r in res.reasons() if r['kind'] == 'sleep'][0]
        self.assertAlmostEqual(sleep['wake'], 5.0, delta=0.5)
        self.assertIn('timer fires at t=5.0', sleep['text'])
        timers = res.of('timer')
        self.assertTrue(all(t['when'] < 20 and t['t'] < 1 for t in timers))
        if sys.version_info >= (3, 11):
            self.assertAlmostEqual(sleep['timeoutDeadline'], 10.0, delta=0.5)
        self.assertLess(res.of('done')[0]['t'], 6)
        # The program's own clock is untouched.
        self.assertIn(b'big clock True', res.out)


class TaskNames(TracerTestCase):
    def test_task_event_carries_the_given_name(self):
        res = self.assertSameAsUntraced(scenario('task_names.py'))
        names = [e['name'] for e in res.of('task')]
        self.assertIn('boil_pasta', names)
        self.assertIn('by_loop', names)
        if sys.version_info >= (3, 11):
            self.assertIn('in_group', names)
        if sys.version_info >= (3, 12):
            eager = [e for e in res.of('task') if e['name'] == 'eager_one']
            self.assertEqual(len(eager), 1)
            self.assertTrue(eager[0]['eager'])
        # Every task event comes before that task's first step.
        seen = set()
        for e in res.events:
            if e['ev'] == 'task':
                seen.add(e['task'])
            elif e['ev'] == 'step':
                self.assertIn(e['task'], seen)


class BlockingAtStop(TracerTestCase):
    def test_wall_limit_reports_the_spinning_step(self):
        res = run_traced(scenario('never_yields.py'), opts=['--max-wall-seconds', '1'])
        self.assertWellFormed(res)
        self.assertEqual(res.end['limit'], 'wall-seconds')
        blocking = res.of('blocking')
        self.assertEqual(len(blocking), 1)
        b = blocking[0]
        self.assertEqual(b['what'], 'step')
        self.assertEqual(b['fn'], 'spin')
        # 3.8/3.9 sample the loop's jump, which belongs to the `pass` line.
        self.assertIn(b['line'], (4, 5) if sys.version_info < (3, 10) else (4,))
        self.assertGreaterEqual(b['dur'], 0.9)
        self.assertEqual(res.events[-2]['ev'], 'blocking')


@unittest.skipUnless(sys.version_info >= (3, 11), 'TaskGroup exists from 3.11')
class TaskGroupCounts(TracerTestCase):
    def test_a_finished_sibling_still_counts(self):
        res = self.assertSameAsUntraced(scenario('taskgroup_cancel.py'))
        tg = [r for r in res.reasons() if r['kind'] == 'taskgroup']
        self.assertTrue(tg)
        for r in tg:
            self.assertGreater(r['pending'], 0)
            self.assertNotIn('waiting for 0 task', r['text'])


if __name__ == '__main__':
    unittest.main()
