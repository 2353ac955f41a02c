"""splice() recompiles a function with hook code added and leaves no trace of the tracer on the
stack: same file, name, qualified name and line numbers as the original."""

import dis
import inspect
import os
import subprocess
import sys
import textwrap
import unittest

from tracer_harness import PY, TRACER_PATH

sys.path.insert(0, TRACER_PATH)
from loopscope_tracer import splice as splice_module  # noqa: E402
from loopscope_tracer.splice import SpliceError, patch, splice  # noqa: E402


class Sample:
    def __init__(self):
        self.__secret = 'mangled'
        self.log = []

    def run(self, callback, *args, scale=2):
        """The docstring stays first."""
        value = callback(*args) * scale
        if value > 10:
            return 'big'
        self.log.append(value)
        return value

    def nested(self):
        def inner():
            return 'inner'
        return inner()

    def falls_off(self):
        self.log.append('fell')

    def secret(self):
        return self.__secret

    def fails(self):
        raise ValueError('boom')


def positions(func):
    """Where each instruction that can raise points (a return inside a try/finally gets the
    finally's position)."""
    return {tuple(i.positions) for i in dis.get_instructions(func)
            if i.positions.col_offset is not None and not i.opname.startswith('RETURN')}


def lines_of(func):
    return {line for _, line in dis.findlinestarts(func.__code__) if line is not None}


class SpliceTest(unittest.TestCase):
    def setUp(self):
        self.saved = dict(Sample.__dict__)
        self.calls = []

    def tearDown(self):
        for name in ('run', 'nested', 'falls_off', 'secret', 'fails'):
            setattr(Sample, name, self.saved[name])

    def test_keeps_the_identity_and_line_numbers_of_the_original(self):
        original = Sample.run
        splice(Sample, 'run', {'_ls_note': self.calls.append}, enter=['_ls_note(args)'],
               leave=['_ls_note("left")'], result='_ls_value')
        new = Sample.run
        self.assertIsNot(new, original)
        for attr in ('co_filename', 'co_name', 'co_firstlineno', 'co_argcount',
                     'co_kwonlyargcount'):
            self.assertEqual(getattr(new.__code__, attr), getattr(original.__code__, attr), attr)
        self.assertEqual(lines_of(new), lines_of(original))
        self.assertEqual((new.__qualname__, new.__doc__, new.__kwdefaults__),
                         (original.__qualname__, original.__doc__, original.__kwdefaults__))
        self.assertEqual(inspect.signature(new), inspect.signature(original))
        if sys.version_info >= (3, 11):
            self.assertEqual(new.__code__.co_qualname, original.__code__.co_qualname)
            # Every original position (line and columns, which tracebacks point with) is
            # still there; the hook code adds its own, at column 0.
            self.assertLessEqual(positions(original), positions(new))

    def test_enter_sees_and_rebinds_arguments_leave_runs_result_wraps_every_return(self):
        splice(Sample, 'run', {'_ls_note': self.calls.append, '_ls_tag': lambda v: ('tagged', v)},
               enter=['_ls_note(args)', 'scale = scale + 1'], leave=['_ls_note("left")'],
               result='_ls_tag(_ls_value)')
        s = Sample()
        self.assertEqual(s.run(lambda x: x, 2), ('tagged', 6))
        self.assertEqual(s.run(lambda x: x, 5), ('tagged', 'big'))
        self.assertEqual(self.calls, [(2,), 'left', (5,), 'left'])

    def test_leave_runs_when_the_body_raises(self):
        splice(Sample, 'fails', {'_ls_note': self.calls.append}, leave=['_ls_note("left")'])
        try:
            Sample().fails()
        except ValueError as e:
            raised = e.__traceback__.tb_next
        self.assertEqual(self.calls, ['left'])
        self.assertEqual(raised.tb_frame.f_code.co_filename, __file__)
        self.assertEqual(raised.tb_lineno, self.saved['fails'].__code__.co_firstlineno + 1)

    def test_failed_runs_only_when_the_body_raises_and_the_exception_goes_on(self):
        splice(Sample, 'fails', {'_ls_note': self.calls.append}, leave=['_ls_note("left")'],
               failed=['_ls_note("failed")'])
        splice(Sample, 'falls_off', {'_ls_note': self.calls.append}, failed=['_ls_note("no")'])
        try:
            Sample().fails()
        except ValueError as e:
            raised = e.__traceback__.tb_next
        Sample().falls_off()
        self.assertEqual(self.calls, ['failed', 'left'])
        self.assertEqual(raised.tb_lineno, self.saved['fails'].__code__.co_firstlineno + 1)
        self.assertIsNone(raised.tb_next)

    def test_a_function_that_falls_off_its_end_returns_none_through_result(self):
        splice(Sample, 'falls_off', {'_ls_tag': lambda v: ('tagged', v)}, result='_ls_tag(_ls_value)')
        self.assertEqual(Sample().falls_off(), ('tagged', None))

    def test_returns_of_nested_functions_are_left_alone(self):
        splice(Sample, 'nested', {'_ls_tag': lambda v: ('tagged', v)}, result='_ls_tag(_ls_value)')
        self.assertEqual(Sample().nested(), ('tagged', 'inner'))

    def test_private_names_are_mangled_as_in_the_class(self):
        splice(Sample, 'secret', {'_ls_note': self.calls.append}, enter=['_ls_note(1)'])
        self.assertEqual(Sample().secret(), 'mangled')

    def test_refuses_what_it_cannot_recompile(self):
        class WithSuper(Sample):
            def run(self, callback, *args, scale=2):
                return super().run(callback, *args, scale=scale)

            @staticmethod
            def static():
                return 1
        for name in ('run', 'static'):
            with self.assertRaises(SpliceError):
                splice(WithSuper, name, {})
        namespace = {}
        exec('class NoSource:\n    def f(self):\n        return 1\n', namespace)
        with self.assertRaises(SpliceError):
            splice(namespace['NoSource'], 'f', {})
        self.assertIs(WithSuper.__dict__['run'].__code__.co_name, 'run')


    def test_patch_falls_back_to_a_wrapper_running_the_same_hook_code(self):
        class WithSuper(Sample):
            def run(self, callback, *args, scale=2):
                return super().run(callback, *args, scale=scale)

            def fails(self):
                return super().fails()
        note = self.calls.append
        patch(WithSuper, 'run', {'_ls_note': note, '_ls_tag': lambda v: ('tagged', v)},
              enter=['_ls_note(args)', 'scale = scale + 1'], leave=['_ls_note("left")'],
              result='_ls_tag(_ls_value)')
        patch(WithSuper, 'fails', {'_ls_note': note}, failed=['_ls_note("failed")'])
        self.assertEqual(WithSuper.run.__code__.co_filename, splice_module.__file__)
        self.assertEqual(inspect.signature(WithSuper.run), inspect.signature(Sample.run))
        self.assertEqual(WithSuper().run(lambda x: x, 2), ('tagged', 6))
        self.assertEqual(WithSuper().run(lambda x: x, 2, scale=5), ('tagged', 'big'))
        with self.assertRaises(ValueError):
            WithSuper().fails()
        self.assertEqual(self.calls, [(2,), 'left', (2,), 'left', 'failed'])

class CacheTest(unittest.TestCase):
    """A splice is compiled once and read back from the tracer's cache in later runs, and
    compiled again when the function is not the one it was compiled from."""

    RUN = textwrap.dedent('''
        import importlib.util, sys
        sys.path.insert(0, sys.argv[1])
        from loopscope_tracer import splice as s
        sys.dont_write_bytecode = True  # the tracer's package turned it off for its own modules
        compiled = []
        compile_splice = s._compile
        s._compile = lambda *args: compiled.append(1) or compile_splice(*args)
        spec = importlib.util.spec_from_file_location('sample', sys.argv[2])
        sample = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sample)
        s.splice(sample.K, 'f', {'_ls_tag': lambda v: ('tagged', v)}, result='_ls_tag(_ls_value)')
        print(sample.K().f(), len(compiled))
    ''')

    def setUp(self):
        import tempfile
        self.dir = tempfile.mkdtemp()
        self.module = os.path.join(self.dir, 'sample.py')

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir)

    def write(self, body, same_stat=False):
        """The module's K.f runs `body`; with same_stat, the file keeps its size and
        modification time."""
        old = os.stat(self.module) if same_stat else None
        with open(self.module, 'w') as f:
            f.write('class K:\n    def f(self):\n        %s\n' % body)
        if old is not None:
            self.assertEqual(os.path.getsize(self.module), old.st_size)
            os.utime(self.module, ns=(old.st_atime_ns, old.st_mtime_ns))

    def run_splice(self):
        """In a new process, like a new traced run: what the spliced K.f returns, and how many
        splices were compiled."""
        env = dict(os.environ, LOOPSCOPE_CACHE=os.path.join(self.dir, 'cache'),
                   PYTHONDONTWRITEBYTECODE='1')
        done = subprocess.run([PY, '-c', self.RUN, TRACER_PATH, self.module], env=env,
                              capture_output=True, text=True)
        self.assertEqual(done.stderr, '')
        return done.stdout.strip()

    def test_compiled_once_then_read_back_until_the_function_changes(self):
        self.write('return 1')
        self.assertEqual(self.run_splice(), "('tagged', 1) 1")
        self.assertEqual(self.run_splice(), "('tagged', 1) 0")
        self.write('return 22')
        self.assertEqual(self.run_splice(), "('tagged', 22) 1")
        self.write('return 33', same_stat=True)
        self.assertEqual(self.run_splice(), "('tagged', 33) 1")
        self.assertEqual(self.run_splice(), "('tagged', 33) 0")


class AsyncioStackTest(unittest.TestCase):
    """With Handle._run spliced, a coroutine sees the stack it sees untraced."""

    SCRIPT = textwrap.dedent('''
        import asyncio, inspect, sys
        if sys.argv[1] == 'spliced':
            sys.path.insert(0, sys.argv[2])
            from asyncio import events
            from loopscope_tracer.splice import splice
            seen = []
            splice(events.Handle, '_run', {'_ls_seen': seen.append}, enter=['_ls_seen(self)'],
                   leave=['_ls_seen(None)'])

        async def main():
            for f in inspect.stack():
                print(f.filename, f.lineno, f.function)

        asyncio.run(main())
        if sys.argv[1] == 'spliced':
            print(len(seen) > 0)
    ''')

    def test_inspect_stack_is_the_same_as_untraced(self):
        import tempfile
        with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as f:
            f.write(self.SCRIPT)
        try:
            plain = subprocess.run([PY, f.name, 'plain'], capture_output=True, text=True)
            spliced = subprocess.run([PY, f.name, 'spliced', TRACER_PATH], capture_output=True,
                                     text=True)
        finally:
            os.unlink(f.name)
        self.assertEqual(spliced.stderr, '')
        self.assertEqual(spliced.stdout, plain.stdout + 'True\n')


if __name__ == '__main__':
    unittest.main()
