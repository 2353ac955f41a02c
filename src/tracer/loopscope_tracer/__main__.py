# Entry point of `python -m loopscope_tracer`. Option parsing lives in cli.py.
# Keep this file tiny: the runner clears this module's globals (they become the user's
# `__main__`), so nothing here may run after main() has started the user's file.
from loopscope_tracer.cli import main
main()
