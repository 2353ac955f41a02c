// The run summary printed by `loopscope trace --json` (and used by tests): built from the model and
// the session's result only. Times are the tracer's loop times: seconds since the loop started.
import type { ClockMode, ErrorInfo, LimitKind, Outcome } from '../protocol/events';
import type { TraceModel } from '../core/model';
import type { SessionResult } from '../node/session';

export interface RunSummary {
  protocol: number | null;
  scenario: string;
  python: string | null;
  clock: ClockMode | null;
  outcome: Outcome;
  limit: LimitKind | null;
  exitCode: number | null;
  error: { type: string; message: string; line: number | null } | null;
  stdout: string;
  stderr: string;
  loops: { id: number; ticks: number; duration: number | null }[];
  tasks: {
    id: number; loop: number; name: string; coroutine: string; label: string; internal: boolean;
    created: number; ended: number | null; state: 'ok' | 'exception' | 'cancelled' | 'pending';
    exception: string | null;
  }[];
  blocking: { loop: number; task: number | null; line: number | null; function: string; duration: number }[];
  events: number;
  malformed: number;
  message?: string;
}

function errorSummary(error: ErrorInfo | null | undefined) {
  return error ? { type: error.type, message: error.message, line: error.line ?? null } : null;
}

export function summarize(model: TraceModel, result: SessionResult, scenario: string,
  output: { stdout: string; stderr: string }, decoded: { events: number; malformed: number }): RunSummary {
  return {
    protocol: model.start?.protocol ?? null,
    scenario,
    python: model.start?.python ?? null,
    clock: model.start?.clock ?? null,
    outcome: result.outcome,
    limit: result.limit,
    exitCode: result.exitCode,
    error: errorSummary(model.end?.error),
    stdout: output.stdout,
    stderr: output.stderr,
    loops: [...model.loops.values()].map((loop) => {
      const last = model.ticks[loop.ticks[loop.ticks.length - 1]];
      const end = loop.closedAt ?? last?.t;
      return { id: loop.id, ticks: loop.ticks.length, duration: end ?? null };
    }),
    tasks: model.taskOrder.map((task) => ({
      id: task.id,
      loop: task.loop,
      name: task.name,
      coroutine: task.coro,
      label: task.label,
      internal: task.internal,
      created: task.created.t,
      ended: task.done ? task.done.t : null,
      state: task.done?.state ?? 'pending',
      exception: task.done?.error ? `${task.done.error.type}: ${task.done.error.message}` : null,
    })),
    blocking: model.blocking.map((b) => ({
      loop: b.loop, task: b.task ?? null, line: b.line, function: b.fn, duration: b.dur,
    })),
    events: decoded.events,
    malformed: decoded.malformed,
    ...(result.message ? { message: result.message } : {}),
  };
}
