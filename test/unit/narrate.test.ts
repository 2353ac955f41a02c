// "Explain this tick": the narration of chosen ticks of real example traces, checked against the
// trace itself (names, lines, tick numbers and times come from the model), plus a small hand-made
// trace that pins the exact wording.
import * as assert from 'node:assert/strict';
import { callLabel, distinctNames, duration, errorText, fullTaskName, place, reasonText, seconds, taskName } from '../../src/core/describe';
import { TraceModel, type TaskInfo } from '../../src/core/model';
import { stateAfter } from '../../src/core/moment';
import { narrateTick } from '../../src/core/narrate';
import type { ErrorInfo, TraceEvent } from '../../src/protocol/events';
import { lineOf, taskOf, traceExample } from './exampleTraces';

/** How the narration names a task: the call it runs (or its own name), in a code span. */
function ref(task: TaskInfo): string {
  return `\`${taskName(task)}\``;
}

function includes(text: string, expected: string): void {
  assert.ok(text.includes(expected), `expected the narration to say\n  ${expected}\nbut it says\n  ${text.replace(/\n/g, '\n  ')}`);
}

/** The next tick of the same loop. */
function next(model: TraceModel, index: number) {
  const tick = model.ticks[index];
  return model.ticks[model.loops.get(tick.loop)!.ticks[tick.n]];
}

describe('the vocabulary (describe.ts)', () => {
  const task = (id: number, label: string, name = `Task-${id}`) => ({ id, label, name, coro: `mod.${label.slice(0, label.indexOf('('))}`,
    internal: false, loop: 1, parent: null, line: null, eager: false, created: { tick: 0, t: 0 }, steps: [], stepTicks: [] }) as TaskInfo;

  it('names a task by its name=, else by the call it runs, with long floats and cut reprs shortened', () => {
    assert.equal(taskName(task(1, "fetch('a.com')", 'downloader')), 'downloader');
    assert.equal(fullTaskName(task(1, "fetch('a.com')", 'downloader')), "downloader (fetch('a.com'))");
    assert.equal(taskName(task(2, 'worker(19, 0.006543210, x=19.87654, y=1e-05)')), 'worker(19, 0.0065, x=19.88, y=1e-05)');
    assert.equal(callLabel(task(3, "cook('Anna', <Task pend...nce.py:12>>)")), "cook('Anna', <Task…>)");
    assert.equal(callLabel(task(4, "f('a...b', <Foo>, [1, 2])")), "f('a...b', <Foo>, [1, 2])");
  });

  it('takes whether the program named a task from the trace (protocol 2.1 named), by the look of Task-N only without it', () => {
    assert.equal(taskName({ ...task(5, 'boil(1)', 'Task-99'), named: true }), 'Task-99');
    assert.equal(taskName({ ...task(6, 'boil(1)', 'pasta'), named: false }), 'boil(1)');
    assert.equal(taskName(task(7, 'boil(1)', 'Task-99')), 'boil(1)');
  });

  it('tells apart tasks of one function that would read alike by the arguments that differ', () => {
    const tasks = [1, 2, 3].map((i) => task(i, `fetch(<aiohttp.c...0x7f3a>, 'https://a.example/${i}', ${i < 3 ? 3 : 4})`));
    const names = distinctNames([...tasks, task(9, 'other(1)')], 20);
    assert.deepEqual([...names.values()], ["fetch(…, 'https://a.example/1', 3)", "fetch(…, 'https://a.example/2', 3)",
      "fetch(…, 'https://a.example/3', 4)", 'other(1)']);
    // Names that fit the width stay whole.
    assert.deepEqual([...distinctNames([task(1, "chop('onion')"), task(2, "chop('garlic')")], 20).values()], ["chop('onion')", "chop('garlic')"]);
  });

  it('tells an exception in one line, an ExceptionGroup with its leaves (protocol 2.1)', () => {
    assert.equal(errorText({ type: 'ValueError', message: 'bad' }), 'ValueError: bad');
    const group = { type: 'ExceptionGroup', message: 'unhandled errors in a TaskGroup (2 sub-exceptions)', line: 7,
      leaves: [{ type: 'RuntimeError', message: 'boom "inside"', line: 7 }, { type: 'KeyError', message: "'x'" }, { type: 3 }] };
    // (The last leaf is what a hostile trace could hold: it is left out.)
    assert.equal(errorText(group as unknown as ErrorInfo), 'ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions): RuntimeError("boom \\"inside\\""), KeyError("\'x\'")');
  });

  it('formats durations in the unit they read best in, picked after rounding', () => {
    assert.deepEqual([0, 0.0004, 0.0025, 0.25, 0.99996, 1.5, 59.99996, 90, -0.25].map(duration),
      ['0 s', '400 µs', '2.5 ms', '250 ms', '1 s', '1.5 s', '1 min 0 s', '1 min 30 s', '-250 ms']);
    assert.deepEqual([0.0009996, 0.0099999].map(duration), ['1 ms', '10 ms']);
  });

  it('formats places as {line, file}, and names awaited tasks instead of "task 2 (Task-2)"', () => {
    assert.equal(place({ line: 12 }), 'line 12');
    assert.equal(place({ line: 12, file: '/home/me/helpers.py' }), 'helpers.py:12');
    const model = new TraceModel();
    model.apply({ ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: 'bake', label: 'bake()', parent: null, line: 3, internal: false, t: 0, wall: 0 });
    assert.equal(reasonText({ kind: 'task', task: 2, text: 'awaiting task 2 (Task-2)' }, model), 'awaiting bake()');
  });
});

describe('narrateTick on hand-made events', () => {
  const events = [
    { ev: 'start', protocol: 1, minor: 0, python: '3.11.7', clock: 'virtual' },
    { ev: 'loop', loop: 1, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 20, internal: false, t: 0, wall: 0 },
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: 'chop_vegetables', label: 'chop_vegetables()', parent: 1, line: 16, internal: false, t: 0, wall: 0 },
    { ev: 'step', task: 1, t: 0, dur: 0.001, from: 14, to: 17, stack: [[17, 'main']], reason: { kind: 'task', task: 2, text: 'awaiting task 2 (Task-2)' } },
    { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [2] },
    { ev: 'timer', loop: 1, timer: 1, when: 3, fn: '_set_result_unless_cancelled', line: 12, task: 2, t: 0 },
    { ev: 'step', task: 2, t: 0, dur: 0.001, from: 10, to: 12, stack: [[12, 'chop_vegetables']],
      reason: { kind: 'sleep', delay: 3, wake: 3, timer: 1, text: 'asyncio.sleep(3): timer fires at t=3.000' } },
    { ev: 'tick', loop: 1, n: 3, t: 3, wall: 0.01, waited: 0, jump: 3, ready: [{ fn: '_set_result_unless_cancelled', timer: 1, kind: 'timer' }] },
    { ev: 'callback', loop: 1, fn: '_set_result_unless_cancelled', kind: 'timer', timer: 1, t: 3, dur: 0 },
    { ev: 'tick', loop: 1, n: 4, t: 3, wall: 0.01, waited: 0, jump: 0, ready: [2] },
    { ev: 'output', stream: 'stdout', text: 'diced!', task: 2, line: 13, loop: 1, t: 3, wall: 0.01 },
    { ev: 'step', task: 2, t: 3, dur: 0.001, from: 12, to: null },
    { ev: 'done', task: 2, t: 3, state: 'ok', result: "'carrots'" },
    { ev: 'tick', loop: 1, n: 5, t: 5, wall: 2.01, waited: 2, jump: 0, ready: [1] },
    { ev: 'step', task: 1, t: 5, dur: 0.001, from: 17, to: null },
    { ev: 'done', task: 1, t: 5, state: 'ok', result: 'None' },
  ] as unknown as TraceEvent[];
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('tells a timer firing, the clock jump and who becomes ready', () => {
    assert.equal(narrateTick(model, 2), [
      'Tick 3, t=3.000. Nothing was ready, so the virtual clock jumped 3.000 s ahead to the next timer.',
      'The timer of `chop_vegetables()` fired: its asyncio.sleep(3) at line 12 is over, so it became ready and runs in tick 4.',
    ].join('\n'));
  });

  it('tells a task finishing, and without protocol 2.1\'s `by` only what the woken task waited in', () => {
    assert.equal(narrateTick(model, 3), [
      'Tick 4, t=3.000.',
      "`chop_vegetables()` resumed at line 12 and finished, returning 'carrots'.",
      'Printed: “diced!”.',
      'After tick 4: `main()` became ready (it was awaiting `chop_vegetables()`); it runs in tick 5.',
    ].join('\n'));
  });

  it('says nothing was printed for an empty partial line (the program only waits for input)', () => {
    const waiting = new TraceModel();
    for (const event of events) {
      if (event.ev === 'output') waiting.apply({ ...event, text: '', partial: true } as TraceEvent);
      waiting.apply(event);
    }
    assert.deepEqual(waiting.output.map((o) => o.text), ['diced!']);
    assert.equal(narrateTick(waiting, 3), narrateTick(model, 3));
  });

  it('tells tasks created in a tick and their first step, naming tasks the same everywhere', () => {
    assert.equal(narrateTick(model, 0), [
      'Tick 1, t=0.000.',
      '`main()` started at line 14 and suspended at line 17: awaiting `chop_vegetables()`.',
      'After tick 1: `main()` created `chop_vegetables()` at line 16; it takes its first step in tick 2.',
    ].join('\n'));
  });

  it('tells a real-time wait, and the last tick only once the loop is closed', () => {
    assert.equal(narrateTick(model, 4), [
      'Tick 5, t=5.000. The loop waited 2 s for a timer, I/O or another thread.',
      '`main()` resumed at line 17 and finished.',
    ].join('\n'));
    const closed = new TraceModel();
    for (const event of [...events, { ev: 'loop_closed', loop: 1, t: 5, wall: 2.02 } as TraceEvent]) closed.apply(event);
    assert.match(narrateTick(closed, 4), /\nThis was the loop's last tick; then the loop closed\.$/);
  });

  it('stays short when a tick runs many entries', () => {
    const crowd = new TraceModel();
    const many = Array.from({ length: 20 }, (_, i) => i + 2);
    const crowdEvents = [
      events[0], events[1],
      ...many.map((id) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro: 'worker', label: `worker(${id})`, parent: null, line: 9, internal: false, t: 0, wall: 0 })),
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: many },
      ...many.map((id) => ({ ev: 'step', task: id, t: 0, dur: 0, from: 3, to: 4, stack: [[4, 'worker']], reason: { kind: 'yield', text: 'asyncio.sleep(0): yielded' } })),
      { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: many },
    ] as unknown as TraceEvent[];
    for (const event of crowdEvents) crowd.apply(event);
    const lines = narrateTick(crowd, 0).split('\n');
    assert.ok(lines.length <= 14, lines.join('\n'));
    assert.ok(lines.includes('…and 12 more entries (20 in the ready queue in all).'), lines.join('\n'));
    assert.ok(lines.some((l) => l.endsWith('and 14 more yielded: a tick runs only what was in the ready queue when it began, '
      + 'so they run again in tick 2, in the order they yielded.')), lines.join('\n'));
  });

  it('tells a run of alike steps once, with a count, and the same tasks once: "the 20 `worker()` tasks"', () => {
    const crowd = new TraceModel();
    const many = Array.from({ length: 20 }, (_, i) => i + 2);
    for (const event of [
      events[0], events[1],
      ...many.map((id) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro: 'worker', label: 'worker()', parent: null, line: 9, internal: false, t: 0, wall: 0 })),
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: many },
      ...many.map((id) => ({ ev: 'step', task: id, t: 0, dur: 0, from: 3, to: 4, stack: [[4, 'worker']], reason: { kind: 'yield', text: 'asyncio.sleep(0): yielded' } })),
      { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: many },
    ] as unknown as TraceEvent[]) crowd.apply(event);
    assert.equal(narrateTick(crowd, 0), [
      'Tick 1, t=0.000. Before tick 1, the ready queue held the 20 `worker()` entries; the tick runs them first in, first out.',
      '`worker()` started at line 3 and yielded at line 4 (asyncio.sleep(0)), going to the back of the ready queue (20 times).',
      'After tick 1: the 20 `worker()` tasks yielded: a tick runs only what was in the ready queue when it began, so they run again in tick 2, '
        + 'in the order they yielded.',
    ].join('\n'));
  });

  it('stays short when many tasks each create a task in one tick', () => {
    const parents = Array.from({ length: 30 }, (_, i) => i + 2);
    const task = (id: number, parent: number | null) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro: parent ? 'child' : 'parent',
      label: parent ? 'child()' : 'parent()', parent, line: parent ? 5 : 9, internal: false, t: 0, wall: 0 });
    const crowdEvents = [
      events[0], events[1],
      ...parents.map((id) => task(id, null)),
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: parents },
      ...parents.flatMap((id) => [task(id + 100, id), { ev: 'step', task: id, t: 0, dur: 0, from: 3, to: 5, stack: [[5, 'parent']],
        reason: { kind: 'task', task: id + 100, text: 'awaiting a task' } }]),
      { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: parents.map((id) => id + 100) },
    ] as unknown as TraceEvent[];
    const crowd = new TraceModel();
    for (const event of crowdEvents) crowd.apply(event);
    const lines = narrateTick(crowd, 0).split('\n');
    assert.ok(lines.length <= 24, lines.join('\n'));
    assert.ok(lines.includes('…and 22 more tasks created by 22 other tasks.'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('After tick 1: `parent()` created `child()`')), lines.join('\n'));
  });

  it('the moment after a tick is the state before the loop\'s next tick, and after its last tick everything printed', () => {
    const after = stateAfter(model, 3)!;
    const next = model.stateBefore(4)!;
    assert.equal(after.tick.n, 4);
    assert.equal(after.next, next.tick);
    assert.deepEqual(after.tasks.map((t) => [t.task.id, t.state]), next.tasks.map((t) => [t.task.id, t.state]));
    assert.deepEqual(after.ready, [1]);
    assert.equal(after.outputCount, 1, '“diced!” was printed in tick 4');
    const end = stateAfter(model, 4)!;
    assert.equal(end.next, undefined);
    assert.deepEqual(end.ready, []);
    assert.deepEqual(end.tasks.map((t) => [t.task.id, t.state]), [[1, 'done']]);
    assert.equal(stateAfter(model, 5), undefined);
  });

  it('is empty for a tick that does not exist', () => {
    assert.equal(narrateTick(model, 99), '');
  });
});

describe('narrateTick with protocol 2.1 facts (step.by)', () => {
  // An oven task wakes two cooks that await it; a third cook is woken later by a timer.
  const task = (id: number, coro: string, label: string) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro, label,
    parent: 1, line: 5, internal: false, t: 0, wall: 0 });
  const events = [
    { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual' },
    { ev: 'loop', loop: 1, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: 0 },
    task(2, 'bake', 'bake()'), task(3, 'cook', "cook('Anna')"), task(4, 'cook', "cook('Ben')"),
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [2, 3, 4] },
    { ev: 'step', task: 2, t: 0, dur: 0, from: 10, to: 11, q: 0, by: { kind: 'spawn', task: 1 }, reason: { kind: 'yield', text: 'yielded' } },
    { ev: 'step', task: 3, t: 0, dur: 0, from: 20, to: 21, q: 1, by: { kind: 'spawn', task: 1 }, reason: { kind: 'task', task: 2, text: 'awaiting task 2 (Task-2)' } },
    { ev: 'step', task: 4, t: 0, dur: 0, from: 20, to: 21, q: 2, by: { kind: 'spawn', task: 1 }, reason: { kind: 'task', task: 2, text: 'awaiting task 2 (Task-2)' } },
    { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [2] },
    { ev: 'step', task: 2, t: 0, dur: 0, from: 11, to: null, q: 0, by: { kind: 'yield', n: 1, q: 0 } },
    { ev: 'done', task: 2, t: 0, state: 'ok', result: "'pie'" },
    { ev: 'tick', loop: 1, n: 3, t: 0, wall: 0, waited: 0, jump: 0, ready: [3, 4] },
    { ev: 'step', task: 3, t: 0, dur: 0, from: 21, to: null, q: 0, by: { kind: 'task', task: 2, n: 2, q: 0, line: 12 } },
    { ev: 'done', task: 3, t: 0, state: 'ok' },
    { ev: 'step', task: 4, t: 0, dur: 0, from: 21, to: null, q: 1, by: { kind: 'task', task: 2, n: 2, q: 0, line: 12 } },
    { ev: 'done', task: 4, t: 0, state: 'ok' },
  ] as unknown as TraceEvent[];
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('says who woke a task, and that tasks woken by one step run in the order it woke them', () => {
    const text = narrateTick(model, 1);
    includes(text, "After tick 2: `cook('Anna')` and `cook('Ben')` were woken by `bake()` at line 12 (they were awaiting `bake()`), one after the other; "
      + 'they run in tick 3, in that order.');
    assert.doesNotMatch(text, /ready queue for tick 3/, 'the queue is already told, in order');
  });
});

describe('narrateTick says a timer woke a task only when the trace says so', () => {
  const events = (by: object | undefined) => [
    { ev: 'start', protocol: 2, minor: by ? 1 : 0, python: '3.12.0', clock: 'virtual' },
    { ev: 'loop', loop: 1, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'nap', label: 'nap()', parent: null, line: 9, internal: false, t: 0, wall: 0 },
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'timer', loop: 1, timer: 1, when: 1, fn: '_set_result_unless_cancelled', line: 4, task: 1, t: 0 },
    { ev: 'step', task: 1, t: 0, dur: 0, from: 3, to: 4, reason: { kind: 'sleep', delay: 1, wake: 1, timer: 1, text: 'asyncio.sleep(1)' } },
    { ev: 'tick', loop: 1, n: 2, t: 1, wall: 0, waited: 0, jump: 1, ready: [{ fn: '_set_result_unless_cancelled', timer: 1, kind: 'timer' }] },
    { ev: 'callback', loop: 1, fn: '_set_result_unless_cancelled', kind: 'timer', timer: 1, t: 1, dur: 0 },
    { ev: 'tick', loop: 1, n: 3, t: 1, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'step', task: 1, t: 1, dur: 0, to: null, ...(by ? { q: 0, by } : {}) },
  ] as unknown as TraceEvent[];
  const told = (by?: object) => {
    const model = new TraceModel();
    for (const event of events(by)) model.apply(event);
    return narrateTick(model, 1);
  };

  it('from `by` when the trace has it, else from the timer the tracer tied to the task', () => {
    includes(told(), 'its asyncio.sleep(1) at line 4 is over, so it became ready and runs in tick 3.');
    includes(told({ kind: 'timer', timer: 1, n: 2, q: 0 }), 'is over, so it became ready and runs in tick 3.');
    // `by` names another waker: the timer's sentence does not claim it, the ready queue's tells who did.
    const other = told({ kind: 'threadsafe', fn: 'Future.set_result', n: 2, q: 0 });
    assert.doesNotMatch(other, /so it became ready/);
    includes(other, '`nap()` was woken by another thread (`Future.set_result`) (it was in asyncio.sleep(1)); it runs in tick 3.');
  });
});

describe('narrateTick with protocol 2.1 `reason` events', () => {
  const events = [
    { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual' },
    { ev: 'loop', loop: 1, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 9, internal: false, t: 0, wall: 0 },
    { ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: 'job', label: 'job(1)', parent: 1, line: 5, internal: false, t: 0, wall: 0 },
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'step', task: 1, t: 0, dur: 0, from: 9, to: 10, q: 0, by: { kind: 'outside' },
      reason: { kind: 'gather', children: [2], pending: 1, text: 'asyncio.gather: 1 of 1 awaitables pending' } },
    { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [2] },
    { ev: 'step', task: 2, t: 0, dur: 0, from: 3, to: null, q: 0, by: { kind: 'spawn', task: 1, n: 1, q: 0, line: 10 } },
    { ev: 'done', task: 2, t: 0, state: 'ok', result: '1' },
    { ev: 'reason', task: 1, t: 0, reason: { kind: 'gather', children: [2], pending: 0, text: 'asyncio.gather: 0 of 1 awaitables pending' } },
  ] as unknown as TraceEvent[];
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('tells a wait that changed while its task stayed suspended, in the tick it changed', () => {
    includes(narrateTick(model, 1), '`main()` still waits, now asyncio.gather: 0 of 1 awaitables pending.');
    assert.doesNotMatch(narrateTick(model, 0), /still waits/);
  });
});

describe('narrateTick on example traces', function () {
  this.timeout(60000);

  it('ready_at_once: the oven\'s timer fires, then the oven finishes and both cooks become ready', async () => {
    const { model, source } = await traceExample('ready_at_once');
    const oven = taskOf(model, 'bake');
    const [anna, ben] = [taskOf(model, 'cook', 'Anna'), taskOf(model, 'cook', 'Ben')];
    const sleep = lineOf(source, 'await asyncio.sleep(2)');
    const finished = oven.done!.tick;
    const tick = model.ticks[finished];
    const text = narrateTick(model, finished);
    assert.ok(text.startsWith(`Tick ${tick.n}, t=${seconds(tick.t)}.`), text);
    includes(text, `${ref(oven)} resumed at line ${sleep} and finished, returning 'pie'.`);
    // Both awaited the oven: its finishing woke them (protocol 2.1 step.by), in the order they awaited it.
    includes(text, `After tick ${tick.n}: ${ref(anna)} and ${ref(ben)} were woken by ${ref(oven)} (they were awaiting ${ref(oven)}), one after the other; `
      + `they run in tick ${tick.n + 1}, in that order.`);

    const fired = model.timers.find((t) => t.task === oven.id)!.ended;
    const firedText = narrateTick(model, fired);
    includes(firedText, `Nothing was ready, so the virtual clock jumped ${seconds(model.ticks[fired].jump)} s ahead to the next timer.`);
    includes(firedText, `The timer of ${ref(oven)} fired: its asyncio.sleep(2) at line ${sleep} is over, `
      + `so it became ready and runs in tick ${model.ticks[fired].n + 1}.`);
  });

  it('sleep_zero: a yield goes behind what is still queued, and waits for the next tick because a tick runs only what it began with', async () => {
    const { model, source } = await traceExample('sleep_zero');
    const [anna, ben] = [taskOf(model, 'chef', 'Anna'), taskOf(model, 'chef', 'Ben')];
    const line = lineOf(source, 'await asyncio.sleep(0)  # yield');
    const yielded = anna.steps.find((s) => s.reason?.kind === 'yield' && s.from === line)!.tick;
    const n = model.ticks[yielded].n;
    const text = narrateTick(model, yielded);
    includes(text, `${ref(anna)} resumed at line ${line} and yielded there (asyncio.sleep(0)), going to the back of the ready queue, `
      + `behind ${ref(ben)}, which had not run yet.`);
    includes(text, `After tick ${n}: ${ref(anna)} and ${ref(ben)} yielded: a tick runs only what was in the ready queue when it began, `
      + `so they run again in tick ${n + 1}, in the order they yielded.`);
    includes(text, 'Printed: “Anna chops onion 2”, “Ben chops onion 2”.');
    // The moment the tick began from, named: what its ready queue held.
    assert.ok(text.startsWith(`Tick ${n}, t=${seconds(model.ticks[yielded].t)}. Before tick ${n}, the ready queue held ${ref(anna)} and ${ref(ben)}; `
      + 'the tick runs them first in, first out.\n'), text);
  });

  it('gather: asyncio\'s own callbacks are told in plain words', async () => {
    const { model } = await traceExample('gather');
    const done = model.ticks.findIndex((t) => t.ready.some((e) => typeof e === 'object' && e.fn === 'gather.<locals>._done_callback'));
    includes(narrateTick(model, done), 'asyncio\'s `gather.<locals>._done_callback` ran: gather noticed that one of its children finished.');
  });

  it('every example: asyncio.run\'s shutdown ticks are told once, as one story', async () => {
    for (const name of ['gather', 'sleep_zero', 'executor_threads', 'run_twice']) {
      const { model } = await traceExample(name);
      for (const loop of model.loops.values()) {
        // From the first time asyncio.run's callback runs after the program's last task ended.
        const last = model.taskOrder.filter((t) => t.loop === loop.id && !t.internal).reduce((a, t) => Math.max(a, t.done!.tick), 0);
        const from = loop.ticks.find((i) => i > last && model.ticks[i].ready.some((e) => typeof e === 'object' && e.fn === '_run_until_complete_cb'))!;
        const shutdown = loop.ticks.filter((i) => i >= from);
        assert.ok(shutdown.length >= 2, `${name}: asyncio.run has ticks of its own at the end of loop ${loop.id}`);
        const told = shutdown.map((i) => narrateTick(model, i));
        const [first, end] = [model.ticks[shutdown[0]].n, model.ticks[shutdown[shutdown.length - 1]].n];
        for (const text of told) assert.equal(text, told[0], `${name}: every shutdown tick tells the same`);
        assert.match(told[0], new RegExp(`^Ticks ${first}–${end}( of loop ${loop.id})?, t=[\\d.]+: asyncio\\.run shutting down, told once`));
        includes(told[0], '`shutdown_asyncgens` (asyncio.run closing async generators)');
        // A sentence of its own, or the first after "After tick N:".
        assert.match(narrateTick(model, loop.ticks[model.ticks[shutdown[0]].n - 2]),
          new RegExp(`(^|\\n)(After tick \\d+( of loop \\d+)?: e|E)very task of the program has finished; ticks ${first}–${end} are asyncio\\.run shutting down\\.`));
      }
    }
  });

  it('time_sleep_blocks: the blocking step, then the kettle\'s timer firing late', async () => {
    const { model, source } = await traceExample('time_sleep_blocks');
    const kettle = taskOf(model, 'kettle');
    const blocking = model.blocking[0];
    includes(narrateTick(model, blocking.tick), `${ref(taskOf(model, 'toaster'))} started at line ${lineOf(source, 'async def toaster')}`
      + ` and finished. This step held the loop for ${duration(blocking.dur)}, busy at line ${lineOf(source, 'time.sleep(1)')}:`
      + ' it never reached an await, so nothing else could run meanwhile (blocking).');
    const timer = model.timers.find((t) => t.task === kettle.id)!;
    includes(narrateTick(model, timer.ended), `The timer of ${ref(kettle)} fired ${duration(model.ticks[timer.ended].t - timer.when)} late`
      + ` (it was due at t=${seconds(timer.when)})`);
  });

  it('cancellation: cancel() wakes the roast, CancelledError is raised at its await and its timer is cancelled', async () => {
    const { model, source } = await traceExample('cancellation');
    const roast = taskOf(model, 'roast');
    const sleep = lineOf(source, 'await asyncio.sleep(60)');
    const last = roast.steps[roast.steps.length - 1].tick;
    const before = model.ticks[model.loops.get(1)!.ticks[model.ticks[last].n - 2]];
    includes(narrateTick(model, before.index), `${ref(roast)} was cancelled by ${ref(taskOf(model, 'main'))} at line `
      + `${lineOf(source, 'task.cancel()')}: cancel() wakes a waiting task so that CancelledError is raised inside it, in tick ${model.ticks[last].n}.`);
    const text = narrateTick(model, last);
    includes(text, `${ref(roast)} resumed at line ${sleep} and was cancelled: CancelledError was raised at line ${sleep}, and the task ended cancelled.`);
    includes(text, 'Printed: “roast: oven off”.');
    const timer = model.timers.find((t) => t.task === roast.id)!;
    includes(text, `The timer of ${ref(roast)} (due at t=${seconds(timer.when)}) was cancelled.`);
  });

  it('task_exception: the exception is told with its line and kept in the task', async () => {
    const { model, source } = await traceExample('task_exception');
    const toast = taskOf(model, 'make_toast');
    includes(narrateTick(model, toast.done!.tick), `${ref(toast)} resumed at line ${lineOf(source, 'await asyncio.sleep(1)')}`
      + ` and raised RuntimeError at line ${lineOf(source, 'raise RuntimeError')} (“the toast is burnt”):`
      + ' the task ended, and the exception is kept in it for whoever awaits it.');
  });

  it('executor_threads: jobs handed to worker threads, and a thread finishing between ticks', async () => {
    const { model, source } = await traceExample('executor_threads');
    const main = taskOf(model, 'main');
    const [flour, sugar] = [...model.jobs.values()].sort((a, b) => a.id - b.id);
    includes(narrateTick(model, flour.submitted), `${ref(main)} handed \`weigh\` to a worker thread (job ${flour.id}, `
      + `line ${lineOf(source, 'run_in_executor(None, weigh, "flour")')}), which runs it on ${flour.thread}; the loop does not wait for it.`);
    const after = model.loops.get(1)!.ticks.find((i) => model.ticks[i].wall >= sugar.endWall!)!;
    includes(narrateTick(model, after), `Meanwhile worker thread ${sugar.thread} finished \`weigh\` (job ${sugar.id}).`);
  });

  it('callbacks: two call_soon callbacks in one tick, a timer set and one cancelled', async () => {
    const { model, source } = await traceExample('callbacks');
    const first = taskOf(model, 'main').steps[0].tick;
    const text = narrateTick(model, first);
    const [egg, never] = model.timers.filter((t) => t.fn === 'ring');
    includes(text, `A timer was set for \`ring\` at t=${seconds(egg.when)} (line ${lineOf(source, 'call_later(1, ring')}).`);
    includes(text, `The timer for \`ring\` (due at t=${seconds(never.when)}) was cancelled.`);
    includes(text, `eady queue for tick ${model.ticks[first].n + 1} is, first in, first out: \`ring\` and \`ring\`.`);
    const second = next(model, first);
    includes(narrateTick(model, second.index), `Callback \`ring\` (line ${lineOf(source, 'def ring(')}) ran; it was scheduled with call_soon (2 times).`);
    includes(narrateTick(model, egg.ended), `The call_later timer set at line ${egg.line} fired and ran \`ring\``);
  });

  it('sockets: the operating system reports the socket readable and the reader becomes ready', async () => {
    const { model } = await traceExample('sockets');
    const kitchen = taskOf(model, 'kitchen');
    const wait = kitchen.steps.find((s) => s.reason?.kind === 'io_read')!;
    const fd = wait.reason!.fd!;
    const readable = model.loops.get(1)!.ticks.find((i) => i > wait.tick && model.ticks[i].io?.some((io) => io.fd === fd))!;
    const io = model.ticks[readable].io!.find((x) => x.fd === fd)!;
    const text = narrateTick(model, readable);
    includes(text, `The operating system reported socket ${fd}${io.peer ? ` (${io.peer})` : ''} readable.`);
    includes(text, `${ref(kitchen)} was woken by I/O: data arrived on a socket (it was waiting for data from ${io.peer}); it runs in tick ${model.ticks[readable].n + 1}.`);
  });

  it('event: the three guests become ready together, in the order they were put in the ready queue', async () => {
    const { model, source } = await traceExample('event');
    const guests = ['Ana', 'Ben', 'Cy'].map((name) => ref(taskOf(model, 'guest', name)));
    const set = model.output.find((o) => o.text === 'chef: dinner is ready!')!.tick;
    // main() awaits chef() inline, so main's step is the one that set the event.
    includes(narrateTick(model, set), `${guests[0]}, ${guests[1]} and ${guests[2]} were woken by ${ref(taskOf(model, 'main'))} `
      + `at line ${lineOf(source, 'dinner_ready.set()')} (they were waiting for Event.set()), one after the other; they run in tick ${model.ticks[set].n + 1}, in that order.`);
  });

  it('run_twice: names the loop when there are two, and says when a loop closed', async () => {
    const { model } = await traceExample('run_twice');
    const [, second] = [...model.loops.values()];
    assert.match(narrateTick(model, second.firstTick), /^Tick 1 of loop 2, t=/);
  });

  it('says something plain for every tick of every example', async () => {
    for (const name of ['await_vs_create_task', 'gather', 'producer_consumer', 'semaphore', 'lock', 'condition',
      'wait_for_timeout', 'taskgroup', 'never_awaited', 'cpu_bound', 'sockets', 'executor_threads']) {
      const { model } = await traceExample(name);
      for (let i = 0; i < model.ticks.length; i++) {
        const text = narrateTick(model, i);
        assert.match(text, /^Ticks? \d+/, `${name} tick ${i}`);
        assert.ok(text.split('\n').length >= 2, `${name} tick ${i} says what ran:\n${text}`);
        assert.doesNotMatch(text, /undefined|NaN|\[object|null|Task-\d+|task \d+ \(/, `${name} tick ${i}:\n${text}`);
      }
    }
  });
});
