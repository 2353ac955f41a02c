# A real-time interval timer with a loop signal handler: SIGALRM comes in real time, so the
# virtual clock must not jump the 60 s call_later that would stop the loop first.
import asyncio
import signal

caught = []


def main():
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGALRM, lambda: (caught.append(1), loop.stop()))
    loop.call_later(60, loop.stop)
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    loop.run_forever()
    print('caught', len(caught))
    loop.close()


main()
