// Where things sit on the horizontal axis. Two axes:
//  - 'tick': x is a (fractional) global tick index. Every tick is 1 wide: an optional wait phase
//    (the select() before the handles, when the loop waited) then one equal slot per ready entry,
//    in FIFO order, so sleep(0) interleavings at the same loop time stay visible.
//  - 'time': x is loop time in seconds, from the events' t and dur.
// vis-timeline wants dates, so x is scaled to "axis milliseconds" with toMs/fromMs.
import { firstIndex, whatRan, type CallbackActivity, type JobInfo, type Step, type Tick, type TraceModel } from './model';
import type { Waker } from '../protocol/events';
import type { Axis } from '../protocol/panel';

export type Span = [number, number];

/** Axis milliseconds per tick, and per loop second (0.1 ms resolution: vis-timeline rounds to 1 ms). */
export const TICK_MS = 10;
export const SECOND_MS = 10_000;

export function toMs(axis: Axis, x: number): number {
  return x * (axis === 'tick' ? TICK_MS : SECOND_MS);
}

export function fromMs(axis: Axis, ms: number): number {
  return ms / (axis === 'tick' ? TICK_MS : SECOND_MS);
}

/** Part of a tick's width given to its wait phase, when the loop waited before it. */
export const WAIT_FRACTION = 0.2;
/** Waits shorter than this (real seconds) are not drawn on the tick axis. */
const WAIT_MIN_SECONDS = 0.0005;

export class Layout {
  constructor(readonly model: TraceModel, readonly axis: Axis, readonly virtualClock: boolean) {}

  /** Seconds the loop waited before tick `g`: the clock jump under the virtual clock, real wait otherwise. */
  waitSeconds(tick: Tick): number {
    return this.virtualClock ? tick.jump : tick.waited;
  }

  private waitFraction(tick: Tick): number {
    const waited = tick.jump > 0 || tick.waited >= WAIT_MIN_SECONDS || (tick.io?.length ?? 0) > 0;
    return waited ? WAIT_FRACTION : 0;
  }

  /** Where tick `g`'s handles start. */
  handlesStart(g: number): number {
    const tick = this.model.ticks[g];
    if (!tick) return this.axis === 'tick' ? g : 0;
    return this.axis === 'tick' ? g + this.waitFraction(tick) : tick.t;
  }

  /** Where tick g starts (its wait phase, if any). */
  tickStart(g: number): number {
    if (this.axis === 'tick') return g;
    const tick = this.model.ticks[g];
    return tick ? tick.t : this.extent()[1];
  }

  /** The cursor at tick g: the moment just after tick g ran (src/core/moment.ts), where its handles end. */
  afterX(g: number): number {
    return this.model.ticks[g] ? this.tickSpan(g)[1] : this.extent()[1];
  }

  /** The tick under x (for clicks and drags); undefined before any tick. */
  tickAt(x: number): number | undefined {
    const count = this.model.ticks.length;
    if (count === 0) return undefined;
    // The column x is in; on an edge, the column to its left (the cursor sits at a tick's right edge).
    if (this.axis === 'tick') return Math.min(count - 1, Math.max(0, Math.ceil(x) - 1));
    return this.model.tickAtTime(x);
  }

  /** The wait phase before tick g, when there was one. */
  waitSpan(g: number): Span | undefined {
    const tick = this.model.ticks[g];
    if (!tick) return undefined;
    if (this.axis === 'tick') {
      const w = this.waitFraction(tick);
      return w > 0 ? [g, g + w] : undefined;
    }
    const seconds = this.waitSeconds(tick);
    return seconds > 0 ? [tick.t - seconds, tick.t] : undefined;
  }

  /**
   * The handles phase of tick g is shared equally by its ready entries, in FIFO order: slot i is
   * the i-th share. Activity whose slot is not known (CallbackActivity.slot) gets the whole phase.
   */
  private slotSpan(g: number, slot: number | undefined): Span {
    const tick = this.model.ticks[g];
    const w = this.waitFraction(tick);
    const k = tick.ready.length;
    if (slot === undefined || slot < 0 || slot >= k) return [g + w, g + 1];
    return [g + w + ((1 - w) * slot) / k, g + w + ((1 - w) * (slot + 1)) / k];
  }

  /**
   * Where a step ran. `coarse` (zoomed out so far that a tick is under a pixel) skips the slot
   * matching and gives the whole tick.
   */
  stepSpan(step: Step, coarse = false): Span {
    if (this.axis === 'time') return [this.model.startOf(step), this.model.endOf(step)];
    const g = step.tick;
    if (g < 0) return [0, 0];
    if (coarse) return [g, g + 1];
    return this.slotSpan(g, step.slot);
  }

  /** Where a callback (a tick's activity) ran. */
  callbackSpan(act: CallbackActivity, coarse = false): Span {
    const callback = act.callback;
    if (this.axis === 'time') return [callback.t, callback.t + callback.dur];
    if (coarse || act.tick < 0) return [act.tick, act.tick + 1];
    return this.slotSpan(act.tick, act.slot);
  }

  /** The whole of tick g (its handles phase on the tick axis). */
  tickSpan(g: number): Span {
    const tick = this.model.ticks[g];
    if (this.axis === 'tick') return [this.handlesStart(g), g + 1];
    const activity = this.model.activityAt(g);
    let end = tick.t;
    for (const act of activity) {
      end = Math.max(end, this.model.endOf(whatRan(act)));
    }
    return [tick.t, end];
  }

  /**
   * Where a task was put in the ready queue, from protocol 2.1's `by`: at the end of the handle
   * (`q`) of the loop's tick `n` that did it; at the end of that tick's handles when no handle was
   * running (`outside`). Undefined when `by` names no tick, or a tick not in this model.
   */
  wakeX(by: Waker, loopId: number): number | undefined {
    const loop = this.model.loops.get(loopId);
    if (by.n === undefined || !loop) return undefined;
    // The loop's ticks by their number (a window of a big trace need not start at tick 1).
    const ticks = this.model.ticks;
    const g = loop.ticks[firstIndex(loop.ticks, (index) => ticks[index].n >= by.n!)];
    if (g === undefined || ticks[g].n !== by.n) return undefined;
    if (by.q === undefined || by.q < 0 || by.q >= ticks[g].ready.length) return this.tickSpan(g)[1];
    if (this.axis === 'tick') return this.slotSpan(g, by.q)[1];
    let end: number | undefined;
    for (const act of this.model.activityAt(g)) {
      if (act.slot === by.q) end = this.model.endOf(whatRan(act));
    }
    return end ?? this.tickSpan(g)[1];
  }

  /** The end of a loop's recorded history: where "still suspended" segments stop. */
  loopEnd(loopId: number): number {
    const loop = this.model.loops.get(loopId);
    const last = loop?.ticks[loop.ticks.length - 1];
    if (last === undefined) return this.axis === 'tick' ? this.model.ticks.length : 0;
    return this.axis === 'tick' ? last + 1 : this.tickSpan(last)[1];
  }

  /** A wall-clock instant (executor threads) on the axis. */
  wallX(wall: number, job: JobInfo): number {
    if (this.axis === 'time') return job.t + (wall - job.submittedWall);
    // Tick i runs its handles from ticks[i].wall for the sum of their durations; the rest of the
    // time until the next tick is that tick's wait phase.
    const ticks = this.model.ticks;
    const i = firstIndex(ticks, (tick) => tick.wall > wall) - 1;
    if (i < 0) return 0;
    let busy = 0;
    for (const act of this.model.activityAt(i)) busy += this.model.durationOf(whatRan(act));
    const start = this.handlesStart(i);
    if (wall <= ticks[i].wall + busy) return start + (i + 1 - start) * (busy > 0 ? (wall - ticks[i].wall) / busy : 1);
    const next = ticks[i + 1];
    if (!next) return i + 1;
    const idle = next.wall - (ticks[i].wall + busy);
    const wait = this.handlesStart(i + 1) - (i + 1);
    return i + 1 + wait * (idle > 0 ? Math.min(1, (wall - ticks[i].wall - busy) / idle) : 1);
  }

  /** The span covering the whole trace, for "fit". */
  extent(): Span {
    const ticks = this.model.ticks;
    if (ticks.length === 0) return [0, 1];
    if (this.axis === 'tick') return [0, ticks.length];
    let start = Infinity;
    let end = -Infinity;
    for (const loop of this.model.loops.values()) {
      if (loop.ticks.length === 0) continue;
      const first = ticks[loop.ticks[0]];
      start = Math.min(start, first.t - this.waitSeconds(first));
      end = Math.max(end, this.loopEnd(loop.id));
    }
    if (!Number.isFinite(start)) return [0, 1];
    return [start, end];
  }
}
