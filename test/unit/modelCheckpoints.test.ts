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

describe('TraceModel checkpoints', () => {
  const events = generateTrace(2000);
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('indexes every tick of the generated trace', () => {
    assert.equal(model.ticks.length, 2000);
    assert.ok(model.taskOrder.length > 100, 'the trace should create many tasks');
  });

  it('answers state-before-tick like a replay from the start, at every tick', () => {
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
