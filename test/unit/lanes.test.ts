// Lane segments and their layout (src/core/lanes.ts, layout.ts), on traces of the examples run by
// the real tracer: what the panel and `loopscope lanes` draw.
import * as assert from 'node:assert/strict';
import { buildLanes, laneSegments, mergeSegments, type Lane, type Segment } from '../../src/core/lanes';
import { Layout } from '../../src/core/layout';
import { TraceModel } from '../../src/core/model';
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
          if (axis === 'time') assert.deepEqual([seg.start, seg.end], [step!.t, step!.t + step!.dur]);
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
    assert.deepEqual([bars[0].start, bars[0].end], [step.t, step.t + step.dur]);
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

describe('where activity ran in its tick (Activity.slot)', () => {
  it('matches each step to its task\'s ready entry, in the order the queue held them', async () => {
    const { model } = await traceExample('sleep_zero');
    let checked = 0;
    for (let g = 0; g < model.ticks.length; g++) {
      const ready = model.ticks[g].ready;
      for (const act of model.activityAt(g)) {
        if (!act.step || act.slot === undefined || act.slot < 0) continue;
        assert.equal(ready[act.slot], act.step.task, `tick ${g}: the step of task ${act.step.task} in its own entry`);
        assert.equal(act.step.slot, act.slot);
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
