# What a script sees of its environment must not change under the tracer.
import os
import sys
import warnings

print("name", __name__)
print("file", __file__)
print("argv", sys.argv)
print("cwd", os.getcwd())
print("path0", sys.path[0])
print("globals", sorted(k for k in globals() if k.startswith("__")))
print("spec", __spec__, "package", __package__, "cached", globals().get("__cached__", "unset"))
print("tracer on sys.path", any("tracer" in p for p in sys.path))
print("PYTHONPATH", os.environ.get("PYTHONPATH"))
print("stdout tty", sys.stdout.isatty(), sys.stdout.encoding, sys.stdout.errors)
print("flags", sys.flags, sys._xoptions, sys.warnoptions)
print("orig_argv", getattr(sys, "orig_argv", None))
warnings.warn("old API", DeprecationWarning)
warnings.warn("careful", UserWarning)
fd = os.open(os.devnull, os.O_RDONLY)
print("first free fd", fd)
os.close(fd)
