"""Runs CPython test modules (or single tests) with unittest and writes what happened to each
test as JSON lines, so that a plain run and a traced run can be compared test by test.
scripts/test-cpython.mjs runs it both ways: `python driver.py ...` and
`python -m loopscope_tracer --events-file ... driver.py ...`.

    python driver.py --out FILE [--test-timeout S] NAME...

NAME is a module (test.test_asyncio.test_tasks) or a test id (module.Class.test_method).
Lines written to FILE, each flushed at once so a run that dies keeps what it wrote:
    {"ids": [...]}                         every test collected, in running order
    {"id": ID, "start": true}              before each test
    {"id": ID, "outcome": O, "detail": D, "secs": T}
                                           after it; O is pass, fail, error, skip, xfail, xpass;
                                           T is time.perf_counter()'s, which the virtual clock
                                           moves (only plain runs' times are real)
A test still running after S real seconds (default 30): faulthandler writes every thread's
stack to FILE.hang and ends the process; the runner then resumes with the tests that are left.
"""

import faulthandler
import json
import sys
import time
import unittest


class JsonLinesResult(unittest.TestResult):
    def __init__(self, out, hang, timeout):
        super().__init__()
        self._out = out
        self._hang = hang
        self._timeout = timeout
        self._outcome = None

    def write(self, record):
        self._out.write(json.dumps(record) + '\n')
        self._out.flush()

    def startTest(self, test):
        super().startTest(test)
        self._outcome = ('pass', None)
        self._started = time.perf_counter()
        self.write({'id': test.id(), 'start': True})
        faulthandler.dump_traceback_later(self._timeout, exit=True, file=self._hang)

    def stopTest(self, test):
        faulthandler.cancel_dump_traceback_later()
        outcome, detail = self._outcome
        self._outcome = None
        self.write({'id': test.id(), 'outcome': outcome, 'detail': detail,
                    'secs': round(time.perf_counter() - self._started, 3)})
        super().stopTest(test)

    def _set(self, test, outcome, detail):
        if self._outcome is None:
            # An error outside any test (setUpModule, setUpClass, tearDownModule).
            self.write({'id': test.id(), 'outcome': outcome, 'detail': detail})
        elif self._outcome[0] in ('pass', 'skip', 'xfail'):
            self._outcome = (outcome, detail)

    def addError(self, test, err):
        super().addError(test, err)
        self._set(test, 'error', self._exc_info_to_string(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, 'fail', self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = 'fail' if issubclass(err[0], test.failureException) else 'error'
            self._set(test, kind, '%s\n%s' % (subtest.id(), self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, 'skip', reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(test, 'xfail', None)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, 'xpass', None)


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def main(argv):
    out_path = None
    timeout = 30.0
    names = []
    i = 0
    while i < len(argv):
        if argv[i] == '--out':
            out_path = argv[i + 1]
            i += 2
        elif argv[i] == '--test-timeout':
            timeout = float(argv[i + 1])
            i += 2
        else:
            names.append(argv[i])
            i += 1
    if out_path is None or not names:
        sys.exit('usage: driver.py --out FILE [--test-timeout S] NAME...')
    suite = unittest.defaultTestLoader.loadTestsFromNames(names)
    with open(out_path, 'a') as out, open(out_path + '.hang', 'w') as hang:
        result = JsonLinesResult(out, hang, timeout)
        result.write({'ids': [t.id() for t in flatten(suite)]})
        result.startTestRun()
        suite.run(result)
        result.stopTestRun()


if __name__ == '__main__':
    main(sys.argv[1:])
