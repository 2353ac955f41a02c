// Protocol 2 leaves out of a `step` what follows from the task's previous step: `from`/`fromFile`
// (where that step left the task) and an unchanged `reason`. These tests read the same traces
// spelled out and with those fields left out, and compare everything the model gives the views;
// and check that a protocol 1 trace reads as it always did.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceModel } from '../../src/core/model';
import { narrateTick } from '../../src/core/narrate';
import type { StepEvent, TraceEvent } from '../../src/protocol/events';
import { generateTrace } from './generatedTrace';
import { REPO } from './helpers';

function modelOf(events: TraceEvent[]): TraceModel {
  const model = new TraceModel();
  for (const event of events) model.apply(event);
  return model;
}

function withProtocol(events: TraceEvent[], protocol: number): TraceEvent[] {
  return events.map((event) => (event.ev === 'start' ? { ...event, protocol } : event));
}

/**
 * What the protocol 2 tracer writes for a spelled-out trace (one whose suspended steps all carry a
 * `reason`, `null` for none): `from`/`fromFile` left out when they are the previous step's
 * `to`/`file`, `reason` left out when the task is still suspended for the same reason.
 */
function leaveOutCarried(events: TraceEvent[]): TraceEvent[] {
  const previous = new Map<number, { to: number | null; file?: string; reason: string }>();
  return withProtocol(events, 2).map((event) => {
    if (event.ev !== 'step') return event;
    const step: StepEvent = { ...event };
    const last = previous.get(event.task);
    if (last && (event.from ?? null) === last.to && event.fromFile === last.file) {
      delete step.from;
      delete step.fromFile;
    }
    const finished = event.reason === undefined;
    const reason = JSON.stringify(event.reason ?? null);
    // The tracer starts from "no reason", so a first step without one says nothing either.
    if (!finished && reason === (last?.reason ?? 'null')) delete step.reason;
    previous.set(event.task, { to: event.to, file: event.file, reason: finished ? 'null' : reason });
    return step;
  });
}

/** Everything the views read from the model, in plain data. */
function whatTheViewsSee(model: TraceModel) {
  return {
    tasks: model.taskOrder.map((task) => ({
      id: task.id, done: task.done,
      steps: task.steps.map((s) => ({ tick: s.tick, t: model.startOf(s), dur: model.durationOf(s), from: s.from, to: s.to, file: s.file, stack: s.stack, reason: s.reason })),
    })),
    ticks: model.ticks.map((tick) => {
      const state = model.stateBefore(tick.index)!;
      return {
        tasks: state.tasks.map((s) => ({
          id: s.task.id, state: s.state, doneState: s.doneState, line: s.line, file: s.file, stack: s.stack, reason: s.reason, since: s.since,
        })),
        ran: state.ran.map((a) => ('callback' in a ? a.callback.fn : { task: a.task, from: a.from, to: a.to })),
        timers: state.timers.map((timer) => timer.id),
        narration: narrateTick(model, tick.index),
      };
    }),
    lines: [...model.lineHistory].map(([key, h]) => ({ key, suspensions: h.suspensions, tasks: h.tasks.size, totalWait: h.totalWait })),
  };
}

const SCENARIO = '/work/s.py';
const LIB = '/work/lib.py';

/** Lines in two files, a reason that goes away (`null`), a task suspended outside user code. */
function handWritten(): TraceEvent[] {
  const sleep = (wake: number, timer: number) => ({ kind: 'sleep' as const, text: `asyncio.sleep: timer fires at t=${wake}`, delay: 1, wake, timer });
  const yielded = { kind: 'yield' as const, text: 'asyncio.sleep(0): yielded' };
  const queue = { kind: 'queue_get' as const, text: 'queue.get(): queue empty', size: 0, maxsize: 0 };
  const tick = (n: number, t: number, ready: number[]): TraceEvent => ({ ev: 'tick', loop: 1, n, t, wall: t, waited: 0, jump: 0, ready });
  return [
    {
      ev: 'start', protocol: 1, minor: 0, python: '3.12.1', executable: 'python3', scenario: SCENARIO, argv: [SCENARIO], cwd: '/work',
      clock: 'virtual', pid: 1, limits: { ticks: null, virtualSeconds: null, wallSeconds: null, events: null }, blockingMs: 100,
    },
    { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 20, internal: false, t: 0, wall: 0 },
    { ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: 'fetch', label: 'fetch()', parent: 1, line: 21, internal: false, t: 0, wall: 0 },
    { ev: 'task', task: 3, loop: 1, name: 'Task-3', coro: 'serve', label: 'serve()', parent: null, line: null, internal: true, t: 0, wall: 0 },
    tick(1, 0, [1, 2, 3]),
    { ev: 'step', task: 1, t: 0, dur: 0.001, from: 20, to: 22, stack: [[22, 'main']], reason: sleep(1, 1) },
    { ev: 'step', task: 2, t: 0.001, dur: 0.001, from: 3, fromFile: LIB, to: 5, file: LIB, stack: [[21, 'fetch'], [5, 'get', LIB]], reason: queue },
    { ev: 'step', task: 3, t: 0.002, dur: 0.001, from: null, to: null, reason: queue },
    tick(2, 1, [1]),
    { ev: 'step', task: 1, t: 1, dur: 0.001, from: 22, to: 23, stack: [[23, 'main']], reason: yielded },
    tick(3, 1, [1, 2]),
    { ev: 'step', task: 1, t: 1, dur: 0.001, from: 23, to: 23, reason: yielded },
    { ev: 'step', task: 2, t: 1, dur: 0.001, from: 5, fromFile: LIB, to: 5, file: LIB, reason: queue },
    tick(4, 1, [1, 2, 3]),
    { ev: 'step', task: 1, t: 1, dur: 0.001, from: 23, to: 23, reason: yielded },
    { ev: 'step', task: 2, t: 1, dur: 0.001, from: 5, fromFile: LIB, to: 24, stack: [[24, 'fetch']], reason: null },
    { ev: 'step', task: 3, t: 1, dur: 0.001, from: null, to: null, reason: queue },
    tick(5, 1, [1, 2, 3]),
    { ev: 'step', task: 1, t: 1, dur: 0.001, from: 23, to: null },
    { ev: 'done', task: 1, t: 1, state: 'ok', result: 'None' },
    { ev: 'step', task: 2, t: 1, dur: 0.001, from: 24, to: 24, reason: null },
    { ev: 'step', task: 3, t: 1, dur: 0.001, from: null, to: null },
    { ev: 'done', task: 3, t: 1, state: 'cancelled' },
    tick(6, 1, [2]),
    { ev: 'step', task: 2, t: 1, dur: 0.001, from: 24, to: null },
    { ev: 'done', task: 2, t: 1, state: 'ok', result: '1' },
    tick(7, 1, []),
  ];
}

describe('Protocol 2 steps carry from and reason forward', function () {
  // A guard against a hang, not a timing assertion: reading a generated trace twice takes seconds on a busy machine.
  this.timeout(120_000);
  const traces: [string, TraceEvent[]][] = [
    ['hand-written', handWritten()],
    ['generated', generateTrace(600)],
    ['recorded (test/webview/fixtures/downloads.jsonl)',
      readFileSync(join(REPO, 'test/webview/fixtures/downloads.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent)],
  ];

  for (const [name, events] of traces) {
    it(`reads a ${name} trace with the fields left out exactly as spelled out`, () => {
      const leftOut = leaveOutCarried(events);
      const omitted = leftOut.filter((e) => e.ev === 'step' && (e.from === undefined || e.reason === undefined)).length;
      assert.ok(omitted > 0, 'the trace should leave something out');
      const expected = whatTheViewsSee(modelOf(events));
      assert.deepEqual(whatTheViewsSee(modelOf(withProtocol(events, 2))), expected, 'spelled out, protocol 2');
      assert.deepEqual(whatTheViewsSee(modelOf(leftOut)), expected, 'fields left out, protocol 2');
    });
  }

  it('leaves out the hand-written trace the way docs/protocol.md says', () => {
    const steps = leaveOutCarried(handWritten()).filter((e): e is StepEvent => e.ev === 'step');
    // A suspended step with nothing new: task, times and `to` only.
    assert.deepEqual(steps[4], { ev: 'step', task: 1, t: 1, dur: 0.001, to: 23 });
    const model = modelOf(leaveOutCarried(handWritten()));
    const [main, fetch, serve] = model.taskOrder;
    assert.deepEqual(main.steps.map((s) => [s.from, s.to, s.reason?.kind]), [[20, 22, 'sleep'], [22, 23, 'yield'], [23, 23, 'yield'], [23, 23, 'yield'], [23, null, undefined]]);
    assert.deepEqual(fetch.steps.map((s) => [s.from, s.fromFile, s.to, s.file, s.reason?.kind]),
      [[3, LIB, 5, LIB, 'queue_get'], [5, LIB, 5, LIB, 'queue_get'], [5, LIB, 24, undefined, undefined],
        [24, undefined, 24, undefined, undefined], [24, undefined, null, undefined, undefined]]);
    assert.deepEqual(serve.steps.map((s) => s.reason?.kind), ['queue_get', 'queue_get', undefined], 'suspended outside user code, then cancelled');
  });
});

describe('Protocol 1 traces read as before', () => {
  it('takes from and reason from each step as written, with nothing carried forward', () => {
    const events = withProtocol(handWritten(), 1).map((event) =>
      // A protocol 1 step that leaves them out means "no line" and "no reason".
      (event.ev === 'step' && event.task === 1 && event.t === 1 && event.to === 23 && event.from === 23 ? { ...event, from: undefined, reason: undefined } : event));
    const main = modelOf(events).taskOrder[0];
    assert.deepEqual(main.steps.map((s) => [s.from, s.reason?.kind]), [[20, 'sleep'], [22, 'yield'], [null, undefined], [null, undefined], [23, undefined]]);
    const carried = modelOf(withProtocol(events, 2)).taskOrder[0];
    assert.deepEqual(carried.steps.map((s) => [s.from, s.reason?.kind]), [[20, 'sleep'], [22, 'yield'], [23, 'yield'], [23, 'yield'], [23, undefined]]);
  });

  it('gives every step of a recorded protocol 1 trace the from and reason its event says', () => {
    const events = readFileSync(join(REPO, 'test/webview/fixtures/downloads.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
    assert.equal(events[0].ev === 'start' && events[0].protocol, 1);
    const model = modelOf(events);
    const seen = new Map<number, number>();
    for (const event of events) {
      if (event.ev !== 'step') continue;
      const i = seen.get(event.task) ?? 0;
      seen.set(event.task, i + 1);
      const step = model.tasks.get(event.task)!.steps[i];
      assert.equal(step.from, event.from ?? null);
      assert.equal(step.to, event.to);
      assert.deepEqual(step.reason, event.reason ?? undefined);
    }
    assert.ok(seen.size > 1);
  });
});
