// Issue 12 in the real extension host: what a learner reads in the editor, the status bar, the
// hovers and the narration agrees on one moment (after the cursor tick) and names things alike.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { loopTime } from '../../src/core/describe';
import { narrateTick } from '../../src/core/narrate';
import { api, hoverText, lineOf, scenarioDir, visualizeSource } from './helpers';

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
    assert.match(controller.statusText ?? '', new RegExp(`^\\$\\(pulse\\) Loop: after tick 1/${run.tickCount} · t=0\\.00\\ds$`));
    // Tick 1 ran main to its wait_for: the narration, the decoration and the hover all say so.
    assert.match(narrateTick(run.model, 0), new RegExp(`\`main\\(\\)\` started at line \\d+ and suspended at line ${mainLine}: asyncio\\.wait_for`));
    const drawn = controller.drawn.get(file)!;
    assert.match(drawn.suspended.find(([line]) => line === mainLine)?.[1] ?? '', /^⏸ main · wait_for until t=2\.00\d$/);
    const hover = await hoverText(file, mainLine);
    assert.match(hover, /^\*\*Loopscope\*\* · after tick 1 · t=0\.00\d/);
    assert.match(hover, /main\(\)\*\* — asyncio\.wait_for\(timeout=2\): gives up at t=2\.00\d/);
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
    assert.equal(at('# fetching'), "⏸ 3 tasks: downloader, fetch(…, 'https://example.com/b', 1), fetch(…, 'https://example.com/c', 2)");
    assert.equal(at('# main waits'), '⏸ main · awaits downloader');
    const main = await hoverText(file, lineOf(FETCHES, '# main waits'));
    assert.match(main, /main\(\)\*\* — awaiting downloader\n/);
    assert.doesNotMatch(main, /Task-\d|task \d+ \(/);
    assert.match(await hoverText(file, lineOf(FETCHES, '# working')), /\*\*worker\(19, 0\.0065\)\*\* — asyncio\.sleep/);
    assert.match(narrateTick(run.model, 0), /`main\(\)` created `downloader` \(line \d+\), `fetch\(<__main__\S*…>, 'https:\/\/example\.com\/b', 1\)`/);
  });
});
