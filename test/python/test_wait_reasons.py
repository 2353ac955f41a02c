"""A wait reason of each kind, with its details."""
import os
import subprocess
import sys
import unittest

from tracer_harness import TracerTestCase, scenario


def reasons_by_coro(res):
    coro = {t['task']: t['coro'].split('.')[-1] for t in res.of('task')}
    out = {}
    for s in res.of('step'):
        if 'reason' in s:
            out.setdefault(coro[s['task']], []).append(s['reason'])
    return out


class WaitReasons(TracerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = None

    def setUp(self):
        if WaitReasons.res is None:
            WaitReasons.res = self.assertSameAsUntraced(scenario('wait_reasons.py'))
        self.res = WaitReasons.res
        self.by = reasons_by_coro(self.res)

    def first(self, coro, kind):
        for r in self.by.get(coro, []):
            if r['kind'] == kind:
                self.assertTrue(r['text'])
                return r
        self.fail('%s never waited with kind %s: %r' % (coro, kind, self.by.get(coro)))

    def task_ids(self, coro):
        return [t['task'] for t in self.res.task_by_coro(coro)]

    def test_sleep(self):
        r = self.first('sleep_kind', 'sleep')
        self.assertEqual(r['delay'], 5.0)
        timer = self.res.one('timer', timer=r['timer'])
        self.assertAlmostEqual(timer['when'], r['wake'], places=5)
        self.assertIn('asyncio.sleep(5)', r['text'])

    def test_yield(self):
        self.first('yield_kind', 'yield')

    def test_task(self):
        r = self.first('task_kind', 'task')
        self.assertIn(r['task'], self.task_ids('child'))

    def test_gather(self):
        r = self.first('gather_kind', 'gather')
        gk = self.task_ids('gather_kind')[0]
        kids = [t['task'] for t in self.res.of('task', parent=gk)]
        self.assertEqual(r['children'], kids)
        self.assertEqual(r['pending'], 2)

    def test_queues(self):
        r = self.first('queue_get_kind', 'queue_get')
        self.assertEqual((r['size'], r['maxsize']), (0, 1))
        r = self.first('queue_put_kind', 'queue_put')
        self.assertEqual((r['size'], r['maxsize']), (1, 1))
        r = self.first('queue_join_kind', 'queue_join')
        self.assertEqual(r['unfinished'], 2)

    def test_locks(self):
        self.assertTrue(self.first('lock_kind', 'lock')['locked'])
        self.assertEqual(self.first('semaphore_kind', 'semaphore')['value'], 0)
        self.first('event_kind', 'event')
        self.first('condition_kind', 'condition')

    def test_executor(self):
        r = self.first('executor_kind', 'executor')
        self.assertEqual(r['fn'], 'sleep')
        job = self.res.one('job', job=r['job'])
        self.assertEqual(job['fn'], 'sleep')
        self.assertIn(job['task'], self.task_ids('executor_kind'))

    @unittest.skipUnless(sys.version_info >= (3, 9), 'to_thread exists from 3.9')
    def test_to_thread(self):
        r = self.first('main', 'executor')
        self.assertEqual(r['fn'], 'slow_sum')

    def test_wait_for(self):
        r = self.first('wait_for_kind', 'wait_for')
        self.assertEqual(r['timeout'], 0.5)
        self.assertIsNotNone(r['deadline'])

    def test_wait(self):
        r = self.first('wait_kind', 'wait')
        self.assertEqual(len(r['tasks']), 2)
        self.assertEqual(r['returnWhen'], 'FIRST_COMPLETED')
        self.assertEqual(r['pending'], 2)

    def test_shield(self):
        r = self.first('shield_kind', 'shield')
        self.assertIn(r['task'], self.task_ids('child'))

    def test_unknown_future(self):
        r = self.first('future_kind', 'future')
        self.assertEqual(r['type'], 'Future')

    def test_io(self):
        r = self.first('main', 'io_connect')  # io_kinds() runs inside main's task
        self.assertTrue(r['peer'].startswith('127.0.0.1:'))
        r = self.first('handle_client', 'io_read')
        self.assertTrue(r['peer'].startswith('127.0.0.1:'))
        self.assertIsInstance(r['fd'], int)
        self.first('io_write_kind', 'io_write')
        self.first('serve_forever', 'io_accept')
        self.first('io_accept_kind', 'io_accept')

    def test_subprocess(self):
        kinds = [r['kind'] for r in self.by['subprocess_kind']]
        self.assertEqual(set(kinds), {'subprocess'})
        self.assertTrue(any(r['pid'] for r in self.by['subprocess_kind']))


@unittest.skipUnless(sys.version_info >= (3, 11), 'TaskGroup, timeout, Barrier: 3.11+')
class WaitReasons311(TracerTestCase):
    def test_taskgroup_timeout_barrier(self):
        res = self.assertSameAsUntraced(scenario('wait_reasons_311.py'))
        by = reasons_by_coro(res)
        tg = [r for r in by['taskgroup_kind'] if r['kind'] == 'taskgroup'][0]
        self.assertEqual(tg['pending'], 2)
        self.assertEqual(sorted(tg['tasks']),
                         sorted(t['task'] for t in res.task_by_coro('child')))
        to = [r for r in by['timeout_kind'] if r['kind'] == 'timeout'][0]
        self.assertIsNotNone(to['deadline'])
        br = [r for r in by['barrier_kind'] if r['kind'] == 'barrier'][0]
        self.assertEqual((br['parties'], br['waiting']), (2, 1))


class UnknownAwaitables(TracerTestCase):
    def test_never_crash(self):
        res = self.assertSameAsUntraced(scenario('unknown_awaitable.py'))
        kinds = {r['kind'] for r in res.reasons()}
        self.assertIn('yield', kinds)       # the bare yield
        self.assertIn('sleep', kinds)       # through a generator-based coroutine / async gen
        self.assertIn('future', kinds)      # a plain future
        main = res.one('task', coro='main')['task']
        stacks = [s['stack'] for s in res.of('step', task=main) if 'stack' in s]
        # async for over an async generator: the generator's frame is in the await stack
        self.assertTrue(any(st[-1][1] == 'agen' for st in stacks), stacks)


@unittest.skipUnless(sys.version_info >= (3, 11), 'TaskGroup exists from 3.11')
class TaskGroupCounts(TracerTestCase):
    def test_a_finished_sibling_still_counts(self):
        res = self.assertSameAsUntraced(scenario('taskgroup_cancel.py'))
        tg = [r for r in res.reasons() if r['kind'] == 'taskgroup']
        self.assertTrue(tg)
        for r in tg:
            self.assertGreater(r['pending'], 0)
            self.assertNotIn('waiting for 0 task', r['text'])


class Libraries(TracerTestCase):
    def test_library_code_is_not_the_users(self):
        # fakelib lives in a dist-packages folder, venvlib in another site-packages: their
        # frames are not user frames, the tasks whose coroutine they hold name them, and a
        # wait that goes on into them says where.
        res = self.assertSameAsUntraced(scenario('libraries.py'))
        fakelib = os.path.join(scenario('libs'), 'dist-packages', 'fakelib', '__init__.py')
        venvlib = os.path.join(scenario('libs'), 'site-packages', 'venvlib.py')
        main = res.one('task', coro='main')
        self.assertNotIn('lib', main)
        fetch = res.one('task', coro='fetch')
        self.assertEqual(fetch['lib'], 'fakelib')
        self.assertFalse(fetch['internal'])
        self.assertEqual(res.one('task', coro='wait_for_event')['lib'], 'venvlib')
        internal = [t for t in res.of('task') if t['internal']]
        self.assertTrue(internal)
        self.assertTrue(all(t['lib'] == 'asyncio' for t in internal))

        first = res.of('step', task=main['task'])[0]
        self.assertEqual((first['to'], first['stack']), (18, [[18, 'main']]))
        self.assertNotIn('file', first)
        self.assertEqual(first['reason']['kind'], 'sleep')
        self.assertEqual(first['reason']['via'],
                         {'lib': 'fakelib', 'fn': 'fetch', 'line': 6, 'file': fakelib})
        waiter = res.of('step', task=res.one('task', coro='wait_for_event')['task'])[0]
        self.assertIsNone(waiter['to'])
        self.assertEqual(waiter['reason']['kind'], 'event')
        self.assertEqual(waiter['reason']['via'],
                         {'lib': 'venvlib', 'fn': 'wait_for_event', 'line': 6, 'file': venvlib})
        # A wait in user code has no via.
        self.assertNotIn('via', res.of('step', task=main['task'])[1]['reason'])


class PendingCounts(TracerTestCase):
    def test_reason_events_while_suspended(self):
        # A `reason` event each time a task the suspended main() waits for finishes (and, for
        # a TaskGroup, when the group has processed it); none once main() is woken.
        res = self.assertSameAsUntraced(scenario('pending_counts.py'))
        main = res.one('task', coro='main')['task']
        seen = [(e['ev'], e['reason']['kind'], e['reason']['pending'], e['reason']['text'])
                for e in res.events if e['ev'] in ('step', 'reason') and e['task'] == main
                and 'reason' in e]
        expected = [('step', 'gather', 3), ('reason', 'gather', 2), ('reason', 'gather', 1),
                    ('reason', 'gather', 0),
                    ('step', 'wait', 2), ('reason', 'wait', 1), ('reason', 'wait', 0)]
        if sys.version_info >= (3, 11):
            expected += [('step', 'taskgroup', 2), ('reason', 'taskgroup', 2),
                         ('reason', 'taskgroup', 1), ('reason', 'taskgroup', 1)]
        self.assertEqual([s[:3] for s in seen], expected)
        self.assertIn('1 of 3 awaitables pending', seen[2][3])
        if sys.version_info >= (3, 11):
            self.assertIn('(1 finished, completion not yet processed)', seen[8][3])
        # A reason event comes at the end of the tick in which a task it counts finished (or,
        # for a TaskGroup, the group's done callback ran).
        tick = []
        for e in res.events:
            if e['ev'] == 'tick':
                tick = []
            elif e['ev'] == 'reason':
                self.assertTrue(any(x['ev'] == 'done' or x.get('fn') == 'TaskGroup._on_task_done'
                                    for x in tick), tick)
            tick.append(e)
        self.assertEqual(res.of('reason', task=main)[0]['reason']['children'],
                         [t['task'] for t in res.task_by_coro('nap')[:3]])


if __name__ == '__main__':
    unittest.main()


def _debian_python_with_aiohttp():
    """Debian's python3 when it has python3-aiohttp (apt-get install python3-aiohttp) and is
    of the running tests' version (so that one version of the suite runs the test)."""
    exe = '/usr/bin/python3'
    if not os.path.exists(exe):
        return None
    probe = subprocess.run([exe, '-c', 'import sys, aiohttp; print(sys.version_info[:2])'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if probe.returncode != 0 or probe.stdout.decode().strip() != str(sys.version_info[:2]):
        return None
    return exe


AIOHTTP_PYTHON = _debian_python_with_aiohttp()


class FuturesFollowed(TracerTestCase):
    """A bare future is followed to what will resolve it: who holds it, then their
    connection or task."""

    def test_protocol_reply(self):
        res = self.assertSameAsUntraced(scenario('protocol_reply.py'))
        main = res.one('task', coro='main')['task']
        last = res.one('step', task=main, to=30)['reason']  # print(await client.reply)
        self.assertEqual(last['kind'], 'io_read')
        self.assertRegex(last['peer'], r'^127\.0\.0\.1:\d+$')
        self.assertIn('client.reply, a Client', last['text'])

    @unittest.skipUnless(AIOHTTP_PYTHON, "Debian's python3 of this version with aiohttp")
    def test_aiohttp_client_waits_on_its_connection(self):
        res = self.assertSameAsUntraced(scenario('aiohttp_round_trip.py'),
                                        python=AIOHTTP_PYTHON)
        self.assertEqual(res.out, b'200 hi\n')
        main = res.one('task', coro='main')['task']
        reasons = [e['reason'] for e in res.of('step', task=main) if 'reason' in e]
        waiting = [r for r in reasons if r['kind'] == 'io_read']
        self.assertEqual(len(waiting), 1, reasons)
        port = waiting[0]['peer'].rsplit(':', 1)[1]
        self.assertIn('aiohttp', waiting[0]['text'])
        self.assertEqual(waiting[0]['via']['lib'], 'aiohttp')
        # The server's request handler task waits on the other end of the same connection.
        handler = [t['task'] for t in res.of('task') if t['coro'] == 'RequestHandler.start']
        self.assertEqual(len(handler), 1)
        theirs = [e['reason'] for e in res.of('step', task=handler[0])
                  if e.get('reason', {}).get('kind') == 'io_read']
        self.assertTrue(theirs)
        self.assertNotEqual(theirs[0]['peer'].rsplit(':', 1)[1], port)
        self.assertNotIn('awaiting a Future', ' '.join(r['text'] for r in reasons))
