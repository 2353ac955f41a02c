// Lane segments and their layout (src/core/lanes.ts, layout.ts), on traces of the examples run by
// the real tracer: what the panel and `loopscope lanes` draw.
import * as assert from 'node:assert/strict';
import { shortReason } from '../../src/core/describe';
import { buildLanes, describeSegment, laneLabel, laneSegments, mergeSegments, segmentTarget, type Lane, type Segment } from '../../src/core/lanes';
import { Layout } from '../../src/core/layout';
import { stepOf, TraceModel } from '../../src/core/model';
import type { TraceEvent } from '../../src/protocol/events';
import type { Axis } from '../../src/protocol/panel';
import { taskOf, traceExample } from './exampleTraces';

function segmentsOf(model: TraceModel, lane: Lane, axis: Axis, coarse = false): Segment[] {
  const layout = new Layout(model, axis, true);
  const [from, to] = layout.extent();
  return laneSegments(lane, model, layout, { from, to, coarse });
}

function taskLane(model: TraceModel, id: number): Lane {
  return buildLanes(model, true).find((lane) => lane.task?.id === id)!;
}

describe('lane segments', function () {
  this.timeout(60_000);

  it('cover each task from its creation to its done marker without gaps, one running segment per step', async () => {
    const { model } = await traceExample('gather');
    for (const axis of ['tick', 'time'] as const) {
      const layout = new Layout(model, axis, true);
      for (const task of model.taskOrder) {
        const segments = segmentsOf(model, taskLane(model, task.id), axis);
        const states = segments.filter((s) => s.info.kind !== 'done');
        for (let i = 1; i < states.length; i++) {
          assert.equal(states[i].start, states[i - 1].end, `${axis}: ${task.label} segment ${i} starts where the one before ends`);
        }
        const running = states.filter((s) => s.info.kind === 'running');
        assert.deepEqual(running.map((s) => s.info.kind === 'running' && s.info.step), task.steps, `${axis}: ${task.label} steps`);
        for (const seg of running) {
          const step = seg.info.kind === 'running' ? seg.info.step : undefined;
          if (axis === 'time') assert.deepEqual([seg.start, seg.end], [model.startOf(step!), model.endOf(step!)]);
          else assert.ok(seg.start >= step!.tick && seg.end <= step!.tick + 1, `a step drawn inside its tick (${task.label})`);
        }
        const done = segments.filter((s) => s.info.kind === 'done');
        assert.equal(done.length, 1, `${task.label} has one done marker`);
        // By time, at the done event's time: a few microseconds after the last step's end.
        if (axis === 'tick') assert.equal(done[0].start, states[states.length - 1].end, 'the marker follows the last segment');
        else assert.ok(done[0].start >= states[states.length - 1].end, 'the marker follows the last segment');
        assert.ok(done[0].start <= layout.loopEnd(task.loop));
      }
    }
  });

  it('draw a sleeping task suspended with the timer category, a task that yielded ready until its next step', async () => {
    const { model } = await traceExample('gather');
    const cat = model.taskOrder.find((task) => task.label.includes('cat.jpg'))!;
    const asleep = segmentsOf(model, taskLane(model, cat.id), 'tick').filter((s) => s.info.kind === 'suspended');
    assert.ok(asleep.length > 0 && asleep.every((s) => /reason-timer/.test(s.cls)), asleep.map((s) => s.cls).join(', '));

    const chefs = await traceExample('sleep_zero');
    const anna = chefs.model.taskOrder.find((task) => task.label.includes('Anna'))!;
    const segments = segmentsOf(chefs.model, taskLane(chefs.model, anna.id), 'tick');
    segments.forEach((seg, i) => {
      if (seg.info.kind !== 'running' || seg.info.step.reason?.kind !== 'yield') return;
      assert.equal(segments[i + 1].info.kind, 'ready', `after the yield in tick ${seg.info.step.tick}`);
      assert.equal(segments[i + 2].info.kind, 'running');
    });
  });

  it('put a blocking step on the loop lane across the time it held the loop', async () => {
    const { model } = await traceExample('time_sleep_blocks');
    const [blocking] = model.blocking;
    assert.ok(blocking && blocking.dur >= 1, 'time.sleep(1) blocked the loop');
    const loop = buildLanes(model, false).find((lane) => lane.kind === 'loop')!;
    const bars = segmentsOf(model, loop, 'time').filter((s) => s.info.kind === 'blocking');
    assert.equal(bars.length, 1);
    const toaster = taskOf(model, 'toaster');
    const step = toaster.steps.find((s) => s.tick === blocking.tick)!;
    assert.deepEqual([bars[0].start, bars[0].end], [model.startOf(step), model.endOf(step)]);
    assert.ok(bars[0].end - bars[0].start >= 1);
  });

  it('merge into cells of at most 10 px when zoomed out, keeping markers and the covered span', async () => {
    const { model } = await traceExample('gather');
    const main = taskOf(model, 'main');
    const segments = segmentsOf(model, taskLane(model, main.id), 'tick', true);
    // Thirty ticks in under 8 px: all but main's long waits in gather are narrower than 4 px.
    const unitsPerPx = 4;
    const merged = mergeSegments(segments, unitsPerPx);
    assert.ok(merged.length < segments.length, 'something was merged');
    const states = merged.filter((s) => s.info.kind !== 'done');
    for (const cell of states.filter((s) => s.merged)) {
      assert.ok((cell.end - cell.start) / unitsPerPx <= 10 + 1e-9, 'a merged cell is at most 10 px');
      assert.match(cell.cls, /seg-dense/);
    }
    for (let i = 1; i < states.length; i++) assert.ok(states[i].start >= states[i - 1].end - 1e-9, 'cells do not overlap');
    assert.equal(states[0].start, segments[0].start);
    assert.deepEqual(merged.filter((s) => s.info.kind === 'done').length, 1);
  });
});

describe('where activity ran in its tick (CallbackActivity.slot, Step.slot)', () => {
  it('matches each step to its task\'s ready entry, in the order the queue held them', async () => {
    const { model } = await traceExample('sleep_zero');
    let checked = 0;
    for (let g = 0; g < model.ticks.length; g++) {
      const ready = model.ticks[g].ready;
      for (const act of model.activityAt(g)) {
        const step = stepOf(act);
        if (!step || step.slot === undefined || step.slot < 0) continue;
        assert.equal(ready[step.slot], step.task, `tick ${g}: the step of task ${step.task} in its own entry`);
        checked++;
      }
    }
    assert.ok(checked >= 6, `${checked} steps checked`);
  });

  it('takes the position the tracer wrote (protocol 2.1 q) over first-in-first-out matching', () => {
    const model = new TraceModel();
    const events = [
      { ev: 'start', protocol: 2, minor: 1, python: '3.13.0', clock: 'virtual', scenario: '/s.py' },
      { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [{ fn: 'f', kind: 'soon' }, { fn: 'f', kind: 'soon' }] },
      { ev: 'callback', loop: 1, fn: 'f', kind: 'soon', t: 0, dur: 0.001, q: 1 },
      { ev: 'callback', loop: 1, fn: 'f', kind: 'soon', t: 0.001, dur: 0.001, q: 0 },
      // One more than the queue held: no entry of its own, so the slot of the one before, once the tick ended.
      { ev: 'callback', loop: 1, fn: 'f', kind: 'soon', t: 0.002, dur: 0.001 },
      { ev: 'tick', loop: 1, n: 2, t: 0.003, wall: 0, waited: 0, jump: 0, ready: [] },
    ] as unknown as TraceEvent[];
    for (const event of events) model.apply(event);
    assert.deepEqual(model.callbacksAt(0).map((act) => act.slot), [1, 0, 0]);
    const layout = new Layout(model, 'tick', true);
    assert.deepEqual(layout.callbackSpan(model.callbacksAt(0)[0]), [0.5, 1]);
  });
});

describe('what woke a step (protocol 2.1 by, TraceModel.wakerOf)', () => {
  it('gives back each step\'s waker as the tracer wrote it, a yield by the task\'s own previous step too', () => {
    const tick = (n: number, ready: unknown[]) => ({ ev: 'tick', loop: 1, n, t: n, wall: 0, waited: 0, jump: 0, ready });
    const step = (t: number, q: number, by: object) => ({ ev: 'step', task: 1, t, dur: 0.1, q, by, to: 5 });
    const wakers = [
      { kind: 'outside' },
      { kind: 'yield', n: 1, q: 0 },
      { kind: 'yield', n: 2, q: 0 },
      // Not what its previous step (slot 1 of tick 3) says: kept as written.
      { kind: 'yield', n: 3, q: 0 },
      { kind: 'yield', n: 4, q: 0, line: 7 },
      { kind: 'yield', n: 5, q: 0 },
    ];
    const events = [
      { ev: 'start', protocol: 2, minor: 1, python: '3.13.0', clock: 'virtual', scenario: '/s.py' },
      { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
      { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 4, t: 0, wall: 0 },
      tick(1, [1]), step(1, 0, wakers[0]),
      tick(2, [1]), step(2, 0, wakers[1]),
      tick(3, [{ fn: 'f', kind: 'soon' }, 1]), { ev: 'callback', loop: 1, fn: 'f', kind: 'soon', t: 3, dur: 0.1, q: 0 }, step(3.1, 1, wakers[2]),
      tick(4, [1]), step(4, 0, wakers[3]),
      tick(5, [1]), step(5, 0, wakers[4]),
      tick(6, [1]), step(6, 0, wakers[5]),
    ] as unknown as TraceEvent[];
    const model = new TraceModel();
    for (const event of events) model.apply(event);
    const steps = model.taskById(1)!.steps;
    assert.deepEqual(steps.map((s) => model.wakerOf(s)), wakers);
    assert.deepEqual(steps.map((s) => model.wakerKind(s)), wakers.map((w) => w.kind));
    // The yields that repeat their previous step's tick and slot are the ones kept without an object of their own.
    assert.deepEqual(steps.map((s) => s.by === 'yield'), [false, true, true, false, false, true]);
  });
});

describe('lanes in the one vocabulary (describe.ts)', () => {
  // Three fetches of one function whose labels read alike for 40 characters; main's step resumes in
  // a helper module (its line 5) and is suspended there again.
  const fetch = (id: number, url: string) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro: 'fetch',
    label: `fetch(<client.Session object at 0x7f3a>, '${url}', 1)`, parent: 1, line: 9, internal: false, t: 0, wall: 0 });
  const events = [
    { ev: 'start', protocol: 2, minor: 0, python: '3.12.0', clock: 'virtual', scenario: '/w/main.py' },
    { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 20, internal: false, t: 0, wall: 0 },
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    fetch(2, 'https://example.com/a'), fetch(3, 'https://example.com/b'), fetch(4, 'https://example.com/c'),
    { ev: 'step', task: 1, t: 0, dur: 0.001, from: 8, to: 5, file: '/w/helper.py', stack: [[12, 'main'], [5, 'nap', '/w/helper.py']],
      reason: { kind: 'yield', text: 'asyncio.sleep(0)' } },
    { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'step', task: 1, t: 0, dur: 0.001, to: 6, file: '/w/helper.py', reason: { kind: 'future', text: 'awaiting a Future' } },
    { ev: 'tick', loop: 1, n: 3, t: 0, wall: 0, waited: 0, jump: 0, ready: [2] },
    { ev: 'step', task: 2, t: 0, dur: 0.001, from: 3, to: 4, stack: [[4, 'fetch']], reason: { kind: 'future', text: 'awaiting a Future' } },
  ] as unknown as TraceEvent[];
  const model = new TraceModel();
  for (const event of events) model.apply(event);
  const lanes = buildLanes(model, false);

  it('label tasks of one function that would read alike by the argument that differs', () => {
    assert.deepEqual(lanes.filter((lane) => lane.task?.coro === 'fetch').map((lane) => laneLabel(lane, model).name),
      ["fetch(…, 'https://example.com/a', …)", "fetch(…, 'https://example.com/b', …)", "fetch(…, 'https://example.com/c', …)"]);
  });

  it('say the file of every line that is not in the scenario, and go there on a click', () => {
    const main = lanes.find((lane) => lane.task?.id === 1)!;
    const layout = new Layout(model, 'tick', true);
    const segments = laneSegments(main, model, layout, { from: 0, to: 4, coarse: false });
    const running = segments.filter((seg) => seg.info.kind === 'running');
    assert.deepEqual(describeSegment(running[0], model).slice(0, 2), ['main() — running', 'step: line 8 → helper.py:5']);
    assert.deepEqual(describeSegment(running[1], model).slice(0, 2), ['main() — running', 'step: helper.py:5 → helper.py:6']);
    assert.deepEqual(segmentTarget(running[1]), { line: 5, file: '/w/helper.py' });
    const suspended = segments.find((seg) => seg.info.kind === 'suspended')!;
    assert.equal(describeSegment(suspended, model)[0], 'main() — suspended at helper.py:6');
    assert.deepEqual(segmentTarget(suspended), { line: 6, file: '/w/helper.py' });
  });
});

describe('lanes from protocol 2.1 facts, never guessed', () => {
  // main wakes two workers waiting for an Event in tick 2 (its step is the first of two handles);
  // they run in tick 3. main then waits in gather, whose reason changes in tick 4 when a worker ends.
  const worker = (id: number) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro: 'worker', label: `worker(${id})`,
    parent: 1, line: 12, internal: false, t: 0, wall: 0 });
  const gather = (pending: number) => ({ kind: 'gather', children: [2, 3], pending, text: `asyncio.gather: ${pending} of 2 awaitables pending` });
  const trace = (withFacts: boolean) => [
    { ev: 'start', protocol: 2, minor: withFacts ? 1 : 0, python: '3.12.0', clock: 'virtual', scenario: '/w/main.py' },
    { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 20, internal: false, t: 0, wall: 0 },
    worker(2), worker(3),
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [2, 3] },
    { ev: 'step', task: 2, t: 0, dur: 0.1, from: 4, to: 5, reason: { kind: 'event', text: 'waiting for Event.set()' } },
    { ev: 'step', task: 3, t: 0.1, dur: 0.1, from: 4, to: 5, reason: { kind: 'event', text: 'waiting for Event.set()' } },
    { ev: 'tick', loop: 1, n: 2, t: 0.2, wall: 0, waited: 0, jump: 0, ready: [1, { fn: 'other', kind: 'soon' }] },
    { ev: 'step', task: 1, t: 0.2, dur: 0.1, from: 10, to: 15, reason: gather(2) },
    { ev: 'callback', loop: 1, fn: 'other', kind: 'soon', t: 0.3, dur: 0.5 },
    { ev: 'tick', loop: 1, n: 3, t: 0.8, wall: 0, waited: 0, jump: 0, ready: [2, 3] },
    { ev: 'step', task: 2, t: 0.8, dur: 0.1, to: null, ...(withFacts ? { q: 0, by: { kind: 'task', task: 1, n: 2, q: 0, line: 14 } } : {}) },
    { ev: 'done', task: 2, t: 0.9, state: 'ok' },
    ...(withFacts ? [{ ev: 'reason', task: 1, t: 0.9, reason: gather(1) }] : []),
    { ev: 'step', task: 3, t: 0.9, dur: 0.1, to: 6, ...(withFacts ? { q: 1, by: { kind: 'task', task: 1, n: 2, q: 0, line: 14 } } : {}),
      reason: { kind: 'sleep', delay: 1, wake: 2, text: 'asyncio.sleep(1)' } },
    { ev: 'tick', loop: 1, n: 4, t: 1, wall: 0, waited: 0, jump: 0, ready: [{ fn: 'gather.<locals>._done_callback', kind: 'soon' }] },
    { ev: 'callback', loop: 1, fn: 'gather.<locals>._done_callback', kind: 'soon', t: 1, dur: 0.1 },
  ] as unknown as TraceEvent[];
  const modelOf = (withFacts: boolean) => {
    const model = new TraceModel();
    for (const event of trace(withFacts)) model.apply(event);
    return model;
  };
  const pieces = (model: TraceModel, task: number, axis: Axis) => segmentsOf(model, taskLane(model, task), axis)
    .filter((seg) => seg.info.kind !== 'done').map((seg) => [seg.info.kind, +seg.start.toFixed(3), +seg.end.toFixed(3)]);

  it('draw a task ready from the handle that woke it (by.n, by.q), on both axes', () => {
    const model = modelOf(true);
    // By tick: main's step is slot 0 of tick 2's two entries, [1, 1.5]; the workers are ready from its end.
    assert.deepEqual(pieces(model, 2, 'tick'), [['running', 0, 0.5], ['suspended', 0.5, 1.5], ['ready', 1.5, 2], ['running', 2, 2.5]]);
    // By time: from the end of main's step (t=0.3), not from the start of tick 3 (t=0.8).
    assert.deepEqual(pieces(model, 3, 'time').slice(1, 5), [['running', 0.1, 0.2], ['suspended', 0.2, 0.3], ['ready', 0.3, 0.9], ['running', 0.9, 1]]);
    const ready = segmentsOf(model, taskLane(model, 2), 'tick').find((seg) => seg.info.kind === 'ready')!;
    assert.ok(describeSegment(ready, model).includes('woken by main() at line 14 in tick 2'), describeSegment(ready, model).join('\n'));
  });

  it('without `by` (a 2.0 trace), ready only from the start of the tick whose ready list holds it', () => {
    const model = modelOf(false);
    assert.deepEqual(pieces(model, 2, 'tick'), [['running', 0, 0.5], ['suspended', 0.5, 2], ['ready', 2, 2], ['running', 2, 2.5]].filter(([, a, b]) => a !== b));
    const ready = segmentsOf(model, taskLane(model, 3), 'time').find((seg) => seg.info.kind === 'ready' && seg.info.prev)!;
    assert.deepEqual([ready.start, ready.end], [0.8, 0.9]);
    assert.ok(!describeSegment(ready, model).some((line) => line.startsWith('woken by')));
  });

  it('apply a `reason` event from the tick it came in on: the snapshot, the carried reason, the lane', () => {
    const model = modelOf(true);
    const main = model.taskById(1)!;
    // The reason event came during tick 3 (index 2): after tick 3, main waits for 1 pending child.
    assert.equal(model.stateBefore(2)!.tasks.find((s) => s.task === main)!.reason?.text, 'asyncio.gather: 2 of 2 awaitables pending');
    assert.equal(model.stateBefore(3)!.tasks.find((s) => s.task === main)!.reason?.text, 'asyncio.gather: 1 of 2 awaitables pending');
    assert.equal(main.steps[0].reason?.text, 'asyncio.gather: 2 of 2 awaitables pending', 'the step keeps what it said');
    // The lane: a suspended segment per reason, the second from the end of tick 3.
    const suspended = segmentsOf(model, taskLane(model, 1), 'tick').filter((seg) => seg.info.kind === 'suspended');
    assert.deepEqual(suspended.map((seg) => [seg.start, seg.end, seg.info.kind === 'suspended' && seg.info.reason?.pending]), [[1.5, 3, 2], [3, 4, 1]]);
    // A later step that leaves its reason out carries the changed one (protocol 2: the last one written).
    model.apply({ ev: 'tick', loop: 1, n: 5, t: 1.1, wall: 0, waited: 0, jump: 0, ready: [1] } as TraceEvent);
    model.apply({ ev: 'step', task: 1, t: 1.1, dur: 0.1, to: 16 } as TraceEvent);
    assert.equal(main.steps[1].reason?.text, 'asyncio.gather: 1 of 2 awaitables pending');
  });
});

describe('library code (protocol 2.1 task.lib and reason via)', () => {
  const file = '/venv/lib/python3.12/site-packages/fakelib/__init__.py';
  const events = [
    { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual', scenario: '/w/app.py' },
    { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
    { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 15, internal: false, t: 0, wall: 0 },
    { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    { ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: '_pump', label: '_pump(<Queue at ... maxsize=0>)', parent: 1, line: 9,
      internal: false, lib: 'fakelib', t: 0, wall: 0 },
    { ev: 'step', task: 1, t: 0, dur: 0.1, from: 8, to: 10, q: 0, by: { kind: 'outside' },
      reason: { kind: 'sleep', delay: 1, wake: 1.1, timer: 1, text: 'asyncio.sleep(1): timer fires at t=1.100',
        via: { lib: 'fakelib', fn: 'Client.fetch', line: 16, file } } },
    { ev: 'tick', loop: 1, n: 2, t: 0.1, wall: 0, waited: 0, jump: 0, ready: [2] },
    { ev: 'step', task: 2, t: 0.1, dur: 0.1, from: null, to: null, stack: [], q: 0, by: { kind: 'spawn', task: 1, n: 1, q: 0, line: 9 },
      reason: { kind: 'queue_get', text: 'queue.get(): waiting for an item', via: { lib: 'fakelib', fn: '_pump', line: 6, file } } },
    { ev: 'task', task: 3, loop: 1, name: 'Task-3', coro: 'BaseEventLoop.shutdown_asyncgens', label: 'shutdown_asyncgens(<loop>)',
      parent: null, line: 15, internal: true, lib: 'asyncio', t: 0.2, wall: 0 },
  ] as unknown as TraceEvent[];
  const model = new TraceModel();
  for (const event of events) model.apply(event);

  it('draw a library\'s tasks in one lane that says which library, each in its own lane when internal tasks are shown', () => {
    const lanes = buildLanes(model, false);
    assert.deepEqual(lanes.map((lane) => lane.id), ['loop:1', 'task:1', 'library:1:fakelib']);
    const label = laneLabel(lanes[2], model);
    assert.deepEqual([label.name, label.detail, label.internal], ['fakelib', '1 task', true]);
    const segments = segmentsOf(model, lanes[2], 'tick');
    assert.deepEqual(segments.map((seg) => [seg.info.kind, seg.start, seg.end]), [['running', 1, 2]]);
    assert.deepEqual(describeSegment(segments[0], model).slice(0, 2), ['_pump(<Queue…>) — running (a task of fakelib)', 'step: library code → a wait in library code']);
    const all = buildLanes(model, true);
    assert.deepEqual(all.map((lane) => lane.id), ['loop:1', 'task:1', 'task:2', 'task:3']);
    assert.deepEqual(all.slice(2).map((lane) => laneLabel(lane, model).detail), ['fakelib #2', 'asyncio #3']);
  });

  it('name the library function a wait ends in, after the user\'s line', () => {
    const main = buildLanes(model, false)[1];
    const suspended = segmentsOf(model, main, 'tick').find((seg) => seg.info.kind === 'suspended')!;
    assert.deepEqual(describeSegment(suspended, model).slice(0, 2), ['main() — suspended at line 10',
      "asyncio.sleep(1): timer fires at t=1.100, inside fakelib's Client.fetch (fakelib/__init__.py:16)"]);
    assert.equal(shortReason(model.taskById(1)!.steps[0].reason), 'fakelib.fetch: sleep 1s → t=1.100');
  });
});
