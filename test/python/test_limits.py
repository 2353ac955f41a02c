"""Limits stop the program cleanly, say which limit, keep everything (exit 3)."""
import sys
import unittest

from tracer_harness import TracerTestCase, run_traced, scenario


class Limits(TracerTestCase):
    def check_limit(self, res, which):
        self.assertWellFormed(res)
        self.assertEqual(res.rc, 3)
        end = res.end
        self.assertEqual(end['outcome'], 'limit')
        self.assertEqual(end['limit'], which)
        self.assertEqual(end['exitCode'], 3)
        self.assertEqual(res.err, b'')

    def test_defaults_in_start(self):
        res = run_traced(scenario('no_loop.py'))
        self.assertEqual(res.events[0]['limits'],
                         {'ticks': 1000000, 'virtualSeconds': 3600.0, 'wallSeconds': 60.0,
                          'events': 5000000})
        self.assertEqual(res.events[0]['blockingMs'], 100.0)
        res = run_traced(scenario('no_loop.py'), opts=['--max-ticks', '5', '--max-events', '0',
                                                       '--blocking-ms', '20'])
        self.assertEqual(res.events[0]['limits']['ticks'], 5)
        self.assertIsNone(res.events[0]['limits']['events'])
        self.assertEqual(res.events[0]['blockingMs'], 20.0)

    def test_sleep_forever_hits_virtual_seconds(self):
        res = run_traced(scenario('forever.py'))
        self.check_limit(res, 'virtual-seconds')
        self.assertIn(b'still going 3000\n', res.out)
        self.assertNotIn(b'still going 4000', res.out)
        ticks = res.of('tick')
        self.assertLessEqual(ticks[-1]['t'] - ticks[0]['t'], 3601)
        self.assertEqual(res.of('output')[-1]['text'], 'still going 3000')

    def test_virtual_seconds_option(self):
        res = run_traced(scenario('forever.py'), opts=['--max-virtual-seconds', '10'])
        self.check_limit(res, 'virtual-seconds')
        ticks = res.of('tick')
        self.assertLessEqual(ticks[-1]['t'] - ticks[0]['t'], 11)

    def test_ticks(self):
        res = run_traced(scenario('spin.py'), opts=['--max-ticks', '500'])
        self.check_limit(res, 'ticks')
        self.assertEqual(len(res.of('tick')), 500)
        self.assertEqual(res.out, b'spinning\n')

    def test_events(self):
        res = run_traced(scenario('spin.py'), opts=['--max-events', '300'])
        self.check_limit(res, 'events')
        self.assertEqual(len(res.events), 301)  # the limit, then `end`
        self.assertEqual(res.out, b'spinning\n')

    def test_wall_seconds(self):
        # 3 s, not 1: under load 17, 3.14 took over a second to reach the print.
        res = run_traced(scenario('stuck.py'), opts=['--max-wall-seconds', '3'])
        self.check_limit(res, 'wall-seconds')
        self.assertEqual(res.out, b'about to block\n')
        self.assertGreaterEqual(res.end['wall'], 3.0)


class BlockingAtStop(TracerTestCase):
    def test_wall_limit_reports_the_spinning_step(self):
        res = run_traced(scenario('never_yields.py'), opts=['--max-wall-seconds', '3'])
        self.assertWellFormed(res)
        self.assertEqual(res.end['limit'], 'wall-seconds')
        blocking = res.of('blocking')
        self.assertEqual(len(blocking), 1)
        b = blocking[0]
        self.assertEqual(b['what'], 'step')
        self.assertEqual(b['fn'], 'spin')
        # 3.8/3.9 and 3.14+ sample the loop's jump, which their compilers give to the `pass`
        # line (3.10-3.13 give it to the `while` line).
        self.assertIn(b['line'], (4,) if (3, 10) <= sys.version_info < (3, 14) else (4, 5))
        # The step spins from the loop's start to the stop: the wall limit counts from the
        # tracer's start, and the program's own start (importing asyncio) comes before the loop.
        self.assertGreaterEqual(b['dur'], res.end['wall'] - res.one('loop')['wall'] - 0.1)
        self.assertEqual(res.events[-2]['ev'], 'blocking')


if __name__ == '__main__':
    unittest.main()
