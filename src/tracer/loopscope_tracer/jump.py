"""When the virtual clock may skip a wait instead of waiting for real.

The loop is about to wait up to `timeout` for I/O or its next timer. The clock may jump over
that wait only when nothing but the loop's own timers can wake it: no executor job pending,
no other thread running (idle executor workers and the tracer's own threads excepted), and no
descriptor with a peer outside this loop. The patch of the selector then polls once without
waiting and jumps only if nothing is ready.

The jump is the timeout rounded up to 1 ms, like epoll: jumping exactly to the deadline would
split timers whose deadlines differ by the real time between their calls into different ticks.
Under the deterministic clock the program's compute time does not move the clock, so equal
delays give equal deadlines and the jump is exact (sleep(1) wakes at t=1.000).
"""

import math
import socket
import threading
from concurrent.futures import thread as cf_thread

_get_ident = threading.get_ident


class JumpDecision:
    def __init__(self, jobs, exact):
        """jobs: jobs.Jobs (the executor's books); exact: jump to the deadline itself."""
        self.jobs = jobs
        self.exact = exact

    def may_skip(self, loop, selector, L, timeout):
        """Seconds the clock may jump instead of this wait, or None to wait for real."""
        if not self._idle(loop, selector, L):
            return None
        if self.exact:
            return timeout
        return math.ceil(timeout * 1e3) * 1e-3

    def _idle(self, loop, sel, L):
        jobs = self.jobs
        if jobs.outstanding > 0:
            return False
        me = _get_ident()
        worker = cf_thread._worker
        busy = jobs.busy_workers
        for t in threading.enumerate():
            if t.ident == me:
                continue
            if getattr(t, '_target', None) is worker and t.ident not in busy:
                continue
            return False
        fds = [fd for fd in sel.get_map() if fd != L.ssock_fd]
        if not fds:
            return True
        transports = getattr(loop, '_transports', None)
        all_fds = set(fds)
        if transports is not None:
            all_fds.update(transports.keys())
        registered = set(fds)
        names = set()
        peers = []
        for fd in all_fds:
            try:
                s = socket.socket(fileno=fd)
            except OSError:
                if fd in registered:
                    return False
                continue
            try:
                try:
                    names.add(s.getsockname())
                except OSError:
                    pass
                if fd in registered:
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                        continue
                    try:
                        peers.append(s.getpeername())
                    except OSError:
                        return False
            finally:
                s.detach()
        return all(p in names for p in peers)
