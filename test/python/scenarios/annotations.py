# Annotated globals: the module's annotations are the program's (PEP 649 computes them lazily
# from 3.14 on; an __annotations__ dict put in the namespace beforehand would hide them).
import sys
import typing

x: int = 1
name: str

print("module", sys.modules[__name__].__annotations__)
print("hints", typing.get_type_hints(sys.modules["__main__"]))
