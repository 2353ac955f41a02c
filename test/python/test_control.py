"""The control channel: pause, step N, continue, stop; the clock frozen while paused."""
import time
import unittest

from tracer_harness import TracerTestCase, run_traced, scenario


class Stepping(TracerTestCase):
    def run_stepping(self, n, delay=0.0, opts=()):
        pauses = []

        def on_event(ev, send):
            if ev['ev'] == 'pause':
                pauses.append(ev)
                if delay:
                    time.sleep(delay)
                send('step %d' % n)

        res = run_traced(scenario('stepping.py'), opts=['--pause-at-start'] + list(opts),
                         on_event=on_event)
        self.assertMatchesUntraced(res, scenario('stepping.py'))
        self.assertEqual(res.rc, 0)
        self.assertWellFormed(res)
        return res, pauses

    def check_exact(self, res, n):
        pauses = res.of('pause')
        self.assertGreater(len(pauses), 3)
        self.assertEqual([p['n'] for p in pauses], list(range(1, 1 + n * len(pauses), n)))
        # exactly n ticks between two pauses
        count = None
        for e in res.events:
            if e['ev'] == 'pause':
                if count is not None:
                    self.assertEqual(count, n)
                count = 0
            elif e['ev'] == 'tick':
                count += 1

    def test_step_1(self):
        res, _ = self.run_stepping(1)
        self.check_exact(res, 1)

    def test_step_3(self):
        res, _ = self.run_stepping(3)
        self.check_exact(res, 3)

    def test_pause_reports_every_task(self):
        res, _ = self.run_stepping(1)
        workers = {t['task']: t['label'] for t in res.task_by_coro('worker')}
        main = res.one('task', coro='main')['task']
        seen_sleeping = False
        for p in res.of('pause'):
            ids = [t['task'] for t in p['tasks']]
            done_before = {e['task'] for e in res.events[:res.events.index(p)]
                           if e['ev'] == 'done'}
            created = {e['task'] for e in res.events[:res.events.index(p)]
                       if e['ev'] == 'task' and e['loop'] == p['loop']}
            self.assertEqual(set(ids), created - done_before)
            for t in p['tasks']:
                self.assertIn('kind', t['reason'])
                self.assertTrue(t['reason']['text'])
                if t['task'] in workers and t['reason']['kind'] == 'sleep':
                    self.assertEqual(t['line'], 10)
                    self.assertEqual(t['stack'], [[10, 'worker']])
                    seen_sleeping = True
            if main in ids:
                entry = [t for t in p['tasks'] if t['task'] == main][0]
                self.assertIn(entry['line'], (14, 18))  # def line before its first step
        self.assertTrue(seen_sleeping)

    def test_clock_frozen_while_paused(self):
        # Each pause lasts 50 ms of real time; the program's printed loop times and its
        # time.time() measurement must not see it.
        res, pauses = self.run_stepping(2, delay=0.05)
        self.assertGreater(len(pauses), 3)

    def test_clock_frozen_in_real_mode(self):
        state = {'paused': False}

        def on_event(ev, send):
            if ev['ev'] == 'output' and ev['text'].startswith('a woke') and not state['paused']:
                state['paused'] = True
                send('pause')
            elif ev['ev'] == 'pause':
                time.sleep(0.6)
                send('continue')

        res = run_traced(scenario('stepping.py'), opts=['--clock', 'real'], on_event=on_event)
        self.assertWellFormed(res)
        self.assertEqual(len(res.of('pause')), 1)
        elapsed = float(res.out.decode().split('elapsed')[1])
        # 0.9 s of sleeps; without freezing, the pause would add 0.6 s more
        self.assertLess(elapsed, 1.4)

    def test_stop_while_paused(self):
        def on_event(ev, send):
            if ev['ev'] == 'pause':
                send('stop' if ev['n'] >= 9 else 'step 2')

        res = run_traced(scenario('stepping.py'), opts=['--pause-at-start'], on_event=on_event)
        self.assertWellFormed(res)
        self.assertEqual(res.end['outcome'], 'stopped')
        self.assertEqual(res.end['exitCode'], 3)
        self.assertEqual(res.rc, 3)
        self.assertEqual([p['n'] for p in res.of('pause')], [1, 3, 5, 7, 9])
        self.assertEqual(len(res.of('tick')), 8)
        self.assertNotIn(b'elapsed', res.out)

    def test_stop_while_running(self):
        def on_event(ev, send):
            if ev['ev'] == 'output' and ev['text'] == 'spinning':
                send('stop')

        res = run_traced(scenario('spin.py'), opts=['--max-ticks', '0',
                                                     '--max-virtual-seconds', '0'],
                         on_event=on_event)
        self.assertWellFormed(res)
        self.assertEqual(res.end['outcome'], 'stopped')
        self.assertIsNone(res.end['limit'])
        self.assertEqual(res.rc, 3)
        self.assertEqual(res.out, b'spinning\n')

    def test_pause_while_running_then_stop(self):
        def on_event(ev, send):
            if ev['ev'] == 'output' and ev['text'] == 'still going 1000':
                send('pause')
            elif ev['ev'] == 'pause':
                send('stop')

        res = run_traced(scenario('forever.py'), on_event=on_event)
        self.assertWellFormed(res)
        pause = res.one('pause')
        self.assertEqual(len(pause['tasks']), 1)
        self.assertEqual(pause['tasks'][0]['reason']['kind'], 'sleep')
        self.assertEqual(res.end['outcome'], 'stopped')

    def test_eof_means_continue(self):
        def on_event(ev, send):
            if ev['ev'] == 'pause':
                send(None)

        res = run_traced(scenario('stepping.py'), opts=['--pause-at-start'], on_event=on_event)
        self.assertWellFormed(res)
        self.assertEqual(len(res.of('pause')), 1)
        self.assertEqual(res.end['outcome'], 'completed')


if __name__ == '__main__':
    unittest.main()
