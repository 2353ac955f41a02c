# A library task runs the user's handler, which holds the loop just over the 100 ms threshold.
import asyncio
import os
import sys
import time

sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), 'libs', 'dist-packages')]

import fakelib  # noqa: E402


def handler():
    time.sleep(0.104)
    return 'handled'


print(asyncio.run(fakelib.serve(handler)))
