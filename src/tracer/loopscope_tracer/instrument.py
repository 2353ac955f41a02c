"""The hook interface between the patches and the listeners (in the spirit of trio's Instrument).

The patches (patches.py, output.py) only find facts and call these hooks; the listeners
(events.Recorder, blocking.Blocking, limits.Limits, jobs.Jobs, control.Control,
wait_reasons.Reasons, virtual_clock.DeterministicClock) subclass Instrument and override the
hooks they need. `Hooks(listeners)` binds, for each hook, only the listeners that override it,
in the order given: the attribute is None when nobody listens (the patch skips the call), the
listener's bound method when one does (a direct call), else one generated function that calls
each in turn. Patches read the attributes once, when they are installed.

Arguments that recur: `loop` (the event loop), `L` (its registry.LoopRec), `task` and `rec` (a
Task and its registry.TaskRec), `handle` (an asyncio Handle). Hooks run on the loop's thread
unless said otherwise, and must not keep frames, tasks or handles beyond the call.
"""


class Instrument:
    # -- loops and ticks -------------------------------------------------------------------
    def loop_created(self, loop, L):
        """A loop is seen for the first time (its first tick, task or timer)."""

    def loop_closed(self, loop, L):
        """loop.close() is about to close a loop that is not running."""

    def tick_started(self, loop, L):
        """An iteration of the loop (`_run_once`) begins, before it waits; L.n is its number."""

    def loop_idle(self, loop, L, timeout):
        """The loop has nothing ready and is about to wait in its selector (timeout: at most
        that long, None: until I/O), for real or, in the virtual clock, by a jump."""

    def before_io_wait(self, loop, L, timeout):
        """The loop is about to wait for real in its selector (timeout: at most that long)."""

    def after_io_wait(self, loop, L, waited):
        """The real wait ended after `waited` seconds (events ready: L.io)."""

    def tick_ready(self, loop, L, first):
        """The tick's ready queue is fixed: `first` (its first handle, already taken off the
        queue) is about to run and the rest are in loop._ready. At the end of an iteration
        that ran no handle, first is None."""

    def tick_ended(self, loop, L):
        """The iteration is over."""

    # -- tasks -----------------------------------------------------------------------------
    def task_spawned(self, task, rec, coro, parent, line, file, name, label, eager):
        """A task got its id. parent: the creating task's id or None; line/file: where the
        user created it; name: the name its creator gives it; label: its call with the
        arguments, when read before an eager first step (else None: read it from coro);
        eager: its first step already ran inside create_task (3.12+)."""

    def task_scheduled(self, task, rec, loop, L):
        """loop.call_soon put a step of the task in the ready queue (its first step, a
        wake-up, or a bare yield). What was running then: L.running (the handle, or None
        outside any handle of this loop) and asyncio.current_task(loop)."""

    def task_started(self, task, rec, coro):
        """Its first step is about to run (for an eager task: has just run)."""

    def before_step(self, task, rec, loop, L, handle):
        """One step of the task (one Task.__step) is about to run. handle: the ready-queue
        handle running it, or None for an eager task's first step (inside create_task)."""

    def after_step(self, task, rec, loop, L, handle, t, dur):
        """The step ran. t: loop.time() when it started; dur: real seconds it took, the
        tracer's own work inside it subtracted."""

    # -- plain callbacks -------------------------------------------------------------------
    def before_callback(self, handle, loop, L):
        """A handle that is not a task step is about to run."""

    def after_callback(self, handle, callback, loop, L, kind, timer, t, dur):
        """A plain callback ran. kind: "soon", "timer", "io" or "threadsafe"; timer: its
        timer id or None; t and dur as for after_step."""

    # -- timers ----------------------------------------------------------------------------
    def timer_armed(self, handle, trec, loop, L, callback):
        """call_at/call_later scheduled a timer (trec: its registry.TimerRec)."""

    def timer_fired(self, trec, loop, L):
        """A timer's callback is about to run."""

    def timer_cancelled(self, trec, loop, L):
        """A pending timer was cancelled."""

    # -- executor jobs (run_in_executor, to_thread) ----------------------------------------
    def job_submitted(self, job, loop, L):
        """A job is about to be handed to a thread-pool executor."""

    def job_started(self, job):
        """On a worker thread: a work item begins. job is None for work not submitted
        through run_in_executor (executor.submit)."""

    def job_result(self, job, ok, error):
        """On a worker thread: the job's outcome is about to reach its future (error:
        "Type: message"), or it was cancelled before it ran."""

    def job_ended(self, job):
        """On a worker thread: the work item is over, its worker goes idle (job may be None,
        as for job_started). Also called when the executor refused the job."""

    # -- the program's output --------------------------------------------------------------
    def output_line(self, stream, text, ident, live, partial):
        """The program wrote one line to sys.stdout/sys.stderr (without its newline), on the
        thread `ident`. live is False for a last line without a newline written out at exit
        (not attributed to a task or a line). partial: text without a newline that the
        program now waits after (it flushed the stream or reads stdin); the rest of its line
        comes in a later call."""


HOOKS = tuple(name for name, value in vars(Instrument).items()
              if callable(value) and not name.startswith('_'))


class Hooks:
    """One attribute per hook of Instrument (see the module docstring), plus `own`: real
    seconds the tracer spent inside the program's handles (patches and listeners add to it
    so that a handle's duration does not count the tracer's work)."""
    # Slots: _accel.c reads and writes `own` at its offset, three times a step.
    __slots__ = ('own', 'listeners', 'bound') + HOOKS

    def __init__(self, listeners):
        self.own = 0.0
        self.listeners = tuple(listeners)
        self.bound = {}     # hook name -> the listeners' functions it calls, in order
        for name in HOOKS:
            base = vars(Instrument)[name]
            # A listener overrides a hook with a method or with a function of its own (an
            # instance attribute, as the Recorder's after_step).
            bound = [fn for fn in (getattr(l, name) for l in self.listeners)
                     if getattr(fn, '__func__', None) is not base]
            self.bound[name] = tuple(bound)
            setattr(self, name, _one_call(name, base, bound))


def _one_call(name, base, bound):
    if not bound:
        return None
    if len(bound) == 1:
        return bound[0]
    co = base.__code__
    params = ', '.join(co.co_varnames[1:co.co_argcount])
    src = 'def %s(%s):\n%s' % (name, params, ''.join(
        '    _%d(%s)\n' % (i, params) for i in range(len(bound))))
    ns = {'_%d' % i: fn for i, fn in enumerate(bound)}
    exec(src, ns)
    return ns[name]
