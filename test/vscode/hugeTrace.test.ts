// Open Trace on a huge file in the real extension host, and no hang. `npm test` opens 200,000 events
// (29 MB), read whole; LOOPSCOPE_HUGE_TRACE=full (npm run huge-trace) opens a file over 1 GB (about
// 7,000,000 events), through its index, a window of 1,000,000 events at a time, and steps from one
// window into the next.
import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { MAX_TRACE_EVENTS } from '../../src/node/traceFile';
import type { Visualization } from '../../src/extension/visualization';
import { collectGarbage } from '../unit/helpers';
import { HUGE_BYTES, SMALL_EVENTS_PER_BODY, smallEvents, writeHuge } from '../unit/hugeTrace';

const FULL = process.env.LOOPSCOPE_HUGE_TRACE === 'full';

describe(`Open Trace on a huge file (${FULL ? 'over 1 GB' : '200,000 events'})`, function () {
  // A guard against a hang, not a timing assertion.
  this.timeout(5 * 60_000);
  const path = join(tmpdir(), `loopscope-huge-${process.pid}.jsonl`);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(path, { force: true });
  });

  it(FULL ? 'opens every event through an index, and steps from one window of it into the next' : 'shows every event and can be stepped', async () => {
    // Reduced: 200,003 events, past the 120,000 or so that push(...events) once overflowed on.
    const { bytes: size, bodies } = writeHuge(path, FULL ? HUGE_BYTES : 20e6, smallEvents);
    const events = 3 + bodies * SMALL_EVENTS_PER_BODY;
    const warnings: string[] = [];
    const showWarningMessage = vscode.window.showWarningMessage;
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string) => {
      warnings.push(message);
      return Promise.resolve(undefined);
    };
    let peak = 0;
    const probe = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const started = Date.now();
    let opened: Visualization | undefined;
    try {
      opened = await vscode.commands.executeCommand<Visualization>('loopscope.openTrace', vscode.Uri.file(path));
    } finally {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = showWarningMessage;
    }
    const seconds = (Date.now() - started) / 1000;

    assert.ok(opened, 'Open Trace gave no visualization');
    assert.equal(opened.eventCount, events);
    assert.deepEqual(warnings, []);
    const ticks = Math.ceil((events - 3) / 2);
    if (FULL) {
      const window = opened.window!;
      assert.equal(window.ticks, ticks);
      assert.ok(opened.tickCount < ticks && opened.tickCount * 2 <= MAX_TRACE_EVENTS + 2, `${opened.tickCount} ticks in memory`);
      // Stepping past the end of the window reads the next one: the cursor is on the next tick of the trace.
      opened.setCursor(opened.tickCount - 1);
      const last = window.firstTick + opened.cursor;
      await vscode.commands.executeCommand('loopscope.stepForward');
      for (let i = 0; i < 600 && opened.window!.firstTick + opened.cursor !== last + 1; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(opened.window!.firstTick + opened.cursor, last + 1);
      assert.ok(opened.window!.firstTick > 0);
      assert.equal(opened.model.ticks[opened.cursor].n, last + 2, 'the tracer\'s tick number of the tick after');
    } else {
      assert.equal(opened.tickCount, ticks);
      await vscode.commands.executeCommand('loopscope.goToTick', 1000);
      await vscode.commands.executeCommand('loopscope.stepForward');
      assert.equal(opened.cursor, 1001);
    }

    // The panel takes the events in after Open Trace returns; the peak includes handing them over.
    await new Promise((r) => setTimeout(r, FULL ? 10_000 : 1000));
    const closing = Date.now();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    clearInterval(probe);
    (Mocha.reporters.Base as unknown as { consoleLog: (line: string) => void }).consoleLog(
      `      ${(size / 1e6).toFixed(0)} MB trace opened in ${seconds.toFixed(0)} s; panel closed ${((Date.now() - closing) / 1000).toFixed(0)} s`
      + ` after asking; extension host RSS peak ${(peak / 1e6).toFixed(0)} MB`);
  });
});

// For npm run bench: the extension host's memory with the benchmark's recorded trace open and shown.
const BENCH_TRACE = process.env.LOOPSCOPE_BENCH_TRACE;
(BENCH_TRACE ? describe : describe.skip)('Open Trace on the benchmark trace', function () {
  this.timeout(5 * 60_000);

  it('records the extension host memory with it open and shown (for npm run bench)', async () => {
    collectGarbage();
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const opened = await vscode.commands.executeCommand<Visualization>('loopscope.openTrace', vscode.Uri.file(BENCH_TRACE!));
    const openMs = Date.now() - started;
    assert.ok(opened && opened.tickCount > 0, 'the trace opened');
    // The panel asks for what it shows meanwhile.
    await new Promise((r) => setTimeout(r, 5000));
    collectGarbage();
    const memory = process.memoryUsage();
    const report = process.env.LOOPSCOPE_VSCODE_REPORT_DIR;
    if (report) {
      writeFileSync(join(report, 'open-memory.json'), JSON.stringify({
        events: opened.eventCount, openMs, rssMB: memory.rss / 1e6, heapMB: memory.heapUsed / 1e6, rssBeforeMB: before / 1e6,
      }));
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
