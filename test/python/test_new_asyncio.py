"""What asyncio added or changed in 3.13-3.15, traced: eager starts, Queue.shutdown, the
deprecated policy API, and the call-graph bookkeeping the wait reasons read from 3.14 on."""
import asyncio
import sys
import unittest

from tracer_harness import TracerTestCase, scenario

PY314 = sys.version_info >= (3, 14)


@unittest.skipUnless(PY314, 'create_task(eager_start=True) exists from 3.14')
class EagerStart(TracerTestCase):
    def test_eager_tasks(self):
        res = self.assertSameAsUntraced(scenario('eager_start.py'))
        tasks = {t['task']: t for t in res.of('task')}
        quick = [t for t in tasks.values() if t['coro'] == 'quick']
        # Each finished inside create_task: the label still has its argument.
        self.assertEqual(sorted(t['label'] for t in quick),
                         ['quick(1)', 'quick(3)', 'quick(4)', 'quick(5)'])
        self.assertTrue(all(t['eager'] for t in quick))
        for t in quick:
            self.assertEqual(res.one('done', task=t['task'])['state'], 'ok')
        names = sorted(t['name'] for t in tasks.values() if t['name'].startswith('tg-'))
        self.assertEqual(names, ['tg-quick', 'tg-slow'])
        main = res.one('task', coro='main')['task']
        gather = [r for r in (e.get('reason') for e in res.of('step', task=main))
                  if r and r['kind'] == 'gather']
        self.assertEqual(len(gather), 1)
        slow2 = [t['task'] for t in tasks.values() if t['label'] == 'slow(2)']
        self.assertEqual(gather[0]['pending'], 1)
        self.assertEqual(len(gather[0]['children']), 3)
        self.assertIn(slow2[0], gather[0]['children'])


@unittest.skipUnless(hasattr(asyncio.Queue, 'shutdown'), 'Queue.shutdown exists from 3.13')
class QueueShutdown(TracerTestCase):
    def test_shutdown_wakes_getter_and_putter(self):
        res = self.assertSameAsUntraced(scenario('queue_shutdown.py'))
        self.assertIn(b'consumer: queue shut down\nproducer: queue shut down\n', res.out)
        consumer = res.one('task', coro='consumer')['task']
        producer = res.one('task', coro='producer')['task']
        self.assertEqual([r['kind'] for r in res.reasons() if r], [
            'sleep', 'queue_get', 'task', 'sleep', 'queue_put', 'task'])
        self.assertEqual(res.one('done', task=consumer)['state'], 'ok')
        self.assertEqual(res.one('done', task=producer)['state'], 'ok')


@unittest.skipUnless(PY314, 'the policy API is deprecated from 3.14')
class DeprecatedPolicy(TracerTestCase):
    def test_same_warnings_from_the_same_lines(self):
        res = self.assertSameAsUntraced(scenario('policy_deprecated.py'))
        self.assertEqual(res.err.count(b'DeprecationWarning'), 5)
        self.assertIn(b'policy_deprecated.py:13: DeprecationWarning', res.err)
        self.assertEqual(len(res.of('loop')), 2)


class AsCompleted(TracerTestCase):
    def test_reason_names_the_pending_tasks(self):
        res = self.assertSameAsUntraced(scenario('as_completed.py'))
        main = res.one('task', coro='main')['task']
        jobs = [t['task'] for t in res.of('task', coro='job')]
        reasons = [e['reason'] for e in res.of('step', task=main) if 'reason' in e]
        if not PY314:
            # Before 3.14 asyncio keeps no awaited-by edges: the wait shows as the
            # as_completed iterator's own queue.
            self.assertEqual(reasons[0]['kind'], 'queue_get')
            return
        # Through asyncio's awaited-by bookkeeping (what asyncio.capture_call_graph reads):
        # the tasks not finished yet, then the last one.
        self.assertEqual([(r['kind'], r.get('tasks') or [r.get('task')]) for r in reasons], [
            ('wait', jobs), ('wait', [jobs[0], jobs[2]]), ('task', [jobs[0]])])
        self.assertIn('as_completed', reasons[0]['text'])


if __name__ == '__main__':
    unittest.main()
