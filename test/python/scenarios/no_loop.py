import sys
print("no event loop here")
print("to stderr", file=sys.stderr)
