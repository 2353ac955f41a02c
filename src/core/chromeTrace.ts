// Export to the Chrome Trace Event Format (opens in Perfetto or chrome://tracing): a process per
// loop, a track per task with its steps and its waits named by reason, a track per executor thread,
// and the loop's own track with plain callbacks and blocking marks.
import { fullTaskName, taskName } from './describe';
import type { TraceModel } from './model';

interface ChromeEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: 't' | 'p' | 'g';
  cat?: string;
  args?: Record<string, unknown>;
}

const LOOP_TRACK = 0;
const THREAD_TRACKS_FROM = 1_000_000;
const micros = (seconds: number) => Math.round(seconds * 1e6);

export function toChromeTrace(model: TraceModel): { traceEvents: ChromeEvent[]; displayTimeUnit: 'ms' } {
  const events: ChromeEvent[] = [];
  const meta = (pid: number, tid: number, name: string, sort: number) => {
    events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
    events.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: sort } });
  };
  for (const loop of model.loops.values()) {
    events.push({ name: 'process_name', ph: 'M', pid: loop.id, tid: 0, args: { name: `loop ${loop.id} (${loop.cls})` } });
    meta(loop.id, LOOP_TRACK, 'event loop', 0);
  }
  for (const task of model.taskOrder) {
    meta(task.loop, task.id, fullTaskName(task), task.id);
    task.steps.forEach((step, i) => {
      events.push({
        name: taskName(task), cat: 'step', ph: 'X', pid: task.loop, tid: task.id, ts: micros(model.startOf(step)), dur: micros(model.durationOf(step)),
        args: { from: step.from, to: step.to },
      });
      const next = task.steps[i + 1];
      if (step.to !== null && next) {
        const start = model.endOf(step);
        events.push({
          name: `wait: ${step.reason?.kind ?? 'unknown'}`, cat: 'wait', ph: 'X', pid: task.loop, tid: task.id,
          ts: micros(start), dur: micros(Math.max(0, model.startOf(next) - start)), args: { line: step.to, reason: step.reason?.text },
        });
      }
    });
    if (task.done) {
      events.push({
        name: `done: ${task.done.state}`, ph: 'i', s: 't', pid: task.loop, tid: task.id, ts: micros(task.done.t),
        args: { result: task.done.result, error: task.done.error?.message },
      });
    }
  }
  const threadTracks = new Map<string, number>();
  for (const job of model.jobs.values()) {
    if (job.startWall === undefined) continue;
    const thread = job.thread ?? 'worker';
    let tid = threadTracks.get(thread);
    if (tid === undefined) {
      tid = THREAD_TRACKS_FROM + threadTracks.size;
      threadTracks.set(thread, tid);
      meta(job.loop, tid, `thread ${thread}`, tid);
    }
    // Loop time runs with wall time while a job is outstanding (the virtual clock never jumps then).
    const start = job.t + (job.startWall - job.submittedWall);
    const end = job.endWall !== undefined ? job.t + (job.endWall - job.submittedWall) : start;
    events.push({ name: job.fn, cat: 'executor', ph: 'X', pid: job.loop, tid, ts: micros(start), dur: micros(end - start), args: { ok: job.ok, error: job.error } });
  }
  for (const callback of model.callbacks) {
    events.push({ name: callback.fn, cat: `callback:${callback.kind}`, ph: 'X', pid: callback.loop, tid: LOOP_TRACK, ts: micros(callback.t), dur: micros(callback.dur), args: { line: callback.line } });
  }
  for (const block of model.blocking) {
    events.push({
      name: `BLOCKING ${block.fn} (${(block.dur * 1000).toFixed(0)} ms)`, cat: 'blocking', ph: 'X', pid: block.loop,
      tid: block.task ?? LOOP_TRACK, ts: micros(block.t), dur: micros(block.dur), args: { line: block.line },
    });
  }
  return { traceEvents: events, displayTimeUnit: 'ms' };
}
