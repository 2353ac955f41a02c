// The host side of the panel (src/core/panelServer.ts) on a real trace: it answers what is asked
// (the lanes and window in view, the rows in view), never more, and tells the panel when the trace
// or the cursor changed.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { taskName } from '../../src/core/describe';
import { TraceModel } from '../../src/core/model';
import { stateAfter } from '../../src/core/moment';
import { narrateTickParagraphs } from '../../src/core/narrate';
import { PanelServer, PREPARE_AFTER_MS, type PanelSource } from '../../src/core/panelServer';
import type { TraceEvent } from '../../src/protocol/events';
import {
  heldWindow, packSegments, parseWebviewMessage, rangeAround, scrolledToCursor, unpackSegments,
  type HostMessage, type MomentInfo, type SegmentRow, type SessionInfo, type ViewAnswer, type ViewRequest,
} from '../../src/protocol/panel';
import { EXAMPLES, traceExample } from './exampleTraces';
import { startSession } from './helpers';

const SESSION: SessionInfo = { scenario: '/x/gather.py', python: 'Python 3', clock: 'virtual', mode: 'record', replay: true, showInternal: false };

function serve(model: TraceModel) {
  const sent: HostMessage[] = [];
  const source = { model, cursor: 0, info: SESSION, status: () => ({ running: false, paused: false, outcome: 'completed' }) };
  const server = new PanelServer((message) => sent.push(message));
  server.show(source as PanelSource);
  const last = <T extends HostMessage['type']>(type: T) => sent.filter((m) => m.type === type).pop() as Extract<HostMessage, { type: T }>;
  return { sent, source, server, last };
}

describe('the panel server', function () {
  this.timeout(60_000);

  it('shows a trace: reset, axis, its shape and the moment at the cursor', async () => {
    const { model } = await traceExample('gather');
    const { sent, last } = serve(model);
    assert.deepEqual(sent.map((m) => m.type), ['reset', 'axis', 'shape', 'moment']);
    assert.equal(last('shape').shape.ticks, model.ticks.length);
    assert.equal(last('shape').shape.lanes, 1 + model.taskOrder.filter((t) => !t.internal).length);
    const moment: MomentInfo = last('moment').moment;
    assert.equal(moment.tick, 0);
    assert.equal(moment.header.tick?.n, 1);
    assert.equal(moment.lists.tasks.count, stateAfter(model, 0)!.tasks.length);
  });

  it('shows one moment, the loop just after the cursor tick: its lists, the ready queue of the next tick, the cursor at the tick\'s end', async () => {
    const { model } = await traceExample('gather');
    const { last } = serve(model);
    // Tick 1 ran main() up to its gather: main is suspended there and the downloads are ready for tick 2.
    const moment: MomentInfo = last('moment').moment;
    const after = stateAfter(model, 0)!;
    const main = model.taskOrder[0];
    assert.match(moment.lists.tasks.rows.find((row) => row.name === taskName(main))!.cls, /state-suspended/);
    assert.equal(moment.lists.ready.title, 'Ready queue for tick 2');
    assert.deepEqual(moment.lists.ready.rows.map((row) => row.name), after.ready.map((entry) => taskName(model.taskById(entry as number)!)));
    assert.ok(after.ready.length >= 3, 'the downloads are ready');
    assert.match(moment.cursorTitle!, /^After tick 1 /);
    assert.equal(moment.x!.tick, 1, 'the cursor bar at the end of tick 1\'s column');
  });

  it('after the loop\'s last tick, says the loop ran no further tick', async () => {
    const { model } = await traceExample('gather');
    const { source, server, last } = serve(model);
    source.cursor = model.ticks.length - 1;
    server.update();
    const ready = last('moment').moment.lists.ready;
    assert.deepEqual([ready.count, ready.title, ready.empty], [0, 'Ready queue', 'The loop ran no further tick.']);
  });

  it('lists a library\'s tasks after the program\'s, saying which library, and reveals them in their library\'s lane', () => {
    const model = new TraceModel();
    const task = (id: number, coro: string, lib?: string) => ({ ev: 'task', task: id, loop: 1, name: `Task-${id}`, coro, label: `${coro}()`,
      parent: null, line: 3, internal: false, ...(lib ? { lib } : {}), t: 0, wall: 0 });
    const events = [
      { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual', scenario: '/w/app.py' },
      { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
      task(1, 'handler', 'weblib'), task(2, 'main'), task(3, 'reader', 'weblib'), task(4, 'worker'),
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1, 2, 3, 4] },
      { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
    ] as unknown as TraceEvent[];
    for (const event of events) model.apply(event);
    const { server, last } = serve(model);
    const tasks = last('moment').moment.lists.tasks;
    assert.deepEqual(tasks.rows.map((row) => [row.name, row.detail]),
      [['main()', 'created, not started'], ['worker()', 'created, not started'],
        ['handler()', 'weblib · ready'], ['reader()', 'weblib · created, not started']]);
    const ready = last('moment').moment.lists.ready;
    assert.deepEqual(ready.rows.map((row) => row.detail), ['weblib · first step']);
    assert.equal(server.laneOfTask(3), 3, 'in the lane of weblib, after the loop\'s and the program\'s two');
  });

  it('answers a view request with the lanes asked for and the segments of the window only', async () => {
    const { model } = await traceExample('gather');
    const { server, sent, last } = serve(model);
    const [from, to] = [model.taskOrder[4].created.tick, model.taskOrder[4].created.tick + 4];
    server.receive({ type: 'view', request: { seq: 7, axis: 'tick', from, to, unitsPerPx: 0.01, firstLane: 5, laneCount: 3, textPx: 28 } });
    const answer: ViewAnswer = last('view').answer;
    assert.equal(answer.seq, 7);
    assert.deepEqual(answer.lanes.map((l) => l.lane.id), ['task:5', 'task:6', 'task:7']);
    assert.ok(answer.lanes.every((l) => l.segments.length > 0), 'the second gather\'s tasks run in that window');
    const kinds = new Set<string>();
    for (const { segments } of answer.lanes) {
      for (const seg of unpackSegments(segments, answer.strings)) {
        assert.ok(seg.end >= from && seg.start <= to, `${seg.kind} ${seg.start}-${seg.end} reaches into the window`);
        assert.match(seg.cls, /^seg /);
        kinds.add(seg.kind);
      }
    }
    assert.ok(kinds.has('running') && kinds.has('suspended'), [...kinds].join(', '));
    // Places to a sixteenth of the zoom's pixel (0.01 ticks), not to the double's last digit.
    assert.ok(answer.lanes.every((l) => l.segments.every((x) => Number.isInteger(x) || String(x).split('.')[1].length <= 4)), JSON.stringify(answer.lanes[0].segments));
    // The hover text of a segment of that answer.
    server.receive({ type: 'tooltip', seq: 7, lane: 0, index: 0 });
    assert.ok(last('tooltip').lines[0].startsWith(model.taskOrder[4].label), JSON.stringify(last('tooltip')));
    const before = sent.length;
    server.receive({ type: 'tooltip', seq: 99, lane: 0, index: 0 });
    assert.equal(sent.length, before, 'nothing for an answer it no longer has');
  });

  it('says which lanes are the cursor tick\'s loop\'s (the panel scrolls to them when it shows none)', async () => {
    const { model } = await traceExample('run_twice');
    const { server, source, last } = serve(model);
    const lanes = last('shape').shape.lanes;
    server.receive({ type: 'view', request: { seq: 1, axis: 'tick', from: 0, to: 1, unitsPerPx: 0.01, firstLane: 0, laneCount: lanes, textPx: 28 } });
    const ids = last('view').answer.lanes.map((l) => l.lane.id);
    const loopOf = (id: string) => (id.startsWith('loop:') ? Number(id.slice(5)) : model.taskById(Number(id.slice(5)))!.loop);
    const loops = [...new Set(model.ticks.map((tick) => tick.loop))];
    assert.equal(loops.length, 2, 'run_twice runs two loops');
    for (const loop of loops) {
      source.cursor = model.ticks.findIndex((tick) => tick.loop === loop) + 1;
      server.update();
      const [first, end] = last('moment').moment.loopLanes!;
      assert.equal(ids[first], `loop:${loop}`);
      assert.deepEqual(ids.slice(first, end).map(loopOf), ids.slice(first, end).map(() => loop), ids.join());
      assert.ok(end === ids.length || ids[end].startsWith('loop:'), `the next lane, ${ids[end]}, is another loop's`);
    }
  });

  it('packs segments and unpacks them as they were: positions, classes, kinds, words, and targets with or without a file', () => {
    const rows: SegmentRow[] = [
      { start: 0, end: 1.5, cls: 'seg seg-running', kind: 'running', text: 'line 4', target: { line: 4 } },
      { start: 1.5, end: 2.25, cls: 'seg seg-ready', kind: 'ready' },
      { start: 2.25, end: 9, cls: 'seg seg-suspended reason-timer', kind: 'suspended', text: 'sleep 1 s', target: { line: 12, file: '/lib/x.py' } },
      { start: 9, end: 9.5, cls: 'seg seg-running', kind: 'running', target: { line: 4 } },
    ];
    const strings = new Map([['', 0]]);
    const packed = packSegments(rows, strings);
    const table = [...strings.keys()];
    assert.deepEqual(unpackSegments(packed, table), rows);
    assert.equal(table.filter((t) => t === 'seg seg-running').length, 1, 'each string sent once');
    assert.equal(packSegments([rows[3]], strings).length, packed.length / rows.length, 'a second lane shares the strings');
    assert.deepEqual(unpackSegments(packSegments([rows[2]], strings), [...strings.keys()]), [rows[2]]);
  });

  it('sends with the moment that moves the cursor out of the panel\'s window the lanes of the window it scrolls to', async () => {
    const { model } = await traceExample('gather');
    const { server, source, last } = serve(model);
    const window: [number, number] = [0, 3];
    const request: ViewRequest = { seq: 1, axis: 'tick', ...rangeAround('tick', window), unitsPerPx: 0.01, firstLane: 0, laneCount: 4, textPx: 28, window };
    server.receive({ type: 'view', request });
    source.cursor = 1;
    server.update();
    assert.equal(last('moment').moment.view, undefined, 'the cursor is still in view: the moment alone');
    source.cursor = model.ticks.length - 1;
    server.update();
    const { view, x } = last('moment').moment;
    assert.ok(view && x);
    const next = heldWindow('tick', scrolledToCursor('tick', window, x.tick)!);
    assert.ok(next[0] > window[1], 'the window scrolled to the last tick');
    assert.ok(view.request.seq < 0 && view.answer.seq === view.request.seq, 'numbered apart from the panel\'s own requests');
    assert.deepEqual(view.request, { ...request, seq: view.request.seq, window: next, ...rangeAround('tick', next) });
    // The answer the panel would have got by asking, and its segments' hover texts.
    server.receive({ type: 'view', request: { ...view.request, seq: 2 } });
    assert.deepEqual({ ...view.answer, seq: 2 }, last('view').answer);
    server.receive({ type: 'tooltip', seq: view.answer.seq, lane: 0, index: 0 });
    assert.equal(last('tooltip').seq, view.answer.seq);
    // A panel that follows the whole trace never scrolls to the cursor.
    server.receive({ type: 'view', request: { ...request, seq: 3, window: undefined } });
    source.cursor = 0;
    server.update();
    assert.equal(last('moment').moment.view, undefined);
  });

  it('sends with a moment as many rows of each list as the panel says it shows, the output\'s last ones', async () => {
    const { model } = await traceExample('gather');
    const { server, source, last } = serve(model);
    // The first tick with more than 3 tasks and 2 lines printed.
    let before: MomentInfo['lists'] | undefined;
    for (source.cursor = 0; source.cursor < model.ticks.length; source.cursor++) {
      server.update();
      before = last('moment').moment.lists;
      if (before!.tasks.count > 3 && before!.output.count > 2) break;
    }
    assert.ok(before && source.cursor < model.ticks.length, 'such a tick');
    const tick = source.cursor;
    assert.equal(before.tasks.rows.length, before.tasks.count, 'all of a short list until the panel says');
    assert.ok(parseWebviewMessage({ type: 'shownRows', rows: { tasks: 3, nope: 1 } }) === undefined, 'only the lists there are');
    server.receive(parseWebviewMessage({ type: 'shownRows', rows: { tasks: 3, output: 2 } })!);
    source.cursor = 0;
    server.update();
    source.cursor = tick;
    server.update();
    const lists = last('moment').moment.lists;
    assert.deepEqual(lists.tasks.rows, before.tasks.rows.slice(0, 3));
    assert.deepEqual(lists.output.rows, before.output.rows.slice(-2));
    assert.equal(lists.output.from, before.output.count - 2);
    assert.deepEqual(lists.timers.rows, before.timers.rows, 'a list it did not name as before');
  });

  it('sends the rows asked for, within the list', async () => {
    const { model } = await traceExample('gather');
    const { server, source, last } = serve(model);
    source.cursor = 3;
    server.update();
    const tasks = last('moment').moment.lists.tasks;
    server.receive({ type: 'rows', list: 'tasks', from: 1, to: 1000 });
    const rows = last('rows');
    assert.equal(rows.from, 1);
    assert.equal(rows.tick, 3);
    assert.deepEqual(rows.rows, tasks.rows.slice(1));
  });

  it('answers each cursor move of the panel with a moment that says it was seen, even where the cursor stayed', async () => {
    const { model } = await traceExample('gather');
    const { server, source, last } = serve(model);
    // The owner moves its cursor when told to (as the extension and the harness do).
    const forOwner = server.receive({ type: 'setCursor', tick: 4, seq: 3 });
    assert.deepEqual(forOwner, { type: 'setCursor', tick: 4, seq: 3 });
    source.cursor = 4;
    server.update();
    assert.deepEqual([last('moment').moment.tick, last('moment').moment.cursorSeq], [4, 3]);
    // A move to where the cursor is: no change for the owner, still a moment that says so.
    server.receive({ type: 'setCursor', tick: 4, seq: 4 });
    await Promise.resolve();
    assert.deepEqual([last('moment').moment.tick, last('moment').moment.cursorSeq], [4, 4]);
  });

  it('tells the panel only what changed, and shows a replaced model anew', async () => {
    const { model } = await traceExample('gather');
    const { server, source, sent } = serve(model);
    const count = sent.length;
    server.update();
    assert.equal(sent.length, count, 'nothing new, nothing sent');
    source.cursor = 5;
    server.update();
    assert.deepEqual(sent.slice(count).map((m) => m.type), ['moment']);
    const other = (await traceExample('sleep_zero')).model;
    (source as { model: TraceModel }).model = other;
    server.update();
    assert.deepEqual(sent.slice(count + 1).map((m) => m.type), ['reset', 'axis', 'shape', 'moment']);
  });

  it('narrates the cursor tick as the trace says it now, while the trace grows and the cursor steps back and forth', async () => {
    const session = startSession({ scenario: join(EXAMPLES, 'gather.py') });
    const events: TraceEvent[] = [];
    session.onEvent((event) => events.push(event));
    await session.done;
    const model = new TraceModel();
    const { server, source, last } = serve(model);
    const narrated = () => assert.deepEqual(last('moment').moment.narration, narrateTickParagraphs(model, source.cursor), `tick ${source.cursor}`);
    // The next tick's narration is prepared a while after a moment is sent (a timer): let it run each time.
    const settle = () => new Promise((resolve) => setTimeout(resolve, PREPARE_AFTER_MS + 1));
    // Events arrive a few at a time, the cursor on the last tick (a live run), then one back.
    for (let i = 0; i < events.length; i += 3) {
      for (const event of events.slice(i, i + 3)) model.apply(event);
      source.cursor = Math.max(0, model.ticks.length - 1);
      server.update();
      narrated();
      await settle();
      if (source.cursor > 0) {
        source.cursor--;
        server.update();
        narrated();
        await settle();
      }
    }
    // Then stepping forward and back over the whole trace.
    for (const tick of [...model.ticks.keys(), ...[...model.ticks.keys()].reverse()]) {
      source.cursor = tick;
      server.update();
      narrated();
      await settle();
    }
  });
});
