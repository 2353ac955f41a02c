// Issue 12 in the real extension host: what a learner reads in the editor, the status bar, the
// hovers and the narration agrees on one moment (after the cursor tick) and names things alike.
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { duration, loopTime, seconds } from '../../src/core/describe';
import { stateAfter } from '../../src/core/moment';
import { narrateTick } from '../../src/core/narrate';
import { api, hoverText, lineOf, scenarioDir, until, visualizeSource, withSetting } from './helpers';

const PIZZA = `import asyncio


async def deliver(food, seconds):
    await asyncio.sleep(seconds)  # on the road
    return food


async def main():
    try:
        await asyncio.wait_for(deliver("pizza", 5), timeout=2)  # too slow
    except asyncio.TimeoutError:
        print("gave up")


asyncio.run(main())
`;

async function goToTick(index: number): Promise<void> {
  await vscode.commands.executeCommand('loopscope.goToTick', index);
}

describe('One moment per view: after the cursor tick (12.1)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('moment');

  it('the status bar, the decorations, the hover and the narration all tell the loop after the tick', async () => {
    const { controller } = await api();
    const { file, run } = await visualizeSource(dir, 'pizza.py', PIZZA);
    const mainLine = lineOf(PIZZA, 'too slow');
    await goToTick(0);
    // Times come from the trace: a loaded machine moves them (12.9).
    const t = seconds(run.model.ticks[0].t);
    assert.equal(controller.statusText, `$(pulse) Loop: after tick 1/${run.tickCount} · t=${t}s`);
    // Tick 1 ran main to its wait_for: the narration, the decoration and the hover all say so.
    assert.match(narrateTick(run.model, 0), new RegExp(`\`main\\(\\)\` started at line \\d+ and suspended at line ${mainLine}: asyncio\\.wait_for`));
    const reason = run.model.taskOrder[0].steps[0].reason!;
    const drawn = controller.drawn.get(file)!;
    assert.equal(drawn.suspended.find(([line]) => line === mainLine)?.[1], `⏸ main · wait_for until ${loopTime(reason.deadline as number)}`);
    const hover = await hoverText(file, mainLine);
    assert.ok(hover.startsWith(`**Loopscope** · after tick 1 · t=${t}`), hover);
    assert.ok(hover.includes(`main()** — ${reason.text}`), hover);
  });

  it('a hover never says a timer fired that the narration says was cancelled', async () => {
    const { file, run } = await visualizeSource(dir, 'pizza.py', PIZZA);
    const model = run.model;
    const deliver = model.taskOrder.find((t) => t.coro === 'deliver')!;
    const timer = model.timers.find((t) => t.task === deliver.id)!;
    assert.equal(timer.cancelled, true, 'wait_for gave up, so the delivery\'s sleep timer was cancelled');
    const cancelledIn = timer.ended;
    assert.match(narrateTick(model, cancelledIn), new RegExp(`The timer of \`deliver\\('pizza', 5\\)\` \\(due at ${loopTime(timer.when)}\\) was cancelled\\.`));
    const line = lineOf(PIZZA, 'on the road');
    // After the tick before: main cancelled the delivery, which is ready (to raise CancelledError)
    // while its timer is still pending.
    await goToTick(cancelledIn - 1);
    const hover = await hoverText(file, line);
    assert.match(hover, /deliver\('pizza', 5\)\*\* — ready: in the ready queue, runs in tick \d+/);
    assert.match(hover, new RegExp(`its timer fires at ${loopTime(timer.when).replace('.', '\\.')} \\(\\d+(\\.\\d+)? s from now\\)`));
    for (let index = 0; index < run.tickCount; index++) {
      await goToTick(index);
      assert.doesNotMatch(await hoverText(file, line), /timer fired/, `after tick ${model.ticks[index].n}`);
    }
  });
});

const FETCHES = `import asyncio


class Session:
    """Stands for an HTTP client session: a long repr, the same for every fetch."""


async def fetch(session, url, seconds):
    await asyncio.sleep(seconds)  # fetching
    return url


async def worker(n, rate):
    await asyncio.sleep(rate)  # working


async def main():
    session = Session()
    downloader = asyncio.create_task(fetch(session, "https://example.com/a", 1), name="downloader")
    b = asyncio.create_task(fetch(session, "https://example.com/b", 1))
    c = asyncio.create_task(fetch(session, "https://example.com/c", 2))
    w = asyncio.create_task(worker(19, 0.0065432))
    await downloader  # main waits
    await asyncio.gather(b, c, w)


asyncio.run(main())
`;

describe('Readable identities (12.3)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('identities');

  it('names a task by its name=, tells tasks of one function apart by the arguments that differ, shortens floats', async () => {
    const { controller } = await api();
    const { file, run } = await visualizeSource(dir, 'fetches.py', FETCHES);
    // After tick 2 every task has started and sleeps.
    await goToTick(1);
    const drawn = controller.drawn.get(file)!;
    const at = (marker: string) => drawn.suspended.find(([line]) => line === lineOf(FETCHES, marker))?.[1];
    assert.equal(at('# main waits'), '⏸ main · awaits downloader');
    const main = await hoverText(file, lineOf(FETCHES, '# main waits'));
    assert.match(main, /main\(\)\*\* — awaiting downloader\n/);
    assert.doesNotMatch(main, /Task-\d|task \d+ \(/);
    assert.match(await hoverText(file, lineOf(FETCHES, '# working')), /\*\*worker\(19, 0\.0065\)\*\* — asyncio\.sleep/);
    assert.match(narrateTick(run.model, 0), /`main\(\)` created `downloader` \(line \d+\), `fetch\(<Session>, 'https:\/\/example\.com\/b', 1\)`/);
  });
});

const TOASTER = `import asyncio
import time


async def kettle():
    await asyncio.sleep(0.2)  # the kettle waits


async def toaster():
    time.sleep(0.5)  # blocks the loop


async def main():
    await asyncio.gather(kettle(), toaster())


asyncio.run(main())
`;

describe('The editor beside the panel (12.6)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('editor');

  it('a hover on a blocking line tells what blocked the loop, at its tick and from other ticks', async () => {
    const { file, run } = await visualizeSource(dir, 'toaster.py', TOASTER);
    const line = lineOf(TOASTER, 'blocks the loop');
    const blocking = run.model.blocking.find((b) => b.line === line)!;
    assert.ok(blocking, 'time.sleep(0.5) is reported as blocking');
    await goToTick(blocking.tick);
    const hover = await hoverText(file, line);
    assert.ok(hover.includes(`Blocked the loop** for ${duration(blocking.dur)} in tick ${blocking.n}: a step of toaster() ran this line `
      + 'without reaching an await, so nothing else could run meanwhile'), hover);
    await goToTick(0);
    const elsewhere = await hoverText(file, line);
    assert.ok(elsewhere.includes(`This line blocked the loop once elsewhere, longest ${duration(blocking.dur)} in tick ${blocking.n}`), elsewhere);
  });

  it('decorations stay short enough to fit beside the panel; the hover has the whole list', async () => {
    const { controller } = await api();
    const { file, run } = await visualizeSource(dir, 'fetches.py', FETCHES);
    const line = lineOf(FETCHES, '# fetching');
    for (let index = 0; index < run.tickCount; index++) {
      await goToTick(index);
      for (const [, text] of controller.drawn.get(file)!.suspended) assert.ok(text.length <= 40, `"${text}" after tick ${index + 1}`);
    }
    await goToTick(1);
    assert.equal(controller.drawn.get(file)!.suspended.find(([l]) => l === line)?.[1], '⏸ 3 tasks: downloader, fetch ×2');
    const hover = await hoverText(file, line);
    for (const name of ["downloader (fetch(<Session>, 'https://example.com/a', 1))", "fetch(<Session>, 'https://example.com/b', 1)",
      "fetch(<Session>, 'https://example.com/c', 2)"]) assert.ok(hover.includes(`**${name}**`), `the hover names ${name}:\n${hover}`);
  });

  it('from the moment Visualize Loop starts, the views are about the new run, not the previous one', async () => {
    const { controller } = await api();
    const first = await visualizeSource(dir, 'toaster.py', TOASTER);
    await goToTick(0);
    assert.ok(controller.drawn.get(first.file)!.suspended.length > 0, 'the first run is annotated');
    // An interpreter that takes a while to answer, and says when it is asked.
    const mark = join(dir, 'python-asked');
    const python = join(dir, 'slow-python');
    writeFileSync(python, `#!/bin/sh\ntouch '${mark}'\nsleep 1\nexec python3 "$@"\n`);
    chmodSync(python, 0o755);
    const second = join(dir, 'pizza.py');
    writeFileSync(second, PIZZA);
    type Posted = { type: string; session?: { scenario: string } };
    const webview = (controller as unknown as { panel: { panel: vscode.WebviewPanel } }).panel.panel.webview;
    const posted: Posted[] = [];
    const post = webview.postMessage.bind(webview);
    (webview as { postMessage: (m: Posted) => Thenable<boolean> }).postMessage = (message) => {
      posted.push(message);
      return post(message);
    };
    await withSetting('python.path', python, async () => {
      // The first file stays on screen; the second is visualized from elsewhere (as a CodeLens would).
      const started = vscode.commands.executeCommand('loopscope.visualize', vscode.Uri.file(second));
      await until('the interpreter to be asked', () => existsSync(mark));
      assert.equal(controller.statusText, '$(loading~spin) Loop starting…');
      assert.deepEqual(controller.drawn.get(first.file), { suspended: [], running: [], blocking: [] });
      assert.equal(posted.filter((m) => m.type === 'reset').at(-1)?.session?.scenario, second, 'the panel was told about the new run');
      const run = (await started) as { session: { done: Promise<{ outcome: string }> } };
      assert.equal((await run.session.done).outcome, 'completed');
    });
    (webview as { postMessage: (m: Posted) => Thenable<boolean> }).postMessage = post;
  });
});

const HELPER = `import asyncio


async def nap():
    await asyncio.sleep(1)  # napping in the helper
    print("woke")
`;

const NAPPER = `import asyncio
from helper import nap


async def main():
    await nap()


asyncio.run(main())
`;

describe('One vocabulary: lines with their files (13.5)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('places');

  it('a step that starts in a helper module highlights that line in the helper, never the same line number in the scenario', async () => {
    const { controller } = await api();
    const helper = join(dir, 'helper.py');
    writeFileSync(helper, HELPER);
    const { file, run } = await visualizeSource(dir, 'napper.py', NAPPER);
    const napping = lineOf(HELPER, 'napping in the helper');
    assert.ok(lineOf(NAPPER, 'await nap()') > napping, 'the scenario has a line of that number too');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(helper), { viewColumn: vscode.ViewColumn.One, preview: false });
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { viewColumn: vscode.ViewColumn.One, preview: false });
    // main resumes inside nap(), in helper.py, and runs to its end.
    const main = run.model.taskOrder.find((task) => task.coro === 'main')!;
    const resumed = main.steps.find((step) => step.fromFile === helper)!;
    assert.ok(resumed, JSON.stringify(main.steps.map((step) => [step.from, step.fromFile])));
    await goToTick(resumed.tick);
    await until('the decorations of the tick', () => controller.drawn.get(file));
    assert.deepEqual(controller.drawn.get(file)!.running, [], 'nothing of the scenario ran in that tick');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(helper), { viewColumn: vscode.ViewColumn.One });
    await until(`line ${napping} of helper.py highlighted`, () => controller.drawn.get(helper)?.running.includes(napping));
    // Before it, main was suspended there: the annotation sits in the helper too.
    await goToTick(resumed.tick - 1);
    await until('main\'s annotation in helper.py', () => controller.drawn.get(helper)?.suspended.some(([line]) => line === napping));
    assert.ok(!controller.drawn.get(file)?.suspended.some(([line]) => line === napping), 'not at that line number of the scenario');
  });
});

describe('Layout (12.8): the panel beside the code, never a third column', function () {
  this.timeout(60_000);
  const dir = scenarioDir('columns');
  const groups = () => vscode.window.tabGroups.all.length;
  const panelColumn = () => vscode.window.tabGroups.all.find((group) => group.tabs.some((tab) =>
    tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('loopscope.panel')))?.viewColumn;

  beforeEach(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('from the panel\'s own column, Visualize, Reveal in Timeline and Show Line keep two columns', async () => {
    const { file, run } = await visualizeSource(dir, 'pizza.py', PIZZA);
    assert.equal(groups(), 2);
    // The panel has the focus (its toolbar's Restart, a click in it), then the run starts again.
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    const again = (await vscode.commands.executeCommand<typeof run>('loopscope.visualize', vscode.Uri.file(file)))!;
    await again.session!.done;
    assert.equal(groups(), 2, 'Visualize from the panel\'s column');
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    await vscode.commands.executeCommand('loopscope.revealInTimeline', again.model.taskOrder[0].id);
    assert.equal(groups(), 2, 'Reveal in Timeline');
    const { controller } = await api();
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    await controller.revealLine(lineOf(PIZZA, 'too slow'));
    assert.equal(groups(), 2, 'Show Line');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file);
    assert.notEqual(vscode.window.activeTextEditor?.viewColumn, panelColumn(), 'the line opens beside the panel, not over it');
  });

  it('with the program in the second column, the panel goes in the first', async () => {
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'notes\n');
    const file = join(dir, 'pizza.py');
    writeFileSync(file, PIZZA);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(other), vscode.ViewColumn.One);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.Two);
    const run = (await vscode.commands.executeCommand<{ session: { done: Promise<unknown> } }>('loopscope.visualize', vscode.Uri.file(file)))!;
    await run.session.done;
    assert.equal(groups(), 2);
    assert.equal(panelColumn(), vscode.ViewColumn.One);
  });
});

const GREETER = `import asyncio


async def main():
    name = input("name? ")
    age = input("age? ")
    print("hello", name, age)


asyncio.run(main())
`;

describe('Standard input (12.5)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('input');

  it('gives the program the configured text, one line per input(), then end of file', async () => {
    await withSetting('input.mode', 'text', () => withSetting('input.text', 'Ana\n7', async () => {
      const { run } = await visualizeSource(dir, 'greeter.py', GREETER);
      assert.ok(run.model.output.some((o) => o.stream === 'stdout' && o.text.endsWith('hello Ana 7')),
        JSON.stringify(run.model.output.map((o) => o.text)));
    }));
  });

  it('reads a configured file, and says so and runs nothing when the file cannot be read', async () => {
    writeFileSync(join(dir, 'answers.txt'), 'Ben\n9\n');
    await withSetting('input.mode', 'file', async () => {
      await withSetting('input.file', join(dir, 'answers.txt'), async () => {
        const { run } = await visualizeSource(dir, 'greeter.py', GREETER);
        assert.ok(run.model.output.some((o) => o.text.endsWith('hello Ben 9')), JSON.stringify(run.model.output.map((o) => o.text)));
      });
      await withSetting('input.file', join(dir, 'missing.txt'), async () => {
        const run = await vscode.commands.executeCommand('loopscope.visualize', vscode.Uri.file(join(dir, 'greeter.py')));
        assert.equal(run, undefined, 'nothing runs without its input');
      });
    });
  });

  it('with input closed, input() gets end of file at once (EOFError), nothing waits', async () => {
    await withSetting('input.mode', 'closed', async () => {
      const { run } = await visualizeSource(dir, 'greeter.py', GREETER, 'exception');
      assert.equal(run.model.end?.error?.type, 'EOFError');
    });
  });
});

const KITCHEN_GROUP = `import asyncio


async def cook(dish, seconds):
    await asyncio.sleep(seconds)
    if dish == "souffle":
        raise RuntimeError("boom inside the task group")  # the raise
    return dish


async def main():
    async with asyncio.TaskGroup() as group:
        group.create_task(cook("soup", 1))
        group.create_task(cook("souffle", 2))


asyncio.run(main())
`;

describe('Errors (12.4)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('errors');

  it('an uncaught ExceptionGroup: the traceback the program printed is in the output after the last tick, and told', async () => {
    const { run } = await visualizeSource(dir, 'group.py', KITCHEN_GROUP, 'exception');
    const model = run.model;
    const last = model.ticks.length - 1;
    const printed = model.output.map((o) => o.text);
    assert.ok(printed.some((line) => line.endsWith('RuntimeError: boom inside the task group')), printed.join('\n'));
    assert.equal(stateAfter(model, last)!.outputCount, model.output.length, 'after the last tick, everything printed is there');
    const told = narrateTick(model, last);
    assert.ok(told.includes(`Printed: “${printed[0]}”, “${printed[1]}”, “${printed[2]}” and ${printed.length - 3} more lines.`), told);
  });

  it('names the leaf exceptions of an ExceptionGroup and shows the line of the raise (protocol 2.1 error.leaves)', async function () {
    const { controller } = await api();
    const { run } = await visualizeSource(dir, 'group.py', KITCHEN_GROUP, 'exception');
    const error = run.model.end!.error!;
    assert.equal(error.type, 'ExceptionGroup');
    await until('the notification', () => controller.lastNotice);
    assert.ok(controller.lastNotice!.text.startsWith('Loopscope: the program raised ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)'));
    assert.equal(controller.lastNotice!.text, 'Loopscope: the program raised ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception): '
      + 'RuntimeError("boom inside the task group")');
    assert.equal(controller.lastNotice!.line, lineOf(KITCHEN_GROUP, '# the raise'));
  });
});

// The work is counted, not timed: the deterministic clock freezes the program's clocks too, so a
// loop that waits for perf_counter to move would never end.
const BUSY = `import asyncio


async def main():
    total = sum(i * i for i in range(300_000))  # tens of ms of the program's own work
    await asyncio.sleep(1)  # wakes at t=1.000 on the deterministic clock
    print("woke")


asyncio.run(main())
`;

describe('Clock modes (12.9)', function () {
  this.timeout(60_000);
  const dir = scenarioDir('clock');

  it('deterministic: the program\'s own work does not move loop time, so a run gives the same ticks and times every time', async function () {
    await withSetting('clock', 'deterministic', async () => {
      const runs = [];
      for (let i = 0; i < 2; i++) {
        const file = join(dir, 'busy.py');
        writeFileSync(file, BUSY);
        const run = (await vscode.commands.executeCommand<{ model: { start?: { clock: string }; ticks: { n: number; t: number; ready: unknown[] }[] }; session: { done: Promise<{ outcome: string }> } }>(
          'loopscope.visualize', vscode.Uri.file(file)))!;
        const result = await run.session.done;
        assert.ok(run.model.start, 'the tracer started');
        assert.equal(result.outcome, 'completed');
        assert.equal(run.model.start.clock, 'deterministic');
        runs.push(run.model.ticks.map((tick) => [tick.n, tick.t, tick.ready]));
      }
      assert.deepEqual(runs[1], runs[0], 'the same ticks, times and ready queues on both runs');
      const woke = runs[0].find(([, t]) => t !== 0);
      assert.equal(woke?.[1], 1, 'sleep(1) ends at exactly t=1');
      assert.equal(runs[0][0][1], 0, 'the first tick at t=0');
    });
  });
});
