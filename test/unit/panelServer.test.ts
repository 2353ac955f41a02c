// The host side of the panel (src/core/panelServer.ts) on a real trace: it answers what is asked
// (the lanes and window in view, the rows in view), never more, and tells the panel when the trace
// or the cursor changed.
import * as assert from 'node:assert/strict';
import { TraceModel } from '../../src/core/model';
import { PanelServer, type PanelSource } from '../../src/core/panelServer';
import type { HostMessage, MomentInfo, SessionInfo, ViewAnswer } from '../../src/protocol/panel';
import { traceExample } from './exampleTraces';

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
    assert.equal(moment.lists.tasks.count, model.stateBefore(0)!.tasks.length);
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
    for (const { segments } of answer.lanes) {
      for (const seg of segments) assert.ok(seg.end >= from && seg.start <= to, `${seg.kind} ${seg.start}-${seg.end} reaches into the window`);
    }
    // The hover text of a segment of that answer.
    server.receive({ type: 'tooltip', seq: 7, lane: 0, index: 0 });
    assert.ok(last('tooltip').lines[0].startsWith(model.taskOrder[4].label), JSON.stringify(last('tooltip')));
    const before = sent.length;
    server.receive({ type: 'tooltip', seq: 99, lane: 0, index: 0 });
    assert.equal(sent.length, before, 'nothing for an answer it no longer has');
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
});
