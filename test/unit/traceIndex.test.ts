// Traces too big for one model are opened through an index of the file (src/node/traceIndex.ts):
// every window read back from it must show each tick as the whole trace in one model does.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TraceModel } from '../../src/core/model';
import { TraceIndex, type TraceWindow } from '../../src/node/traceIndex';
import { readTraceFile } from '../../src/node/traceFile';
import { REPO, scenarioDir, writeScenario } from './helpers';
import { SMALL_EVENTS_PER_BODY, smallEvents, writeHuge } from './hugeTrace';

describe('a trace opened through its index', function () {
  this.timeout(120_000);
  const dir = scenarioDir();
  const trace = join(dir, 'crowd.jsonl');
  const whole = new TraceModel();
  let index: TraceIndex;
  /** Events of the biggest tick (its tick event and those after it): a window ends at a tick's end. */
  let biggestTick = 0;

  before(async () => {
    writeScenario(dir, 'crowd.py', `
import asyncio

async def worker(i, lock, done):
    for k in range(12):
        await asyncio.sleep(0 if k % 3 else 0.01 * (i % 5))
        async with lock:
            await asyncio.sleep(0)
    done.append(i)

async def main():
    lock, done = asyncio.Lock(), []
    await asyncio.gather(*(worker(i, lock, done) for i in range(60)))
    print(len(done))

asyncio.run(main())
`);
    const run = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), 'trace', 'crowd.py', '--out', trace, '--json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    let sinceTick = 0;
    await readTraceFile(trace, (event) => {
      whole.apply(event);
      if (event.ev === 'tick') sinceTick = 0;
      biggestTick = Math.max(biggestTick, ++sinceTick);
    });
    // Windows of 2,000 events: the trace spans many of them.
    index = await TraceIndex.build(trace, 2000);
  });

  it('indexes every tick and event of the file', () => {
    assert.equal(index.ticks, whole.ticks.length);
    assert.ok(index.checkpoints.length >= 5, `${index.checkpoints.length} checkpoints`);
    assert.equal(index.end?.outcome, 'completed');
    for (let g = 0; g < whole.ticks.length; g++) {
      const tick = whole.ticks[g];
      assert.deepEqual(index.tickAt(g), { loop: tick.loop, n: tick.n, t: tick.t });
    }
  });

  it('shows every tick in its window as the whole trace does: tasks, lines, reasons, timers, ready queue', async () => {
    const view = (state: ReturnType<TraceModel['stateBefore']>) => ({
      tasks: state!.tasks.filter((s) => s.state !== 'done')
        .map((s) => ({ id: s.task.id, state: s.state, line: s.line, reason: s.reason?.text, since: s.since })),
      timers: state!.timers.map((timer) => timer.id),
      ready: state!.ready,
      ran: state!.ran.map((a) => ('callback' in a ? a.callback.fn : a.task)),
    });
    // The first window was read by the pass that built the index; it and the others are read back from the file.
    const first = index.firstWindow();
    let window: TraceWindow | undefined;
    let windows = 0;
    for (let g = 0; g < whole.ticks.length; g++) {
      if (!window || g >= window.endTick) {
        window = await index.window(g);
        windows++;
        // Two spans of at least 1,000 events, each ending with the tick that reached 1,000.
        assert.ok(window.events < 2000 + 2 * biggestTick, `a window holds about 2,000 events, not ${window.events} (biggest tick ${biggestTick})`);
      }
      assert.deepEqual(view(window.model.stateBefore(g - window.firstTick)), view(whole.stateBefore(g)), `tick ${g + 1}`);
      if (g < first.endTick) assert.deepEqual(view(first.model.stateBefore(g)), view(whole.stateBefore(g)), `tick ${g + 1}, first window`);
    }
    assert.ok(windows >= 3, `${windows} windows`);
    assert.equal(first.endTick, (await index.window(0)).endTick);
  });

  it('is shown from its beginning while the rest of the file is read, and grows to the whole of it', async () => {
    // One body of events, 15 MB: the pass reads it in chunks of 1 MB, and open() returns after the first.
    const path = join(dir, 'growing.jsonl');
    const { bodies } = writeHuge(path, 2e6, smallEvents);
    try {
      const growing = await TraceIndex.open(path);
      const first = growing.firstWindow();
      const ticksAtOpen = first.model.ticks.length;
      assert.ok(growing.reading, 'the pass goes on after open()');
      assert.ok(ticksAtOpen > 0 && first.endTick === ticksAtOpen, `${ticksAtOpen} ticks read at open`);
      assert.match(growing.progressText(), /^Reading the trace: \d+% \([\d,]+ events so far\)…$/);
      let told = 0;
      growing.onProgress(() => told++);
      await growing.done;
      assert.equal(growing.reading, false);
      assert.ok(told >= 1, 'listeners hear of the end');
      const ticks = (bodies * SMALL_EVENTS_PER_BODY) / 2;
      assert.ok(ticksAtOpen < ticks, `${ticksAtOpen} of ${ticks} ticks at open`);
      assert.equal(first.model.ticks.length, ticks);
      assert.equal(first.endTick, ticks);
      assert.equal(growing.loopTicks(1), ticks);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('stops reading when asked (the trace was closed while it was read)', async () => {
    const path = join(dir, 'stopped.jsonl');
    writeHuge(path, 2e6, smallEvents);
    try {
      const stopped = await TraceIndex.open(path);
      stopped.stop();
      await stopped.done;
      assert.ok(stopped.bytes < stopped.size, `${stopped.bytes} of ${stopped.size} bytes read`);
    } finally {
      rmSync(path, { force: true });
    }
  });
});
