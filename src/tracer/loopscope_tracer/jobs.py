"""The executor's books: jobs submitted and not over yet, and the worker threads busy with a
work item. The virtual clock may not jump while either is not empty (jump.JumpDecision)."""

import threading

from .instrument import Instrument

_get_ident = threading.get_ident


class Jobs(Instrument):
    def __init__(self):
        self.lock = threading.Lock()
        self.outstanding = 0
        self.busy_workers = set()   # thread idents running a work item

    def job_submitted(self, job, loop, L):
        with self.lock:
            self.outstanding += 1

    def job_started(self, job):
        self.busy_workers.add(_get_ident())

    def job_ended(self, job):
        if job is not None:
            with self.lock:
                self.outstanding -= 1
        self.busy_workers.discard(_get_ident())
