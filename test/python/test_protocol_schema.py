"""The validator that checks every traced run's events against src/protocol/schema.json finds
what is wrong, and the tracer's events of a real run pass it."""

import unittest

from protocol_schema import event_errors
from tracer_harness import run_traced, scenario

STEP = {'ev': 'step', 'task': 1, 't': 0.5, 'dur': 0.0001, 'to': 7,
        'stack': [[7, 'main']], 'reason': {'kind': 'yield', 'text': 'yielded'}}


class SchemaValidatorTest(unittest.TestCase):
    def test_accepts_a_valid_step(self):
        self.assertEqual(event_errors(STEP), [])

    def test_finds_a_missing_required_field(self):
        bad = dict(STEP)
        del bad['to']
        self.assertEqual(event_errors(bad), ["step: missing 'to'"])

    def test_finds_an_unknown_field_and_a_wrong_type(self):
        errors = event_errors(dict(STEP, task='1', colour='red'))
        self.assertIn("step: unknown field 'colour'", errors)
        self.assertIn("step.task: '1' is not of type integer", errors)

    def test_looks_inside_nested_shapes(self):
        errors = event_errors(dict(STEP, stack=[[7]], reason={'kind': 'nap', 'text': 'zz'}))
        self.assertTrue(any(e.startswith('step.stack[0]') for e in errors), errors)
        self.assertTrue(any(e.startswith('step.reason') for e in errors), errors)

    def test_a_boolean_is_not_an_integer(self):
        self.assertTrue(event_errors(dict(STEP, task=True)))

    def test_refuses_an_unknown_kind(self):
        self.assertTrue(event_errors({'ev': 'nap'}))

    def test_every_event_of_a_run_is_valid(self):
        res = run_traced(scenario('gather_sleep.py'))
        self.assertGreater(len(res.events), 10)
        for ev in res.events:
            self.assertEqual(event_errors(ev), [], ev)


if __name__ == '__main__':
    unittest.main()
