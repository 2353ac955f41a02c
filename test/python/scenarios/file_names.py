# A file name that is not UTF-8 reaches the program surrogate-escaped; printing it works when
# stdout's errors handler is surrogateescape (the C locale's UTF-8 mode) and raises otherwise.
import os
import sys

print('stdout', sys.stdout.encoding, sys.stdout.errors)
print('name', os.fsdecode(b'caf\xe9.txt'))
