"""Instrument asyncio only when the program imports it: importing asyncio (and
concurrent.futures) is most of the tracer's start-up, and a program that never uses asyncio
should start about as fast as untraced.

when_imported(callback) puts a finder first in sys.meta_path. When the program (in any thread,
through any library, `from asyncio import ...` too) first imports asyncio, the finder hands
Python asyncio's own spec with its loader wrapped; loading it takes the finder out of
sys.meta_path, runs the package with the real loader, then callback() installs the patches,
before the import returns.
So the program's first `import asyncio` gets an instrumented asyncio, and afterwards nothing of
the tracer is left in sys.meta_path or on the module (its __loader__ and __spec__.loader are
asyncio's own again).
"""

import sys

NAME = 'asyncio'


def when_imported(callback):
    """callback() once asyncio is loaded: now if it already is, else at its first import."""
    if NAME in sys.modules:
        callback()
    else:
        sys.meta_path.insert(0, _Finder(callback))


class _Finder:
    def __init__(self, callback):
        self.callback = callback

    def find_spec(self, name, path=None, target=None):
        if name != NAME:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, 'find_spec', None)
            spec = find(name, path, target) if find is not None and finder is not self \
                else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, 'exec_module'):
            spec.loader = _Loader(spec.loader, self)
        return spec

    def loading(self):
        """Out of sys.meta_path, once: True for the one import that is loading asyncio (a
        spec found by importlib.util.find_spec alone is never loaded)."""
        try:
            sys.meta_path.remove(self)
        except ValueError:
            return False
        return True

    def invalidate_caches(self):
        pass


class _Loader:
    def __init__(self, loader, finder):
        self.loader = loader
        self.finder = finder

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        real = self.loader
        module.__spec__.loader = real
        module.__loader__ = real
        first = self.finder.loading()
        real.exec_module(module)
        if first:
            self.finder.callback()
