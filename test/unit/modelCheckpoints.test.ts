// The model answers state-before-tick from checkpoints; this compares every answer with a naive
// replay from the start of the trace, over a generated trace long enough to cross many checkpoints.
import * as assert from 'node:assert/strict';
import { TraceModel } from '../../src/core/model';
import type { TraceEvent } from '../../src/protocol/events';
import { generateTrace } from './generatedTrace';

/** The naive answer: replay every event up to the tick and look. */
function naiveStateBefore(events: TraceEvent[], index: number) {
  let tick = -1;
  const tasks = new Map<number, { state: string; line: number | null; reason?: string; doneAt?: number }>();
  const timers = new Map<number, number>();
  for (const event of events) {
    if (event.ev === 'tick') {
      tick++;
      if (tick === index) {
        const ready = new Set(event.ready.filter((e): e is number => typeof e === 'number'));
        return {
          tasks: [...tasks.entries()]
            .filter(([, s]) => s.doneAt === undefined || s.doneAt === index - 1)
            .map(([id, s]) => {
              const state = s.state === 'done' ? 'done' : ready.has(id) ? 'ready' : s.state;
              // Line and reason are only asserted while the task sits at an await.
              return state === 'suspended' || (state === 'ready' && s.reason) ? { id, state, line: s.line, reason: s.reason } : { id, state };
            })
            .sort((a, b) => a.id - b.id),
          timers: [...timers.keys()].sort((a, b) => a - b),
        };
      }
      for (const entry of event.ready) if (typeof entry === 'object' && entry.timer !== undefined) timers.delete(entry.timer);
    } else if (event.ev === 'task') tasks.set(event.task, { state: 'new', line: event.line });
    else if (event.ev === 'step') {
      const task = tasks.get(event.task)!;
      task.state = event.to === null ? task.state : 'suspended';
      task.line = event.to ?? task.line;
      task.reason = event.reason?.text;
    } else if (event.ev === 'done') {
      const task = tasks.get(event.task)!;
      task.state = 'done';
      task.doneAt = tick;
    } else if (event.ev === 'timer') timers.set(event.timer, event.when);
    else if (event.ev === 'timer_cancel') timers.delete(event.timer);
  }
  throw new Error(`no tick ${index}`);
}

describe('TraceModel checkpoints', function () {
  // A guard against a hang, not a timing assertion: the naive replays take seconds on a busy machine.
  this.timeout(120_000);
  const events = generateTrace(2000);
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('answers state-before-tick like a replay from the start, at every tick', () => {
    assert.equal(model.ticks.length, events.filter((e) => e.ev === 'tick').length, 'every tick is indexed');
    for (let index = 0; index < model.ticks.length; index++) {
      const expected = naiveStateBefore(events, index);
      const state = model.stateBefore(index)!;
      const actual = state.tasks.map((s) => (s.state === 'suspended' || (s.state === 'ready' && s.reason)
        ? { id: s.task.id, state: s.state, line: s.line, reason: s.reason?.text } : { id: s.task.id, state: s.state }));
      assert.deepEqual(actual, expected.tasks, `tasks before tick ${index}`);
      assert.deepEqual(state.timers.map((timer) => timer.id).sort((a, b) => a - b), expected.timers, `timers before tick ${index}`);
    }
  });
});

/** Events split at each `tick`: the tick and what arrived until the next one. */
function tickChunks(events: TraceEvent[]): TraceEvent[][] {
  const chunks: TraceEvent[][] = [];
  for (const event of events) {
    if (event.ev === 'tick' || chunks.length === 0) chunks.push([]);
    chunks[chunks.length - 1].push(event);
  }
  return chunks;
}

/** Loop 2 of the same generator: its own loop, task and timer ids. */
function asLoop2(events: TraceEvent[]): TraceEvent[] {
  const shift = 100_000;
  return events.filter((e) => e.ev !== 'start').map((e) => {
    const event = { ...e } as Record<string, unknown>;
    if (event.loop !== undefined) event.loop = 2;
    if (typeof event.task === 'number') event.task += shift;
    if (typeof event.timer === 'number') event.timer += shift;
    if (Array.isArray(event.ready)) {
      event.ready = (event.ready as TraceEvent[]).map((r) => (typeof r === 'number' ? r + shift : { ...r as object, timer: (r as { timer: number }).timer + shift }));
    }
    return event as unknown as TraceEvent;
  });
}

describe('TraceModel checkpoints with two loops in threads', function () {
  this.timeout(120_000);
  // Each loop's tick is still running (half its events to come) while the other loop's next tick
  // starts: steps, tasks and timers arrive after ticks of the other loop with higher indices.
  const one = generateTrace(400, 7);
  const two = asLoop2(generateTrace(400, 11));
  const [chunks1, chunks2] = [tickChunks(one), tickChunks(two)];
  const events: TraceEvent[] = [...chunks1[0], ...chunks2[0]];
  for (let i = 1; i < Math.max(chunks1.length, chunks2.length); i++) {
    const [a, b] = [chunks1[i] ?? [], chunks2[i] ?? []];
    const half = (chunk: TraceEvent[]) => Math.ceil(chunk.length / 2);
    events.push(...a.slice(0, half(a)), ...b.slice(0, half(b)), ...a.slice(half(a)), ...b.slice(half(b)));
  }
  const both = new TraceModel();
  for (const event of events) both.apply(event);

  it('answers every tick of each loop as a trace of that loop alone does', () => {
    for (const [loopId, alone] of [[1, one], [2, two]] as const) {
      const model = new TraceModel();
      for (const event of alone) model.apply(event);
      const ticks = both.loops.get(loopId)!.ticks;
      assert.equal(ticks.length, model.ticks.length);
      ticks.forEach((index, n) => {
        // Unfinished tasks only: a task finished "in the tick just before" is listed when it finished
        // in the previous global tick, which here may belong to the other loop.
        const view = (state: ReturnType<TraceModel['stateBefore']>) => ({
          tasks: state!.tasks.filter((s) => s.state !== 'done')
            .map((s) => ({ id: s.task.id, state: s.state, line: s.line, reason: s.reason?.text, since: s.since })),
          timers: state!.timers.map((timer) => timer.id),
          ran: state!.ran.map((a) => ('callback' in a ? a.callback.fn : a.task)),
        });
        assert.deepEqual(view(both.stateBefore(index)), view(model.stateBefore(n)), `loop ${loopId}, tick ${n + 1}`);
      });
    }
  });
});

describe('TraceModel step times', () => {
  it('gives back every step\'s start and duration, past the first of the arrays that hold them', () => {
    const model = new TraceModel();
    const [start, loop] = generateTrace(0);
    for (const event of [start, loop]) model.apply(event);
    model.apply({ ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'work', label: 'work()', parent: null, line: 1, internal: false, t: 0, wall: 0 });
    model.apply({ ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] });
    const count = 10_000;
    for (let i = 0; i < count; i++) model.apply({ ev: 'step', task: 1, t: i / 7, dur: i / 1e7, from: 1, to: 2, stack: [], reason: null });
    const steps = model.taskById(1)!.steps;
    assert.equal(steps.length, count);
    steps.forEach((step, i) => {
      assert.equal(model.startOf(step), i / 7, `step ${i}`);
      assert.equal(model.durationOf(step), i / 1e7, `step ${i}`);
      assert.equal(model.endOf(step), i / 7 + i / 1e7, `step ${i}`);
    });
  });
});
