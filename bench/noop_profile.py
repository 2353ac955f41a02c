"""Runs a script under a sys.setprofile hook that does nothing: the floor of any profile-hook tracer.

    python bench/noop_profile.py script.py [args...]
"""
import os
import runpy
import sys


def noop(frame, event, arg):
    pass


script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(script))  # as when the script is run directly
sys.setprofile(noop)
runpy.run_path(script, run_name="__main__")
