"""Every loop is instrumented; the events of docs/protocol.md."""
import sys
import unittest

from tracer_harness import TracerTestCase, run_traced, scenario


class Start(TracerTestCase):
    def test_protocol_version(self):
        start = run_traced(scenario('no_loop.py')).events[0]
        self.assertEqual((start['ev'], start['protocol'], start['minor']), ('start', 2, 1))


class Loops(TracerTestCase):
    def test_every_way_to_make_a_loop(self):
        res = self.assertSameAsUntraced(scenario('loops.py'))
        loops = res.of('loop')
        # run, run again, Runner (or a third run), the legacy loop, the hand-built loop
        self.assertEqual(len(loops), 5)
        self.assertEqual([l['loop'] for l in loops], [1, 2, 3, 4, 5])
        self.assertEqual({l['cls'] for l in loops}, {'_UnixSelectorEventLoop'})
        self.assertEqual(sorted(e['loop'] for e in res.of('loop_closed')), [1, 2, 3, 4, 5])
        for lid in range(1, 6):
            ticks = res.of('tick', loop=lid)
            self.assertTrue(ticks, 'loop %d never ticked' % lid)
            self.assertEqual([t['n'] for t in ticks], list(range(1, len(ticks) + 1)))
            work = [t for t in res.of('task', loop=lid) if t['coro'] == 'work']
            self.assertEqual(len(work), 1, 'loop %d' % lid)
            self.assertEqual(res.one('done', task=work[0]['task'])['result'], str(lid))
        self.assertEqual(res.end['counts']['loops'], 5)


class TaskEvents(TracerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = None

    def setUp(self):
        if TaskEvents.res is None:
            TaskEvents.res = self.assertSameAsUntraced(scenario('gather_sleep.py'))
        self.res = TaskEvents.res

    def test_tasks_labels_parents_lines(self):
        res = self.res
        main = res.one('task', coro='main')
        self.assertEqual(main['label'], 'main()')
        self.assertIsNone(main['parent'])
        self.assertEqual(main['line'], 22)
        self.assertFalse(main['internal'])
        fetch = res.task_by_coro('fetch_data')
        self.assertEqual([t['label'] for t in fetch],
                         ['fetch_data(1, 1)', 'fetch_data(1, 2)', 'fetch_data(2, 2)'])
        for t in fetch:
            self.assertEqual(t['parent'], main['task'])
            self.assertEqual(t['line'], 17)
            self.assertFalse(t['internal'])
            self.assertTrue(t['name'])
        internal = [t for t in res.of('task') if t['internal']]
        self.assertTrue(internal, 'asyncio.run shutdown helpers are internal tasks')
        for t in internal:
            self.assertIn(t['coro'].split('.')[-1],
                          ('shutdown_asyncgens', 'shutdown_default_executor'))

    def test_steps_from_to_and_done(self):
        res = self.res
        for t in res.task_by_coro('fetch_data'):
            steps = res.of('step', task=t['task'])
            self.assertEqual(len(steps), 2)
            self.assertEqual((steps[0]['from'], steps[0]['to']), (6, 7))
            self.assertEqual(steps[0]['stack'], [[7, 'fetch_data']])
            self.assertEqual(steps[0]['reason']['kind'], 'sleep')
            # A task resumes where its previous step left it: `from` only on the first step.
            self.assertNotIn('from', steps[1])
            self.assertIsNone(steps[1]['to'])
            self.assertNotIn('stack', steps[1])
            for s in steps:
                self.assertGreaterEqual(s['dur'], 0)
            done = res.one('done', task=t['task'])
            self.assertEqual(done['state'], 'ok')
        results = sorted(res.one('done', task=t['task'])['result']
                         for t in res.task_by_coro('fetch_data'))
        self.assertEqual(results, ['1', '2', '4'])

    def test_steps_write_only_what_changed(self):
        res = self.assertSameAsUntraced(scenario('carry_forward.py'))
        steps = res.of('step', task=res.one('task', coro='worker')['task'])
        self.assertEqual([s['to'] for s in steps], [6, 6, 6, 7, 8, None])
        self.assertEqual([s.get('from') for s in steps], [4, None, None, None, None, None])
        # A reason is written when it differs from the task's previous one (each sleep(0.5)
        # wakes at another time), omitted while it stays the same (the three sleep(0)s).
        kinds = [s['reason']['kind'] if 'reason' in s else None for s in steps]
        self.assertEqual(kinds, ['yield', None, None, 'sleep', 'sleep', None])
        self.assertNotEqual(steps[3]['reason']['wake'], steps[4]['reason']['wake'])
        self.assertEqual(['stack' in s for s in steps], [True, False, False, True, True, False])

    def test_ticks_ready_fifo_and_timers(self):
        res = self.res
        main = res.one('task', coro='main')['task']
        fetch = [t['task'] for t in res.task_by_coro('fetch_data')]
        ticks = res.of('tick', loop=1)
        self.assertEqual(ticks[0]['ready'], [main])
        self.assertEqual(ticks[1]['ready'], fetch)  # FIFO: creation order
        timers = res.of('timer')
        self.assertEqual(sorted(t['task'] for t in timers if 'task' in t), sorted(fetch))
        fired = [r for t in ticks for r in t['ready'] if isinstance(r, dict) and 'timer' in r]
        self.assertEqual(sorted(r['timer'] for r in fired), sorted(t['timer'] for t in timers))
        for r in fired:
            self.assertEqual(r['kind'], 'timer')
        cbs = res.of('callback', kind='timer')
        self.assertEqual(len(cbs), 3)
        jumps = sum(t['jump'] for t in ticks)
        self.assertAlmostEqual(jumps, 4.0, delta=0.05)

    def test_output_attribution(self):
        res = self.res
        by_label = {t['task']: t['label'] for t in res.of('task')}
        fetched = [e for e in res.of('output') if e['text'].startswith('fetched')]
        self.assertEqual(len(fetched), 3)
        for e in fetched:
            self.assertEqual(e['stream'], 'stdout')
            self.assertEqual(e['line'], 8)
            self.assertEqual(e['loop'], 1)
            self.assertNotIn('thread', e)
            a, b = e['text'].split()[1:3]
            self.assertEqual(by_label[e['task']], 'fetch_data(%s, %s)' % (a, b))
        last = res.of('output')[-1]
        self.assertEqual(last['line'], 19)


class InternalTasks(TracerTestCase):
    def test_asyncio_coroutines_the_program_runs_are_its_tasks(self):
        res = self.assertSameAsUntraced(scenario('asyncio_coroutines_as_tasks.py'))
        tasks = res.of('task')
        mine = sorted(t['coro'] for t in tasks if not t['internal'] and t.get('lib'))
        self.assertEqual(mine, ['Event.wait', 'sleep', 'wait_for', 'wait_for'])
        internal = sorted(t['coro'].split('.')[-1] for t in tasks if t['internal'])
        self.assertIn('_accept_connection2', internal)
        self.assertIn('shutdown_asyncgens', internal)
        for t in tasks:
            if t['coro'] == 'wait_for':
                self.assertEqual(t['line'], 13)
                if sys.version_info >= (3, 12):
                    # wait_for awaits the coroutine itself: its lane shows the user's work().
                    stacks = [e['stack'] for e in res.of('step', task=t['task']) if 'stack' in e]
                    self.assertIn('work', [frame[1] for frame in stacks[0]])


@unittest.skipUnless(sys.version_info >= (3, 12), 'eager tasks exist from 3.12')
class EagerTasks(TracerTestCase):
    def test_eager_first_step(self):
        res = self.assertSameAsUntraced(scenario('eager.py'))
        quick = res.task_by_coro('quick')[0]
        slow = res.task_by_coro('slow')[0]
        self.assertTrue(quick['eager'])
        self.assertTrue(slow['eager'])
        qs = res.of('step', task=quick['task'])
        self.assertEqual(len(qs), 1)
        self.assertIsNone(qs[0]['to'])
        self.assertEqual(res.one('done', task=quick['task'])['result'], '2')
        ss = res.of('step', task=slow['task'])
        self.assertEqual(ss[0]['to'], 10)
        self.assertEqual(ss[0]['reason']['kind'], 'sleep')


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


@unittest.skipUnless(sys.version_info >= (3, 11), 'ExceptionGroup exists from 3.11')
class ExceptionGroups(TracerTestCase):
    def test_leaves_depth_first_and_the_first_raise(self):
        res = self.assertSameAsUntraced(scenario('exception_group.py'))
        leaves = [{'type': 'RuntimeError', 'message': 'boom inside the task group', 'line': 7},
                  {'type': 'ValueError', 'message': 'bad value', 'line': 12},
                  {'type': 'KeyError', 'message': "'missing'", 'line': 12}]
        main = res.one('task', coro='main')['task']
        error = res.one('done', task=main)['error']
        self.assertEqual(error['type'], 'ExceptionGroup')
        self.assertEqual(error['leaves'], leaves)
        self.assertEqual(error['line'], 7)
        end = res.end['error']
        self.assertEqual(end['leaves'], leaves)
        self.assertEqual(end['line'], 7)
        self.assertIn('RuntimeError: boom inside the task group', end['traceback'])
        # A plain exception has no leaves.
        grouped = res.one('task', coro='grouped')['task']
        self.assertEqual(res.one('done', task=grouped)['error']['leaves'], leaves[1:])
        plain = res.one('task', coro='plain')['task']
        self.assertNotIn('leaves', res.one('done', task=plain)['error'])


class Scheduling(TracerTestCase):
    """step.q and callback.q (the handle's place in its tick's ready queue) and step.by (what
    put the step there)."""

    @classmethod
    def setUpClass(cls):
        cls.res = None

    def setUp(self):
        if Scheduling.res is None:
            Scheduling.res = self.assertSameAsUntraced(scenario('scheduling.py'))
        self.res = Scheduling.res

    def steps_of(self, coro):
        return [self.res.of('step', task=t['task']) for t in self.res.task_by_coro(coro)]

    def test_q_is_the_place_in_the_ready_queue(self):
        ready = {}
        checked = 0
        for e in self.res.events:
            if e['ev'] == 'tick':
                ready[e['loop']] = e['ready']
            elif e['ev'] == 'step' and 'q' in e:
                self.assertEqual(ready[1][e['q']], e['task'])
                checked += 1
            elif e['ev'] == 'callback':
                entry = ready[e['loop']][e['q']]
                self.assertEqual((entry['fn'], entry.get('timer')), (e['fn'], e.get('timer')))
                checked += 1
        self.assertEqual(checked, len(self.res.of('step')) + len(self.res.of('callback')))

    def test_by_points_at_the_handle_that_was_running(self):
        ticks = {t['n']: t['ready'] for t in self.res.of('tick')}
        for s in self.res.of('step'):
            by = s['by']
            if by['kind'] == 'outside':
                continue
            running = ticks[by['n']][by['q']]
            if by['kind'] == 'yield':
                self.assertEqual(running, s['task'])
            elif by['kind'] in ('task', 'spawn'):
                self.assertEqual(running, by['task'])
            elif by['kind'] == 'timer':
                self.assertEqual(running['timer'], by['timer'])
            else:
                self.assertEqual(running['fn'], by['fn'])

    def test_each_kind(self):
        res = self.res
        main = res.one('task', coro='main')['task']
        main_steps = res.of('step', task=main)
        self.assertEqual(main_steps[0]['by'], {'kind': 'outside'})
        [waiter] = self.steps_of('waiter')
        by = waiter[0]['by']
        self.assertEqual((by['kind'], by['task'], by['line']), ('spawn', main, 41))
        setter = res.one('task', coro='setter')['task']
        by = waiter[1]['by']
        self.assertEqual((by['kind'], by['task'], by['line']), ('task', setter, 20))
        [sleeper] = self.steps_of('sleeper')
        timer = res.one('timer', task=res.one('task', coro='sleeper')['task'])['timer']
        self.assertEqual((sleeper[1]['by']['kind'], sleeper[1]['by']['timer']), ('timer', timer))
        for steps in self.steps_of('yielder'):
            self.assertEqual(steps[1]['by']['kind'], 'yield')
            self.assertNotIn('task', steps[1]['by'])
        kinds = [(s['by']['kind'], s['by'].get('fn'), s['by'].get('task')) for s in main_steps]
        child = res.task_by_coro('yielder')[-1]['task']
        # gather's callback is _gather.<locals>._done_callback on 3.8-3.9
        self.assertTrue(kinds[1][1].endswith('gather.<locals>._done_callback'), kinds[1])
        self.assertEqual(kinds[1:], [
            ('callback', kinds[1][1], None),
            ('threadsafe', '_chain_future.<locals>._set_state', None),
            ('io', 'reader.<locals>.on_readable', None),
            ('task', None, child)])
        # The last step of main was woken by its child finishing: no line did it.
        self.assertNotIn('line', main_steps[-1]['by'])


if __name__ == '__main__':
    unittest.main()
