// `npm run screenshots:concepts`: the pictures of docs/concepts.md, taken in the real workbench with
// the ui harness. For each question: open its example, Visualize Loop, go to the tick that shows the
// answer, and save the Loopscope panel as media/concepts/<example>.png.
// Each tick comes with what its narration must say: if a tracer change moves the answer to another
// tick, the script stops there instead of saving a picture of the wrong tick.
// `node test/ui/concepts.mjs gather sleep_zero` takes only those. Needs `npm run build` first.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from '../harness/codeServer.mjs';
import { ROOT, Workbench, until } from './workbench.mjs';

const OUT = join(ROOT, 'media/concepts');

// tick: the tick number within `loop` (as the panel and Go to Tick count them). axis 'time' where
// the answer is a length of time (a step that holds the loop, threads that overlap).
const CONCEPTS = [
  { example: 'await_vs_create_task', tick: 6, says: /boil\('rice', 1\) started .*\n.*boil\('soup', 2\) started /m },
  { example: 'ready_at_once', tick: 4, says: /were woken by bake\(\) \(they were awaiting bake\(\)\)/ },
  { example: 'sleep_zero', tick: 3, says: /a tick runs only what was in the ready queue when it began/ },
  { example: 'gather', tick: 20, says: /without it, main gets: virus\.exe/ },
  { example: 'time_sleep_blocks', axis: 'time', tick: 2, says: /held the loop for 1(\.\d+)? s, busy at line 22/ },
  { example: 'cpu_bound', axis: 'time', tick: 2, says: /held the loop for .*, busy at line/ },
  { example: 'executor_threads', axis: 'time', tick: 9, says: /worker thread \S+ finished weigh/ },
  { example: 'run_twice', loop: 2, tick: 6, says: /wash_dishes\(\) resumed at line \d+ and was cancelled/ },
  { example: 'producer_consumer', tick: 17, says: /chef\(\S+\) was woken by waiter\(\S+\) at line \d+ \(it was in queue\.put\(\)\)/ },
  { example: 'semaphore', tick: 4, says: /was woken by download\(.*\) at line \d+ \(it was waiting to acquire a Semaphore/ },
  { example: 'lock', tick: 4, says: /was woken by cook\('Anna', \S+\) at line \d+ \(it was waiting to acquire a Lock/ },
  { example: 'event', tick: 4, says: /were woken by main\(\) at line \d+ \(they were waiting for Event\.set\(\)\)/ },
  { example: 'condition', tick: 4, says: /was woken by main\(\) at line \d+ \(it was waiting in Condition\.wait_for\(\) for a notify\)/ },
  { example: 'task_exception', tick: 4, says: /raised RuntimeError .* the exception is kept in it/ },
  { example: 'cancellation', tick: 5, says: /roast\(\) resumed at line \d+ and was cancelled/ },
  { example: 'wait_for_timeout', tick: 5, says: /deliver\('pizza', 5\) resumed .* was cancelled/ },
  { example: 'taskgroup', tick: 8, says: /cook\('roast', 3\) was cancelled/ },
  { example: 'sockets', tick: 10, says: /reported socket .* readable[^]*kitchen\(.*\) was woken by I\/O: data arrived on a socket \(it was waiting for data from/ },
  { example: 'callbacks', tick: 1, says: /The timer for ring \(due at t=[\d.]+\) was cancelled[^]*ready queue for tick 2 is, first in, first out: ring and ring/ },
  { example: 'never_awaited', tick: 1, says: /coroutine 'boil_eggs' was never awaited/ },
];

const only = process.argv.slice(2);
const todo = CONCEPTS.filter((c) => !only.length || only.includes(c.example));
if (!todo.length) throw new Error(`no such example: ${only.join(', ')}`);
mkdirSync(OUT, { recursive: true });

// The editor area splits evenly between the code and the panel: without the side bar, this width
// gives a panel of about 1150 px, wide enough for the lanes and the side views side by side.
const wb = await Workbench.start({ name: 'concepts', viewport: { width: 2350, height: 820 } });
try {
  await wb.palette('View: Toggle Primary Side Bar Visibility');
  await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
  for (const { example, loop = 1, tick, axis = 'tick', says } of todo) {
    const file = `${example}.py`;
    // The code opens on the left and the panel beside it: after a click in the panel, focus is there.
    await wb.palette('View: Focus First Editor Group');
    await wb.quickOpen(file);
    await wb.palette('Loopscope: Visualize Loop');
    await wb.waitForRun(file);
    await wb.waitStatus(/^Loop( \d+)?: after tick \d+\/\d+/);
    await wb.webview.locator('canvas.lane-canvas').first().waitFor();
    // Go to Tick counts within the loop of the cursor: the last tick belongs to the last loop.
    if (loop > 1) await wb.palette('Loopscope: Continue / Run to End');
    await wb.goToTick(tick);
    await setAxis(axis);
    // Off the panel and the buttons the palette and the toolbar leave it on.
    await wb.parkMouse(300);
    const text = await until(async () => {
      const narration = await wb.narration();
      return says.test(narration) && narration;
    }, { message: `the narration of ${file} at tick ${tick} to match ${says}` }).catch(async (error) => {
      error.message += `\nit reads:\n${await wb.narration()}`;
      throw error;
    });
    // Let the timeline finish moving to the cursor.
    await until(() => wb.webview.locator('body').evaluate(() => document.getAnimations().every((a) => a.playState !== 'running')),
      { message: 'the panel to settle' });
    const path = join(OUT, `${example}.png`);
    const box = await wb.panelBox();
    if (box.width < 1000) throw new Error(`the panel is only ${box.width} px wide for ${file}`);
    await wb.page.screenshot({ path, clip: box });
    console.log(`${path.slice(ROOT.length + 1)} (${Math.round(statSync(path).size / 1024)} KB): ${await wb.tickLabel()}: ${says.exec(text)[0]}`);
    await setAxis('tick');
  }
} finally {
  await cleanup();
}

/** Clicks "By tick" or "By time" in the panel's toolbar, unless it is already on. */
async function setAxis(axis) {
  const button = wb.webview.locator(`#axis-switch [data-axis="${axis}"]`);
  const on = () => button.evaluate((b) => b.checked);
  if (await on()) return;
  await button.click();
  await until(on, { message: `the ${axis} axis` });
}
