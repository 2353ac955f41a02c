"""The virtual clock: jumps over idle waits, keeps timer order, and the program's clocks."""
import ast
import sys
import unittest

from tracer_harness import TracerTestCase, run_traced, scenario


def split_at_outputs(res, markers):
    """Events between the output lines that start each marker."""
    parts = {}
    current = None
    for e in res.events:
        if e['ev'] == 'output' and e['text'] in markers:
            current = e['text']
            parts[current] = []
        elif current is not None:
            parts[current].append(e)
    return parts


class VirtualClock(TracerTestCase):
    def test_completion_times(self):
        res = self.assertSameAsUntraced(scenario('gather_sleep.py'))
        t0 = res.of('tick', loop=1)[0]['t']
        done = {}
        for t in res.task_by_coro('fetch_data'):
            done[t['label']] = res.one('done', task=t['task'])['t'] - t0
        self.assertAlmostEqual(done['fetch_data(1, 1)'], 2.0, delta=0.05)
        self.assertAlmostEqual(done['fetch_data(1, 2)'], 3.0, delta=0.05)
        self.assertAlmostEqual(done['fetch_data(2, 2)'], 4.0, delta=0.05)
        self.assertEqual(res.events[0]['clock'], 'virtual')

    def test_ordering_and_program_clocks(self):
        # same-deadline timers, call_later/call_at order, time.time/monotonic/datetime deltas
        res = self.assertSameAsUntraced(scenario('clock.py'))
        self.assertIn(b"['t2', 't5', 't0', 't1', 't3', 't4', 't6']", res.out)
        self.assertIn(b"datetime 3.0", res.out)

    def test_no_jump_while_others_run(self):
        res = self.assertSameAsUntraced(scenario('quiescence.py'))
        parts = split_at_outputs(res, ('phase thread', 'phase executor', 'phase alone'))
        for phase in ('phase thread', 'phase executor'):
            ticks = [e for e in parts[phase] if e['ev'] == 'tick']
            self.assertTrue(ticks)
            # until the thread / job is done, every wait is real
            outputs = [e for e in parts[phase] if e['ev'] == 'output']
            last_tick_output = outputs[2]
            before = parts[phase][:parts[phase].index(last_tick_output)]
            self.assertEqual([e['jump'] for e in before if e['ev'] == 'tick' and e['jump']], [],
                             phase)
        # Alone again, the clock jumps (the first wait may still be real: the executor's
        # worker finishes its bookkeeping right after it hands over the result).
        alone = [e for e in parts['phase alone'] if e['ev'] == 'tick' and e['jump'] > 0]
        self.assertGreaterEqual(len(alone), 2)

    def test_real_mode(self):
        res = self.assertSameAsUntraced(scenario('real_short.py'), opts=['--clock', 'real'])
        self.assertEqual(res.events[0]['clock'], 'real')
        ticks = res.of('tick')
        self.assertEqual([t['jump'] for t in ticks if t['jump']], [])
        self.assertGreaterEqual(sum(t['waited'] for t in ticks), 0.15)


class WakersBesidesTimers(TracerTestCase):
    """The virtual clock jumps only when nothing but a timer can wake the loop; each of these
    scenarios times out (or dies later) when it jumps."""

    def assertRealWaits(self, res):
        # The wait that something outside the timers ended was real: no tick jumped.
        self.assertEqual([t['jump'] for t in res.of('tick') if t['jump']], [])
        self.assertGreater(sum(t['waited'] for t in res.of('tick')), 0.05)

    @unittest.skipUnless(hasattr(__import__('socket'), 'TCP_CORK'), 'TCP_CORK is Linux\'s')
    def test_bytes_held_by_the_kernel(self):
        res = self.assertSameAsUntraced(scenario('kernel_bytes.py'))
        self.assertIn(b"server read b'ping'", res.out)
        self.assertRealWaits(res)

    def test_child_exit_by_sigchld(self):
        res = self.assertSameAsUntraced(scenario('sigchld.py'))
        self.assertIn(b'child exited: True 0', res.out)
        self.assertRealWaits(res)

    @unittest.skipUnless(hasattr(__import__('asyncio'), 'SafeChildWatcher'),
                         'child watchers exist up to 3.13')
    def test_safe_child_watcher(self):
        res = self.assertSameAsUntraced(scenario('safe_child_watcher.py'))
        self.assertIn(b'exit code 0', res.out)
        self.assertRealWaits(res)

    def test_interval_timer_with_a_loop_handler(self):
        res = self.assertSameAsUntraced(scenario('itimer.py'))
        self.assertIn(b'caught 1', res.out)
        self.assertRealWaits(res)

    def test_alarm_kills_and_events_are_kept(self):
        # SIGALRM's default action ends the process during the sleep, as untraced; what the
        # tracer recorded before is in the trace (no `end`: the process was killed).
        res = self.assertSameAsUntraced(scenario('alarm_kill.py'), ended=False)
        self.assertEqual(res.rc, -14)
        self.assertEqual(res.of('end'), [])
        self.assertEqual(res.one('output', text='sleeping')['line'], 9)
        last = res.events[-1]
        self.assertEqual((last['ev'], last['reason']['kind']), ('step', 'sleep'))


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


class DeterministicClock(TracerTestCase):
    def run_it(self):
        res = run_traced(scenario('deterministic.py'), opts=['--clock', 'deterministic'])
        self.assertWellFormed(res)
        self.assertEqual(res.rc, 0, res.err)
        self.assertEqual(res.events[0]['clock'], 'deterministic')
        return res

    def test_the_same_times_on_every_run(self):
        first = self.run_it()
        lines = first.out.decode().splitlines()
        # Every wake-up is exactly on its deadline, whatever the work between the sleeps took.
        for name in ('w0', 'w1', 'w2'):
            delays = ast.literal_eval([l for l in lines if l.startswith(name + ' delays')][0]
                                      .split('delays ')[1])
            woke = [float(l.split('at ')[1]) for l in lines if l.startswith(name + ' woke')]
            expected = [round(sum(delays[:i + 1]), 6) for i in range(len(delays))]
            self.assertEqual(woke, expected)
        last = max(float(l.split('at ')[1]) for l in lines if l[0] == 'w' and ' woke ' in l)
        self.assertIn('sleep(1) woke at %.6f' % (last + 1), lines)
        # A blocking time.sleep on the loop's thread moves the clocks by exactly its time.
        self.assertIn('after time.sleep(0.2) at %.6f, perf_counter %.6f' % (last + 1.2, last + 1.2),
                      lines)
        # A wait that must be real (a thread) still moves loop time by the real time.
        self.assertIn('after a real wait of 0.05: True', lines)
        jumps = [t['jump'] for t in first.of('tick') if t['jump']]
        self.assertTrue(jumps)
        self.assertTrue(all(round(j, 6) in (0.1, 0.15, 0.05, 0.25, 0.5, 1.0) for j in jumps), jumps)

        def before_the_thread(res):
            ticks = [(t['n'], t['t'], t['ready']) for t in res.of('tick') if t['t'] <= last + 1.2]
            out = res.out.decode().split('after a real wait')[0]
            return ticks, out

        second = self.run_it()
        self.assertEqual(before_the_thread(first), before_the_thread(second))


if __name__ == '__main__':
    unittest.main()
