// One moment per view (issue 12.1). The cursor is a tick, N, and every view shows the loop *just
// after tick N ran*: where each task is suspended or whether it is ready, the timers still pending,
// the output printed through tick N, and the ready queue the loop runs next (the ready list of the
// loop's tick N+1). That is what a live run shows while it is paused before tick N+1, and what
// "Explain this tick" ends on: it tells what tick N did, from the moment before it (the state
// after the loop's previous tick) to the moment after it, and names both ("before tick N",
// "after tick N"). Panel, editor decorations, hovers and the status bar all read this moment.
// Pure: no Node, no vscode, no DOM.
import type { ReadyEntry } from '../protocol/events';
import type { Activity, Tick, TaskSnapshot, TimerInfo, TraceModel } from './model';

export interface StateAfterTick {
  /** The tick that just ran (global index `tick.index`). */
  tick: Tick;
  /** The loop's next tick, whose ready list `ready` is; undefined after its last recorded tick. */
  next?: Tick;
  tasks: TaskSnapshot[];
  /** What the loop runs next, first in, first out (the ready list of `next`). */
  ready: ReadyEntry[];
  /** Timers still pending after the tick, soonest first. */
  timers: TimerInfo[];
  /** The steps and callbacks that ran during the tick, in order. */
  ran: readonly Activity[];
  /** How many of `model.output` were printed through the tick. */
  outputCount: number;
}

/** The global index of the next tick of the same loop as global tick `index`. */
export function nextTickOfLoop(model: TraceModel, index: number): number | undefined {
  const tick = model.ticks[index];
  return tick ? model.loops.get(tick.loop)?.ticks[tick.n] : undefined;
}

/** The global index of the previous tick of the same loop. */
export function previousTickOfLoop(model: TraceModel, index: number): number | undefined {
  const tick = model.ticks[index];
  return tick && tick.n > 1 ? model.loops.get(tick.loop)?.ticks[tick.n - 2] : undefined;
}

/** The loop just after global tick `index` ran (see the top of this file). */
export function stateAfter(model: TraceModel, index: number): StateAfterTick | undefined {
  const tick = model.ticks[index];
  if (!tick) return undefined;
  const ran = model.activityAt(index);
  const nextIndex = nextTickOfLoop(model, index);
  const before = nextIndex !== undefined ? model.stateBefore(nextIndex) : undefined;
  if (before) {
    return { tick, next: before.tick, tasks: before.tasks, ready: before.ready, timers: before.timers, ran, outputCount: before.outputCount };
  }
  // After the loop's last recorded tick there is no next tick to ask: every task of the loop that
  // had not finished before this tick, as it stands now.
  const tasks: TaskSnapshot[] = [];
  for (const task of model.taskOrder) {
    if (task.loop !== tick.loop || task.created.tick > index || (task.done && task.done.tick < index)) continue;
    tasks.push(model.snapshot(task, index + 1, false));
  }
  const timers = model.timers
    .filter((t) => t.loop === tick.loop && t.scheduled <= index && t.ended > index)
    .sort((a, b) => a.when - b.when || a.id - b.id);
  let outputCount = model.output.length;
  while (outputCount > 0 && model.output[outputCount - 1].tick > index) outputCount--;
  return { tick, tasks, ready: [], timers, ran, outputCount };
}
