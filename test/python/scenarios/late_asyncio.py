# Imports asyncio only after some output (and a look-up of its spec), with `from asyncio import ...`, on the main thread
# or (argument "thread") on another thread; the tracer installs nothing before.
import importlib.util
import sys
import threading

print("before asyncio:", 'asyncio' in sys.modules)
# Looking asyncio up without importing it must not spend the tracer's one chance.
print("found:", importlib.util.find_spec('asyncio') is not None, 'asyncio' in sys.modules)


def main():
    from asyncio import create_task, run, sleep

    async def worker(n):
        for _ in range(n):
            await sleep(0)
        return n

    async def program():
        a = create_task(worker(2))
        b = create_task(worker(3))
        await sleep(0.5)
        print("results", await a, await b)

    run(program())
    import asyncio
    # Nothing of the tracer left where the program can see it.
    print("finders", [type(f).__name__ for f in sys.meta_path])
    print("loader", asyncio.__loader__ is asyncio.__spec__.loader, type(asyncio.__loader__).__name__)


if sys.argv[1:] == ['thread']:
    t = threading.Thread(target=main)
    t.start()
    t.join()
else:
    main()
