# What an empty program finds already imported (issue 14.2, start-up): the names in
# sys.modules, after it imported the modules named in its arguments (none: an empty program).
import sys
for name in sys.argv[1:]:
    __import__(name)
print(' '.join(sorted(sys.modules)))
