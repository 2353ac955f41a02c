// The model answers state-before-tick from checkpoints; this compares every answer with a naive
// replay from the start of the trace, over a generated trace long enough to cross many checkpoints.
import * as assert from 'node:assert/strict';
import { TraceModel } from '../../src/core/model';
import type { TraceEvent } from '../../src/protocol/events';

/** A deterministic pseudo-random trace: tasks created, stepping, sleeping on timers, finishing. */
function generateTrace(ticks: number, seed = 7): TraceEvent[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const events: TraceEvent[] = [{
    ev: 'start', protocol: 1, minor: 0, python: '3.11.7', executable: 'python3', scenario: '/s.py', argv: ['/s.py'],
    cwd: '/', clock: 'virtual', pid: 1, limits: { ticks: null, virtualSeconds: null, wallSeconds: null, events: null }, blockingMs: 100,
  }, { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 }];
  let nextTask = 1;
  let nextTimer = 1;
  let ready: number[] = [];
  const sleeping = new Map<number, { task: number; when: number }>();
  const live = new Set<number>();
  let t = 0;
  for (let n = 1; n <= ticks; n++) {
    t += random() < 0.3 ? 0.5 : 0;
    const firing = [...sleeping.entries()].filter(([, s]) => s.when <= t).map(([id]) => id);
    events.push({
      ev: 'tick', loop: 1, n, t, wall: n / 1000, waited: 0, jump: 0,
      ready: [...ready, ...firing.map((timer) => ({ fn: '_set_result_unless_cancelled', kind: 'timer' as const, timer }))],
    });
    const running = ready;
    ready = [];
    for (const timer of firing) {
      ready.push(sleeping.get(timer)!.task);
      sleeping.delete(timer);
    }
    if (random() < 0.2 || live.size === 0) {
      const task = nextTask++;
      live.add(task);
      events.push({ ev: 'task', task, loop: 1, name: `Task-${task}`, coro: 'work', label: `work(${task})`, parent: null, line: 1, internal: false, t, wall: 0 });
      ready.push(task);
    }
    for (const task of running) {
      const roll = random();
      if (roll < 0.15) {
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: null });
        events.push({ ev: 'done', task, t, state: roll < 0.05 ? 'exception' : 'ok' });
        live.delete(task);
      } else if (roll < 0.6) {
        const timer = nextTimer++;
        const when = t + 0.5 + Math.floor(random() * 4) * 0.5;
        events.push({ ev: 'timer', loop: 1, timer, when, fn: '_set_result_unless_cancelled', task, t });
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: 7, stack: [[7, 'work']], reason: { kind: 'sleep', text: `sleep until ${when}`, wake: when, timer } });
        sleeping.set(timer, { task, when });
        if (random() < 0.1) {
          events.push({ ev: 'timer_cancel', loop: 1, timer, t });
          sleeping.delete(timer);
        }
      } else {
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: 9, reason: { kind: 'yield', text: 'sleep(0)' } });
        ready.push(task);
      }
    }
  }
  return events;
}

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
