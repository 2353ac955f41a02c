# Same-deadline timers, call_later ordering, and the program's clocks under the virtual clock.
import asyncio
import datetime
import time


async def tick(name, delay, out):
    await asyncio.sleep(delay)
    out.append(name)


async def main():
    loop = asyncio.get_running_loop()
    w0 = time.time()
    m0 = time.monotonic()
    d0 = datetime.datetime.now()
    out = []
    await asyncio.gather(*(tick("t%d" % i, d, out) for i, d in
                           enumerate([0.5, 0.5, 0.25, 0.5, 1.0, 0.25, 1.0])))
    print(out)
    order = []
    loop.call_later(0.3, order.append, "a")
    loop.call_later(0.3, order.append, "b")
    loop.call_later(0.1, order.append, "c")
    loop.call_at(loop.time() + 0.3, order.append, "d")
    await asyncio.sleep(0.5)
    print(order)
    await asyncio.sleep(1.5)
    print("monotonic", round(time.monotonic() - m0))
    print("time", round(time.time() - w0))
    print("datetime", round((datetime.datetime.now() - d0).total_seconds()))
    print("isinstance", isinstance(d0, datetime.datetime), type(d0).__name__)


asyncio.run(main())
