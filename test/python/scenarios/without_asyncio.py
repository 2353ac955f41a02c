# Never imports asyncio: nor may the tracer (issue 14.2, start-up).
import sys
import time
print("asyncio loaded:", 'asyncio' in sys.modules)
print("concurrent.futures loaded:", 'concurrent.futures' in sys.modules)
print("clock moves:", time.monotonic() <= time.monotonic())
