"""When the virtual clock may skip a wait instead of waiting for real.

The loop is about to wait up to `timeout` for I/O or its next timer. The clock may jump over
that wait only when nothing but the loop's own timers can wake it; when unsure, it waits in
real time. Each of these can wake it, and makes the wait real:
- an executor job not over, or another thread running (idle executor workers and the
  tracer's own threads excepted);
- a registered descriptor that is not a socket (a pipe, a pidfd), or a socket whose peer is
  not a socket of this loop (another process, the network), or one still connecting;
- bytes held by the kernel on one of the loop's TCP sockets (SIOCOUTQ: sent and not yet
  acknowledged, or not sent yet: Nagle's algorithm, TCP_CORK): they are on their way to a
  socket of the loop;
- a child process still running while the loop has a SIGCHLD handler (3.8-3.13's
  SafeChildWatcher and FastChildWatcher learn of an exit only from the signal, through the
  loop's self-pipe);
- a pending real-time interval timer (signal.setitimer, signal.alarm): SIGALRM comes in real
  time, whether a handler wakes the loop or the default action ends the process.
The patch of the selector then polls once without waiting and jumps only if nothing is ready;
a real wait is cut into slices of RECHECK seconds, the decision taken again after each.

The jump is the timeout rounded up to 1 ms, like epoll: jumping exactly to the deadline would
split timers whose deadlines differ by the real time between their calls into different ticks.
Under the deterministic clock the program's compute time does not move the clock, so equal
delays give equal deadlines and the jump is exact (sleep(1) wakes at t=1.000).
"""

import math
import os
import signal
import socket
import struct
import sys
import threading
from concurrent.futures import thread as cf_thread

_get_ident = threading.get_ident
RECHECK = 0.01

if sys.platform.startswith('linux'):
    import fcntl
    import termios

    def _unsent(s):
        """Bytes the kernel holds in the socket's send queue (SIOCOUTQ)."""
        return struct.unpack('i', fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b'\0\0\0\0'))[0]
elif sys.platform == 'darwin':
    def _unsent(s):
        return s.getsockopt(socket.SOL_SOCKET, 0x1024)   # SO_NWRITE
else:
    def _unsent(s):
        return 1   # cannot tell: as if bytes were on their way


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
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
            return False
        handlers = getattr(loop, '_signal_handlers', None)
        if handlers and signal.SIGCHLD in handlers and _child_running():
            return False
        return self._sockets_idle(loop, sel, L)

    def _sockets_idle(self, loop, sel, L):
        fds = [fd for fd in sel.get_map() if fd != L.ssock_fd]
        transports = getattr(loop, '_transports', None)
        all_fds = set(fds)
        if transports is not None:
            all_fds.update(transports.keys())
        if not all_fds:
            return True
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
                if s.type == socket.SOCK_STREAM and s.family in (socket.AF_INET,
                                                                   socket.AF_INET6):
                    try:
                        if _unsent(s) > 0:
                            return False
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


def _child_running():
    """True when a child process of ours may still be running (waitid with WNOWAIT reaps
    nothing)."""
    try:
        info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False        # no child at all
    except (AttributeError, OSError):
        return True         # cannot tell
    if info is None:
        return True         # children, none of them exited
    # One has exited and is not reaped yet; are others still running?
    try:
        pids = []
        for tid in os.listdir('/proc/self/task'):
            with open('/proc/self/task/%s/children' % tid) as f:
                pids.extend(f.read().split())
        for pid in pids:
            with open('/proc/%s/stat' % pid) as f:
                if f.read().rpartition(')')[2].split()[0] != 'Z':
                    return True
        return False
    except OSError:
        return True
