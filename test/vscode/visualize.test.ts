// Visualize Loop end to end in the real extension host: decorations at given ticks, stepping, the
// status bar, the hover, Save/Open Trace, the SyntaxError path, and no process left behind.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { duration, loopTime, seconds } from '../../src/core/describe';
import type { Visualization } from '../../src/extension/visualization';
import { isAlive } from '../unit/helpers';
import { api, hoverText, lineOf, until, withSetting } from './helpers';

const KITCHEN = `import asyncio


async def boil_pasta():
    await asyncio.sleep(5)  # pasta waits here
    return "pasta"


async def chop(item):
    await asyncio.sleep(0)  # chop yields here
    return item


async def main():
    pasta = asyncio.create_task(boil_pasta())
    await asyncio.gather(chop("onion"), chop("garlic"))
    print(await pasta)


asyncio.run(main())
`;

describe('Visualize Loop', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'loopscope-visualize-'));
  const file = join(dir, 'kitchen.py');
  let visualization: Visualization;

  before(async () => {
    writeFileSync(file, KITCHEN);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.One);
    const { controller } = await api();
    visualization = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize'))!;
    assert.ok(visualization, 'Visualize Loop returned no visualization');
    const result = await visualization.session!.done;
    assert.equal(result.outcome, 'completed', JSON.stringify(result));
    assert.equal(controller.current, visualization);
  });

  it('annotates the await where each task is suspended at the current tick', async () => {
    const { controller } = await api();
    const pastaLine = lineOf(KITCHEN, 'pasta waits here');
    // Find the first tick where boil_pasta sits in its sleep, by stepping forward as a user would.
    await vscode.commands.executeCommand('loopscope.goToTick', 0);
    let text: string | undefined;
    for (let i = 0; i < 10 && !text; i++) {
      text = controller.drawn.get(file)?.suspended.find(([line]) => line === pastaLine)?.[1];
      if (!text) await vscode.commands.executeCommand('loopscope.stepForward');
    }
    // When the timer fires comes from the trace: how long the first steps took depends on the machine.
    const pasta = visualization.model.taskOrder.find((t) => t.coro === 'boil_pasta')!;
    assert.equal(text, `⏸ boil_pasta · sleep 5s → ${loopTime(pasta.steps[0].reason!.wake!)}`);
  });

  it('groups the tasks suspended on one line', async () => {
    const { controller } = await api();
    const chopLine = lineOf(KITCHEN, 'chop yields here');
    await vscode.commands.executeCommand('loopscope.goToTick', 0);
    let grouped: string | undefined;
    for (let i = 0; i < 10 && !grouped; i++) {
      await vscode.commands.executeCommand('loopscope.stepForward');
      grouped = controller.drawn.get(file)?.suspended.find(([line, t]) => line === chopLine && t.startsWith('⏸ 2 tasks'))?.[1];
    }
    assert.equal(grouped, '⏸ 2 tasks: chop ×2 · ready');
  });

  it('moves the cursor, the decorations and the status bar with Step Forward and Step Back', async () => {
    const { controller } = await api();
    await vscode.commands.executeCommand('loopscope.goToTick', 1);
    const before = { cursor: visualization.cursor, status: controller.statusText, drawn: JSON.stringify(controller.drawn.get(file)) };
    const t = (index: number) => seconds(visualization.model.ticks[index].t);
    assert.equal(before.status, `$(pulse) Loop: after tick 2/${visualization.tickCount} · t=${t(1)}s`);
    await vscode.commands.executeCommand('loopscope.stepForward');
    assert.equal(visualization.cursor, before.cursor + 1);
    assert.equal(controller.statusText, `$(pulse) Loop: after tick 3/${visualization.tickCount} · t=${t(2)}s`);
    assert.notEqual(JSON.stringify(controller.drawn.get(file)), before.drawn);
    await vscode.commands.executeCommand('loopscope.stepBack');
    assert.equal(visualization.cursor, before.cursor);
    assert.equal(JSON.stringify(controller.drawn.get(file)), before.drawn);
    await vscode.commands.executeCommand('loopscope.continue');
    assert.equal(visualization.cursor, visualization.tickCount - 1);
  });

  it('records how long a Step Tick Forward takes to update the decorations (for npm run bench)', async () => {
    const { controller } = await api();
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      await vscode.commands.executeCommand('loopscope.goToTick', 0);
      for (let i = 0; i < visualization.tickCount - 1; i++) {
        const started = performance.now();
        await vscode.commands.executeCommand('loopscope.stepForward');
        samples.push(performance.now() - started);
        assert.match(controller.statusText ?? '', new RegExp(`^\\$\\(pulse\\) Loop: after tick ${i + 2}/`), 'each step shows the next tick');
      }
    }
    samples.sort((a, b) => a - b);
    const report = process.env.LOOPSCOPE_VSCODE_REPORT_DIR;
    if (report) {
      writeFileSync(join(report, 'step-latency.json'), JSON.stringify({
        samples: samples.length, p50Ms: samples[Math.floor(samples.length / 2)], p95Ms: samples[Math.floor(samples.length * 0.95)],
      }));
    }
  });

  it('explains the wait in a hover on the await line', async () => {
    const pastaLine = lineOf(KITCHEN, 'pasta waits here');
    await vscode.commands.executeCommand('loopscope.goToTick', 2);
    const text = await hoverText(file, pastaLine, 10);
    assert.match(text, /asyncio\.sleep\(5\)/);
    const pasta = visualization.model.taskOrder.find((task) => task.coro === 'boil_pasta')!;
    const timer = visualization.model.timerInfo(pasta.steps[0].reason!.timer!)!;
    const now = visualization.model.ticks[2].t;
    assert.ok(text.includes(`timer fires at ${loopTime(timer.when)} (${duration(timer.when - now)} from now)`), text);
    assert.match(text, /resumes in tick \d+/);
    assert.match(text, /History of this line:\*\* 1 suspension by 1 task, total wait 5(\.\d+)? s/);
  });

  it('saves the trace and opens it again with the same ticks and decorations', async () => {
    const { controller } = await api();
    const saved = vscode.Uri.file(join(dir, 'kitchen.loopscope.jsonl'));
    await vscode.commands.executeCommand('loopscope.goToTick', 2);
    const drawnBefore = JSON.stringify(controller.drawn.get(file));
    await vscode.commands.executeCommand('loopscope.saveTrace', saved);
    const lines = readFileSync(saved.fsPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, visualization.eventCount);
    const replay = (await vscode.commands.executeCommand<Visualization>('loopscope.openTrace', saved))!;
    assert.equal(replay.info.replay, true);
    assert.equal(replay.tickCount, visualization.tickCount);
    await vscode.commands.executeCommand('loopscope.goToTick', 2);
    assert.equal(JSON.stringify(controller.drawn.get(file)), drawnBefore);
    visualization = replay;
  });

  it('in live mode, pauses before every tick and drives the real process one tick per step', async () => {
    await withSetting('runMode', 'live', async () => {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.One);
      const live = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize'))!;
      await until('the pause before the first tick', () => live.paused);
      assert.equal(live.tickCount, 0);
      for (let ticks = 1; ticks <= 3; ticks++) {
        await vscode.commands.executeCommand('loopscope.stepForward');
        await until(`tick ${ticks}`, () => live.paused && live.tickCount === ticks);
        assert.equal(live.cursor, ticks - 1);
      }
      await vscode.commands.executeCommand('loopscope.stepBack');
      assert.equal(live.cursor, 1, 'stepping back replays history without running anything');
      assert.equal(live.tickCount, 3);
      await vscode.commands.executeCommand('loopscope.continue');
      assert.equal((await live.session!.done).outcome, 'completed');
      assert.equal(live.tickCount, visualization.tickCount, 'the live run saw the same ticks as the recorded one');
    });
  });

  it('serves a webview that reloads while events stream in with the whole trace, and never sends it events', async () => {
    const streaming = join(dir, 'streaming.py');
    writeFileSync(streaming, 'import asyncio\n\nasync def main():\n    for _ in range(40):\n        await asyncio.sleep(0.01)\n\nasyncio.run(main())\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(streaming), vscode.ViewColumn.One);
    await withSetting('clock', 'real', async () => {
      const { controller } = await api();
      const run = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize'))!;
      // What the panel posts, and a way to act as its webview saying `ready` (as after a reload).
      type Posted = { type: string; shape?: { ticks: number }; moment?: { header: { outcome?: string } } };
      const panel = (controller as unknown as { panel: { panel: vscode.WebviewPanel; receive(m: unknown): void } }).panel;
      const webview = panel.panel.webview;
      const posted: Posted[] = [];
      const post = webview.postMessage.bind(webview);
      (webview as { postMessage: (m: Posted) => Thenable<boolean> }).postMessage = (message) => {
        posted.push(message);
        return post(message);
      };
      let seen = 0;
      run.session!.onEvent(() => { if (++seen % 25 === 0) panel.receive({ type: 'ready' }); });
      await run.session!.done;
      await until('the final moment', () => posted.some((m) => m.type === 'moment' && m.moment?.header.outcome === 'completed'));
      assert.ok(seen >= 50, `only ${seen} events`);
      const resets = posted.filter((m) => m.type === 'reset').length;
      assert.ok(resets >= 2, `the webview was reset ${resets} times`);
      const shapes = posted.slice(posted.map((m) => m.type).lastIndexOf('reset')).filter((m) => m.type === 'shape');
      assert.equal(shapes.at(-1)?.shape?.ticks, run.tickCount, 'after the last reload the panel knows every tick');
      assert.deepEqual(posted.filter((m) => 'events' in m), [], 'no message carries events');
    });
  });

  it('turns a SyntaxError into a diagnostic on its line', async () => {
    const broken = join(dir, 'broken.py');
    writeFileSync(broken, 'import asyncio\n\nasync def main(:\n    pass\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken), vscode.ViewColumn.One);
    const run = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize'))!;
    const result = await run.session!.done;
    assert.equal(result.outcome, 'syntax-error');
    const diagnostics = await until('a diagnostic', () => {
      const found = vscode.languages.getDiagnostics(vscode.Uri.file(broken));
      return found.length > 0 && found;
    });
    assert.equal(diagnostics[0].range.start.line, 2);
    assert.equal(diagnostics[0].source, 'Loopscope');
  });

  it('stops the program and leaves no Python process when the panel closes', async () => {
    const forever = join(dir, 'forever.py');
    writeFileSync(forever, 'import asyncio\n\nasync def main():\n    while True:\n        await asyncio.sleep(1)\n\nasyncio.run(main())\n');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(forever), vscode.ViewColumn.One);
    await withSetting('clock', 'real', async () => {
      const run = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize'))!;
      await until('a few ticks', () => run.tickCount >= 2);
      const pid = run.session!.pid!;
      assert.equal(isAlive(pid), true);
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('loopscope.panel'));
      assert.equal(tabs.length, 1);
      await vscode.window.tabGroups.close(tabs);
      await until('the Python process to end', () => !isAlive(pid), 5000);
      const { controller } = await api();
      assert.equal(controller.current, undefined);
      assert.equal(controller.statusText, undefined);
    });
  });
});
