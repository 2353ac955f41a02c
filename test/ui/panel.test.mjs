// The panel alone, in headless Chromium under its real CSP, served by the same PanelServer the
// extension host uses (test/webview/harness.mjs): what it draws, what it posts back (setCursor,
// reveal, command, axis), what it asks the host for, state across hide/show, CSP and errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWebview, readTrace } from '../webview/harness.mjs';
import { ROOT, SHOTS } from './workbench.mjs';

const events = readTrace(join(ROOT, 'test/webview/fixtures/downloads.jsonl'));

describe('the panel in headless Chromium, served by the host', function () {
  this.timeout(60_000);
  let view;
  const page = () => view.page;
  const text = (selector) => page().$eval(selector, (node) => node.textContent.trim());
  const lastPosted = async (type) => (await view.posted()).filter((m) => m.type === type).pop();
  /** The lanes' strip spans the window on screen, and segments are drawn on it. */
  const stripsCoverWindow = () => page().evaluate(() => {
    const timeline = window.__loopscope.timeline;
    const [a, b] = timeline.window();
    const strip = timeline.strip;
    return strip !== undefined && strip.from <= a && strip.to >= b && timeline.drawnSegments().length > 0;
  });
  /**
   * The segments drawn on the lanes' canvases (they are pixels, not elements): lane, kind, classes,
   * text and their box on screen, as the panel's hover and clicks find them.
   */
  const drawn = () => page().evaluate(() => window.__loopscope.timeline.drawnSegments());
  const find = async (lane, kind) => (await drawn()).find((seg) => seg.lane === lane && seg.kind === kind);
  const middle = (seg) => ({ x: (seg.left + seg.right) / 2, y: (seg.top + seg.bottom) / 2 });
  /** The colours on screen along the middle row of a drawn segment, read back from its canvas (RGBA each). */
  const pixels = (seg) => page().evaluate(({ left, right, top, bottom }) => {
    const canvas = document.querySelector('canvas.lane-canvas');
    const box = canvas.getBoundingClientRect();
    const x0 = Math.max(0, Math.ceil((Math.max(left, box.left) - box.left) * canvas.width / box.width));
    const x1 = Math.min(canvas.width, Math.floor((Math.min(right, box.right) - box.left) * canvas.width / box.width));
    const y = Math.floor(((top + bottom) / 2 - box.top) * canvas.height / box.height);
    if (x1 <= x0) return [];
    const data = canvas.getContext('2d').getImageData(x0, y, x1 - x0, 1).data;
    return Array.from({ length: x1 - x0 }, (_, i) => Array.from(data.slice(4 * i, 4 * i + 4)));
  }, seg);
  const inked = async (seg) => (await pixels(seg)).some((rgba) => rgba[3] > 0);

  before(async () => {
    view = await openWebview({ theme: 'dark', width: 1200, height: 800 });
  });
  after(async () => view?.close());

  it('posts ready on load', async () => {
    assert.deepEqual((await view.posted())[0], { type: 'ready' });
  });

  it('shows scenario, Python, clock, outcome and tick in the header', async () => {
    await view.show(events, { cursor: 13 });
    assert.match(await text('#header'), /downloads\.py/);
    assert.match(await text('#python-version'), /3\.11\.7/);
    assert.match(await text('#clock'), /virtual/);
    assert.equal(await text('#outcome'), 'completed');
    assert.equal(await text('#tick-label'), 'After tick 14 of 14');
  });

  it('draws one lane per task, the loop lane and the worker lane, the internal task hidden', async () => {
    const lanes = await page().$$eval('.lane-label', (nodes) => nodes.map((n) => n.dataset.lane));
    assert.deepEqual(lanes, ['loop:1', 'task:1', 'task:2', 'task:3', 'task:4', 'task:5', 'task:6', 'worker:asyncio_0']);
    const labels = await page().$$eval('.lane-label .lane-name', (nodes) => nodes.map((n) => n.textContent));
    assert.ok(labels.includes("download_file('video.mp4', 3)"));
  });

  it('draws running, ready and suspended segments by reason, markers and blocking', async () => {
    const segments = await drawn();
    const has = async (re) => {
      const seg = segments.find((s) => re.test(`${s.lane} ${s.kind} ${s.cls}`));
      assert.ok(seg, `no segment matching ${re}`);
      assert.ok(await inked(seg), `${re} is not drawn: ${JSON.stringify(seg)}`);
    };
    await has(/^task:1 suspended .*reason-await/);
    await has(/^task:4 suspended .*reason-timer/);
    await has(/^task:2 ready /);
    await has(/^task:2 running /);
    await has(/^task:6 done .*marker-exception/);
    await has(/^loop:1 blocking /);
    await has(/^loop:1 callback .*cb-timer/);
    await has(/^worker:asyncio_0 job /);
    assert.equal(await page().$$eval('.vis-item.blocking-band', (n) => n.length), 1);
  });

  it('moves the tick label and the side views with the host\'s cursor: the loop after the cursor tick', async () => {
    // After tick 8 (its timer fired): video.mp4 is ready for tick 9 and has not printed yet.
    view.host.setCursor(7);
    await view.frame();
    assert.equal(await text('#tick-label'), 'After tick 8 of 14');
    assert.equal(await text('.section-ready .side-title-text'), 'Ready queue for tick 9');
    assert.match(await text('#ready-queue'), /download_file\('video\.mp4', 3\)/);
    assert.match(await text('#output'), /finished notes\.txt/);
    assert.doesNotMatch(await text('#output'), /finished video\.mp4/);
    // After tick 9 it has run to its end and printed; gather's callback runs next.
    view.host.setCursor(8);
    await view.frame();
    assert.equal(await text('#tick-label'), 'After tick 9 of 14');
    assert.equal(await text('.section-ready .side-title-text'), 'Ready queue for tick 10');
    assert.match(await text('#ready-queue'), /gather noticed that one of its children finished\s*gather\.<locals>\._done_callback · call_soon/);
    assert.match(await text('#output'), /finished video\.mp4/);
    assert.match(await text('#blocking'), /300\.3 ms in main/);
    assert.equal(await text('#narration .narration-title'), 'Explain this tick');
    assert.match(await text('#narration .narration-lines'), /^Tick 9, t=3\.000\./);
  });

  it('lists pending timers with their fire times', async () => {
    view.host.setCursor(2);
    await view.frame();
    const timers = await text('#timers');
    assert.match(timers, /t=1\.000/);
    assert.match(timers, /t=3\.000/);
  });

  it('clicking a segment posts setCursor and reveal', async () => {
    await view.clearPosted();
    const segment = await find('task:4', 'suspended');
    assert.ok(segment, 'no suspended segment for task 4');
    await page().mouse.click(middle(segment).x, middle(segment).y);
    await view.frame();
    assert.deepEqual(await lastPosted('reveal'), { type: 'reveal', line: 7 });
    const cursor = await lastPosted('setCursor');
    assert.ok(cursor && cursor.tick >= 1 && cursor.tick <= 8, `setCursor ${JSON.stringify(cursor)}`);
    assert.equal(await text('#tick-label'), `After tick ${cursor.tick + 1} of 14`, 'the host moved the cursor there');
  });

  it('clicking a task label reveals where the task was created', async () => {
    await view.clearPosted();
    await page().click('.lane-label[data-lane="task:4"]');
    await view.frame();
    assert.deepEqual(await lastPosted('reveal'), { type: 'reveal', line: 32 });
  });

  it('arrow keys in the timeline move the cursor', async () => {
    view.host.setCursor(4);
    await view.frame();
    await view.clearPosted();
    await page().focus('#timeline');
    await page().keyboard.press('ArrowRight');
    await page().keyboard.press('ArrowRight');
    await page().keyboard.press('ArrowLeft');
    const ticks = (await view.posted()).filter((m) => m.type === 'setCursor').map((m) => m.tick);
    assert.deepEqual(ticks, [5, 6, 5]);
  });

  it('dragging the cursor bar posts setCursor', async () => {
    await view.clearPosted();
    const bar = await page().$('.vis-custom-time');
    const box = await bar.boundingBox();
    await page().mouse.move(box.x + box.width / 2, box.y + 60);
    await page().mouse.down();
    await page().mouse.move(box.x + 150, box.y + 60, { steps: 8 });
    await page().mouse.up();
    await view.frame();
    const cursor = await lastPosted('setCursor');
    assert.ok(cursor && cursor.tick > 5, `setCursor ${JSON.stringify(cursor)}`);
  });

  it('hovering a segment shows the host\'s description of it', async () => {
    const segment = await find('task:5', 'suspended');
    await page().mouse.move(middle(segment).x, middle(segment).y);
    await page().waitForSelector('#tooltip:not([hidden])');
    assert.match(await text('#tooltip'), /download_file\('notes\.txt', 1\) — suspended at line 7/);
    assert.match(await text('#tooltip'), /asyncio\.sleep\(1\)/);
    await page().mouse.move(5, 5);
  });

  it('toolbar posts commands; the axis switch posts axis and applies it', async () => {
    view.host.setCursor(4);
    await view.frame();
    await view.clearPosted();
    await page().click('vscode-toolbar-button[data-command="stepForward"]');
    await page().click('vscode-toolbar-button[data-command="goToTick"]');
    await page().click('vscode-toolbar-button[data-axis="time"]');
    await view.frame();
    const posted = await view.posted();
    assert.deepEqual(posted.filter((m) => m.type === 'command').map((m) => m.command), ['stepForward', 'goToTick']);
    assert.deepEqual(posted.filter((m) => m.type === 'axis'), [{ type: 'axis', axis: 'time' }]);
    assert.match(await page().$$eval('.vis-time-axis .vis-text', (n) => n.map((x) => x.textContent).join(' ')), /\d s/);
  });

  it('keeps its axis across hide/show, and the host shows it the trace again', async () => {
    view.host.setCursor(8);
    await view.frame();
    const saved = await view.state();
    assert.equal(saved.axis, 'time');
    await view.reopen();
    assert.deepEqual((await view.posted())[0], { type: 'ready' });
    const checked = await page().$eval('vscode-toolbar-button[data-axis="time"]', (n) => n.checked);
    assert.equal(checked, true);
    assert.equal(await text('#tick-label'), 'After tick 9 of 14');
    assert.equal(await page().$$eval('.lane-label', (n) => n.length), 8);
  });

  it('shows the same trace again the same way', async () => {
    await view.show(events, { cursor: 8 });
    await view.show(events, { cursor: 8 });
    assert.equal(await page().$$eval('.lane-label', (n) => n.length), 8);
    assert.equal(await text('#tick-label'), 'After tick 9 of 14');
  });

  it('never turns program text into markup', async () => {
    const evil = events.map((e) => (e.ev === 'output' ? { ...e, text: '<img src=x onerror=alert(1)><b>bold</b>' } : e.ev === 'task' ? { ...e, label: '<i>x</i>' } : e));
    await view.show(evil, { cursor: 8 });
    assert.equal(await page().$$eval('#output img, #output b, .lane-label i', (n) => n.length), 0);
    assert.match(await text('#output'), /<b>bold<\/b>/);
    await view.show(events, { cursor: 8 });
  });

  it('holds only what is on screen of 2,000 tasks, and asks for the rows it scrolls to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loopscope-panel-'));
    writeFileSync(join(dir, 'crowd.py'), [
      'import asyncio', '', '', 'async def worker(i):', '    await asyncio.sleep(0)', '', '',
      'async def main():', '    await asyncio.gather(*(worker(i) for i in range(2000)))', '', '',
      'asyncio.run(main())', '',
    ].join('\n'));
    const trace = join(dir, 'crowd.jsonl');
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'trace', 'crowd.py', '--out', trace, '--json'], { cwd: dir, stdio: 'ignore' });
    await view.clearPosted();
    await view.open(trace, { cursor: 1 });
    // The tasks list after tick 2 (every worker yielded at sleep(0)) counts every worker, but only
    // its first rows came with the moment.
    assert.equal(await text('.section-tasks .count'), '2001');
    const rows = () => page().$$eval('#tasks li.entry .name', (nodes) => nodes.map((n) => n.textContent));
    assert.equal((await rows())[0], 'main()');
    // As many as the panel said it shows (the list at its max-height), and all it drew came with the moment.
    const shown = view.host.server.shownRows.tasks;
    const sent = await page().evaluate(() => window.__loopscope.side.sections.get('tasks').known.size);
    assert.ok(shown > 10 && shown < 50 && sent === shown, `shown ${shown}, sent ${sent}`);
    assert.ok((await rows()).length <= shown);
    assert.deepEqual((await view.posted()).filter((m) => m.type === 'rows'), [], 'nothing asked for before a scroll');
    await page().$eval('#tasks', (list) => { list.scrollTop = list.scrollHeight; });
    await view.frame();
    const asked = (await view.posted()).filter((m) => m.type === 'rows' && m.list === 'tasks');
    assert.ok(asked.length > 0 && asked.every((m) => m.to - m.from <= 200), JSON.stringify(asked));
    assert.equal((await rows()).at(-1), 'worker(1999)', 'the last row, asked for once scrolled to');
    // The lanes: only the lanes in the slots on screen were asked for.
    const views = (await view.posted()).filter((m) => m.type === 'view');
    assert.ok(views.length > 0 && views.every((m) => m.request.laneCount <= 40), JSON.stringify(views.map((m) => m.request.laneCount)));
    assert.ok(await page().evaluate(() => window.__loopscope.timeline.strip.lanes.length) <= 40);
    assert.ok(new Set((await drawn()).map((seg) => seg.lane)).size <= 40);
    // A list closed when the panel loads draws no more rows than the host sends: steps ask for none.
    await page().click('.section-tasks > summary');
    await page().waitForFunction(() => window.__savedState?.closed?.includes('tasks'));
    await view.reopen();
    assert.equal(await page().$eval('.section-tasks', (details) => details.open), false);
    await view.clearPosted();
    for (const tick of [2, 3, 1]) {
      view.host.setCursor(tick);
      await view.frame();
    }
    assert.deepEqual((await view.posted()).filter((m) => m.type === 'rows'), [], 'a closed list asks for nothing');
    await page().click('.section-tasks > summary');
    await view.show(events, { cursor: 8 });
  });

  it('draws the segments near the window in the frame that shows an answer, the others once the page is idle, and a drag moves them as drawn', async () => {
    // Tick 7 in the middle of a window of a quarter of the run: the answer covers twice that.
    await view.show(events, { cursor: 6 });
    await page().click('vscode-toolbar-button[data-axis="tick"]');
    await page().focus('#timeline');
    await page().keyboard.press('f');
    await view.frame();
    // The page is not idle until the test says so: idle callbacks wait.
    await page().evaluate(() => {
      window.__idle = [];
      window.__requestIdleCallback = window.requestIdleCallback;
      window.requestIdleCallback = (callback) => window.__idle.push(callback);
    });
    for (let i = 0; i < 2; i++) await page().keyboard.press('+');
    // Per segment of the answer on hand: whether it is drawn, and whether it is within 15% of a
    // window of the window (NEAR_MARGIN).
    const drawnNear = () => {
      const timeline = window.__loopscope.timeline;
      const [a, b] = timeline.window();
      const margin = (b - a) * 0.15;
      const result = { paints: timeline.stats.paints, undrawn: 0, missing: [], window: [a, b] };
      timeline.strip.lanes.forEach(({ lane, segments }, k) => {
        const drawn = new Set(timeline.strip.painted.lanes[k].order);
        segments.forEach((seg, index) => {
          if (drawn.has(index)) return;
          result.undrawn++;
          if (seg.end >= a - margin && seg.start <= b + margin) result.missing.push(`${lane} ${index}`);
        });
      });
      return result;
    };
    await view.frame();
    const first = await page().evaluate(drawnNear);
    assert.deepEqual(first.missing, [], 'every segment near the window is drawn');
    assert.ok(first.undrawn > 0, 'the answer\'s far segments wait');
    await page().evaluate(() => {
      window.requestIdleCallback = window.__requestIdleCallback;
      for (const callback of window.__idle.splice(0)) callback({ didTimeout: false, timeRemaining: () => 50 });
    });
    const before = await page().evaluate(drawnNear);
    assert.equal(before.undrawn, 0, 'the others are drawn once the page is idle');
    // A segment right of the window, that the drag will bring into it.
    const center = await (await page().$('#timeline .vis-center')).boundingBox();
    const right = center.x + center.width;
    const offscreen = (await drawn()).filter((seg) => seg.left > right && seg.left < right + center.width * 0.15);
    assert.ok(offscreen.length > 0, 'segments drawn just right of the window');
    // A fifth of a window: the answer still covers it with room to spare (stillCovers), so none is asked for.
    await page().mouse.move(center.x + center.width * 0.6, center.y + center.height - 5);
    await page().mouse.down();
    await page().mouse.move(center.x + center.width * 0.4, center.y + center.height - 5, { steps: 8 });
    // The button is still down: the gesture goes on, on the same answer.
    await view.frame();
    const during = await page().evaluate(drawnNear);
    assert.equal(during.paints, before.paints, 'the drag drew nothing anew');
    assert.ok(during.window[0] > before.window[0], 'the window moved');
    const brought = (await drawn()).filter((seg) => offscreen.some((o) => o.lane === seg.lane && o.index === seg.index)
      && seg.left >= center.x && seg.left < right);
    assert.ok(brought.length > 0, 'the drag brought drawn segments into the window');
    for (const seg of brought) assert.ok(await inked(seg), `${seg.lane} ${seg.index} is on screen where the panel says: ${JSON.stringify(seg)}`);
    await page().mouse.up();
    await page().waitForFunction(() => !document.querySelector('#timeline').classList.contains('moving'));
    await view.show(events, { cursor: 8 });
  });

  it('scales the lanes while they are zoomed during a gesture, and lays them out at their width once it settles', async () => {
    await view.show(events, { cursor: 6 });
    await page().click('vscode-toolbar-button[data-axis="tick"]');
    await page().focus('#timeline');
    await page().keyboard.press('f');
    await view.frame();
    // Where a segment of task 4 is drawn, and where the axis says it should be (px).
    const placed = () => page().evaluate(() => {
      const timeline = window.__loopscope.timeline;
      const drawnSeg = timeline.drawnSegments().find((s) => s.lane === 'task:4');
      const seg = timeline.strip.lanes.find((lane) => lane.lane === 'task:4').segments[drawnSeg.index];
      const center = document.querySelector('#timeline .vis-center');
      // vis-timeline's screen x starts inside the centre panel's border.
      const toScreen = (x) => center.getBoundingClientRect().left + center.clientLeft + timeline.timeline.body.util.toScreen(x * 10);
      return {
        left: drawnSeg.left, right: drawnSeg.right, start: toScreen(seg.start), end: toScreen(seg.end),
        transform: document.querySelector('canvas.lane-canvas').closest('.lane-strip').style.transform,
      };
    });
    const box = await (await page().$('#timeline .vis-center')).boundingBox();
    await page().mouse.move(box.x + box.width / 4, box.y + box.height - 5);
    await page().mouse.down();
    await page().mouse.move(box.x + box.width / 4 - 60, box.y + box.height - 5, { steps: 6 });
    await view.frame();
    // The button is still down: the gesture goes on while the window narrows to half (the
    // segments on hand still cover it, so none are asked for).
    await page().evaluate(() => {
      const timeline = window.__loopscope.timeline;
      const [a, b] = timeline.window();
      timeline.setWindow(a + (b - a) / 4, b - (b - a) / 4);
    });
    await view.frame();
    const zoomed = await placed();
    await page().mouse.up();
    assert.match(zoomed.transform, /scaleX\(2(\.0*\d*)?\)/);
    assert.ok(Math.abs(zoomed.left - zoomed.start) < 1 && Math.abs(zoomed.right - zoomed.end) < 1, JSON.stringify(zoomed));
    await page().waitForFunction(() => !document.querySelector('#timeline').classList.contains('moving'));
    await view.frame();
    const settled = await placed();
    assert.doesNotMatch(settled.transform, /scale/);
    assert.ok(Math.abs(settled.left - settled.start) < 1 && Math.abs(settled.right - settled.end) < 1, JSON.stringify(settled));
    await view.show(events, { cursor: 8 });
  });

  it('a step that scrolls the lanes gets them with its moment: it asks for nothing, nor when vis-timeline later says the range changed', async () => {
    await view.show(events, { cursor: 0 });
    await page().focus('#timeline');
    for (let i = 0; i < 3; i++) await page().keyboard.press('+');
    await view.frame();
    await view.clearPosted();
    // vis-timeline tells 'rangechanged' 200 ms after the window moved: see what the panel does then.
    const rangechanged = page().evaluate(() => new Promise((resolve) => {
      const timeline = window.__loopscope.timeline;
      timeline.timeline.on('rangechanged', () => resolve(timeline.settle !== undefined));
    }));
    view.host.setCursor(13);
    assert.equal(await rangechanged, false, 'no request pending');
    await view.frame();
    const views = (await view.posted()).filter((m) => m.type === 'view');
    assert.equal(views.length, 0, JSON.stringify(views));
    assert.equal(await text('#tick-label'), 'After tick 14 of 14');
    assert.ok(await stripsCoverWindow(), 'the lanes of the new window are drawn');
    await view.screenshot(join(SHOTS, 'panel-step-scrolled.png'));
  });

  it('asks for the lanes itself when those sent with a moment are not the ones it would ask for', async () => {
    await view.show(events, { cursor: 0 });
    await page().focus('#timeline');
    for (let i = 0; i < 3; i++) await page().keyboard.press('+');
    await view.frame();
    await view.clearPosted();
    // As if the host had a window the panel no longer shows (one it panned to without asking).
    await page().evaluate(() => {
      const app = window.__loopscope;
      const handle = app.handle.bind(app);
      app.handle = (message) => {
        if (message.type === 'moment' && message.moment.view) message.moment.view.request.from -= 1;
        handle(message);
      };
    });
    try {
      view.host.setCursor(13);
      await view.frame();
    } finally {
      await page().evaluate(() => { delete window.__loopscope.handle; });
    }
    const views = (await view.posted()).filter((m) => m.type === 'view');
    assert.equal(views.length, 1, JSON.stringify(views));
    assert.equal(await text('#tick-label'), 'After tick 14 of 14');
    assert.ok(await stripsCoverWindow(), 'the lanes of the new window are drawn');
  });

  it('scrolls the lanes to the loop of the cursor tick when none of its lanes is on screen, and leaves them where the user put them otherwise', async () => {
    // One asyncio.run after another, as a test suite runs its tests: a loop each, its lanes below the last one's.
    const dir = mkdtempSync(join(tmpdir(), 'loopscope-panel-'));
    writeFileSync(join(dir, 'suite.py'), [
      'import asyncio', '', '', 'async def worker(i):', '    await asyncio.sleep(0.01 * i)', '', '',
      'async def main():', '    await asyncio.gather(*(worker(i) for i in range(1, 4)))', '', '',
      'for _ in range(30):', '    asyncio.run(main())', '',
    ].join('\n'));
    const trace = join(dir, 'suite.jsonl');
    execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'trace', 'suite.py', '--out', trace, '--json'], { cwd: dir, stdio: 'ignore' });
    await view.open(trace, { cursor: 0 });
    const model = view.host.model;
    const firstTickOf = (loop) => model.ticks.findIndex((tick) => tick.loop === loop);
    const topLabel = () => page().$eval('.vis-labelset .vis-label', (node) => node.textContent.trim());
    assert.match(await topLabel(), /^Loop 1(?!\d)/);
    view.host.setCursor(firstTickOf(25) + 2);
    await view.frame();
    assert.match(await text('#tick-label'), /^After tick 3 of/);
    assert.match(await topLabel(), /^Loop 25(?!\d)/, 'the lanes of the cursor tick\'s loop are on screen');
    assert.ok(await stripsCoverWindow(), 'and drawn');
    const main25 = model.taskOrder.find((task) => task.loop === 25 && task.coro === 'main');
    const segs = (await drawn()).filter((seg) => seg.lane === `task:${main25.id}`);
    assert.ok(segs.length > 0, 'loop 25\'s main() is drawn: ' + JSON.stringify((await drawn()).slice(0, 3)));
    await view.screenshot(join(SHOTS, 'panel-loop-lanes.png'));
    // A step within the loop whose lanes the user scrolled away from leaves the lanes where they are.
    await page().focus('#timeline');
    for (let i = 0; i < 5; i++) await page().keyboard.press('ArrowUp');
    await view.frame();
    const scrolled = await topLabel();
    assert.doesNotMatch(scrolled, /^Loop 25(?!\d)/);
    view.host.setCursor(firstTickOf(25) + 3);
    await view.frame();
    assert.equal(await topLabel(), scrolled);
    // A move made in the panel (Home: the first tick, loop 1's) scrolls the lanes as well.
    await page().keyboard.press('Home');
    await view.frame();
    assert.match(await text('#tick-label'), /^After tick 1 of/);
    assert.match(await topLabel(), /^Loop 1(?!\d)/);
    assert.ok(await stripsCoverWindow(), 'loop 1\'s lanes are drawn');
    // A second loop's lanes asked for while the first's are on their way (a host slow to answer),
    // the window following the whole trace (so the moves ask for no other window): the lanes end
    // up labelled and drawn for the second.
    await page().keyboard.press('f');
    await view.frame();
    await page().evaluate(() => {
      const callbacks = window.__loopscope.timeline.callbacks;
      callbacks.slowView = callbacks.view;
      callbacks.view = (request) => setTimeout(() => callbacks.slowView(request), 400);
    });
    try {
      view.host.setCursor(firstTickOf(10) + 1);
      await new Promise((r) => setTimeout(r, 150));
      view.host.setCursor(firstTickOf(20) + 1);
      await new Promise((r) => setTimeout(r, 1500));
      await view.frame();
    } finally {
      await page().evaluate(() => {
        const callbacks = window.__loopscope.timeline.callbacks;
        callbacks.view = callbacks.slowView;
      });
    }
    assert.match(await topLabel(), /^Loop 20(?!\d)/);
    const main20 = model.taskOrder.find((task) => task.loop === 20 && task.coro === 'main');
    assert.ok((await drawn()).some((seg) => seg.lane === `task:${main20.id}`), 'loop 20\'s main() is drawn');
  });

  describe('layout (12.8)', () => {
    const box = (selector) => page().$eval(selector, (n) => {
      const r = n.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, height: r.height, bottom: r.bottom };
    });
    after(() => page().setViewportSize({ width: 1200, height: 800 }));

    it('at 1000x700: the header is one line, and the lane labels leave most of the width to the timeline', async () => {
      await page().setViewportSize({ width: 1000, height: 700 });
      await view.show(events, { cursor: 8 });
      const tops = await page().$$eval('#header .header-line > *', (nodes) => nodes.map((n) => Math.round(n.getBoundingClientRect().top)));
      const line = await box('#header .header-line');
      assert.ok(line.height <= 30, `the header line is ${line.height} px high (items at ${tops.join(', ')})`);
      assert.equal(await page().$eval('.scenario', (n) => n.scrollWidth <= n.clientWidth), true, 'the scenario\'s name is whole');
      const label = await box('.lane-label[data-lane="task:1"]');
      const lanes = await box('#timeline');
      assert.ok(label.width <= 0.3 * lanes.width, `labels ${label.width} px of a ${lanes.width} px timeline`);
      await view.screenshot(join(SHOTS, 'panel-1000x700.png'));
    });

    it('at 500 px wide: the side views scroll by themselves under the lanes, which stay on screen', async () => {
      await page().setViewportSize({ width: 500, height: 700 });
      await view.show(events, { cursor: 8 });
      assert.equal(await page().evaluate(() => document.scrollingElement.scrollHeight <= innerHeight), true, 'the page itself does not scroll');
      const lanes = await box('#timeline');
      const side = await box('#side');
      assert.ok(lanes.height >= 200 && lanes.bottom <= side.top + 1, `lanes ${JSON.stringify(lanes)} above the side views ${JSON.stringify(side)}`);
      assert.ok(await page().$eval('#side', (n) => n.scrollHeight > n.clientHeight), 'the side views have more than their height');
      await page().$eval('#side', (n) => { n.scrollTop = n.scrollHeight; });
      await view.frame();
      assert.deepEqual(await box('#timeline'), lanes, 'the lanes did not move');
      assert.ok(await page().$eval('.section-blocking', (n) => n.getBoundingClientRect().bottom <= innerHeight + 1), 'the last list scrolled into view');
      assert.ok((await box('.lane-label[data-lane="task:1"]')).width <= 130, 'the labels yield');
      await page().$eval('#side', (n) => { n.scrollTop = 0; });
      await view.screenshot(join(SHOTS, 'panel-500x700.png'));
    });
  });

  it('draws a library\'s tasks in one lane named after the library (protocol 2.1 task.lib)', async () => {
    const lib = [
      { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual', scenario: '/w/app.py' },
      { ev: 'loop', loop: 1, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: 0 },
      { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 15, internal: false, t: 0, wall: 0 },
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
      ...[2, 3].map((task) => ({ ev: 'task', task, loop: 1, name: `Task-${task}`, coro: 'Connection._pump', label: `_pump(${task})`,
        parent: 1, line: 9, internal: false, lib: 'weblib', t: 0, wall: 0 })),
      { ev: 'step', task: 1, t: 0, dur: 0.01, from: 8, to: 10, q: 0,
        reason: { kind: 'sleep', delay: 1, wake: 1, timer: 1, text: 'asyncio.sleep(1)', via: { lib: 'weblib', fn: 'Client.fetch', line: 16, file: '/v/site-packages/weblib/client.py' } } },
      { ev: 'tick', loop: 1, n: 2, t: 0.01, wall: 0, waited: 0, jump: 0, ready: [2, 3] },
      { ev: 'step', task: 2, t: 0.01, dur: 0.01, from: null, to: null, q: 0, reason: { kind: 'queue_get', text: 'queue.get()' } },
      { ev: 'step', task: 3, t: 0.02, dur: 0.01, from: null, to: null, q: 1, reason: { kind: 'queue_get', text: 'queue.get()' } },
      { ev: 'tick', loop: 1, n: 3, t: 1, wall: 0, waited: 0, jump: 1, ready: [] },
    ];
    await view.show(lib, { cursor: 1 });
    assert.deepEqual(await page().$$eval('.lane-label', (nodes) => nodes.map((n) => n.dataset.lane)), ['loop:1', 'task:1', 'library:1:weblib']);
    assert.equal(await text('.lane-label[data-lane="library:1:weblib"]'), 'weblib2 tasks');
    assert.match(await text('#tasks'), /_pump\(2\)weblib · queue\.get\(\)/);
    // What follows each name on screen (styles.css adds " (asyncio internal)" to asyncio's own tasks only).
    const suffixes = await page().$$eval('#tasks li.entry .name', (nodes) => nodes.map((n) => [n.textContent, getComputedStyle(n, '::after').content]));
    assert.deepEqual(suffixes.filter(([name]) => name.startsWith('_pump')).map(([, after]) => after), ['none', 'none'], JSON.stringify(suffixes));
    assert.match(await text('#tasks'), /asyncio\.sleep\(1\), inside weblib's Client\.fetch \(weblib\/client\.py:16\)/);
    await view.show(events, { cursor: 8 });
  });

  it('draws striped segments striped, and moves them as drawn while the lanes are dragged; the drag does not move the cursor', async () => {
    await view.show(events, { cursor: 13 });
    await view.clearPosted();
    await page().focus('#timeline');
    await page().keyboard.press('f');
    await view.frame();
    // The worker's job: stripes of two tones (styles.css, .seg-job) along its middle row.
    const tones = async () => new Set((await pixels(await find('worker:asyncio_0', 'job'))).map((rgba) => rgba.join(','))).size;
    const paints = () => page().evaluate(() => window.__loopscope.timeline.stats.paints);
    assert.ok(await tones() >= 2, 'the job is striped');
    const drawnBefore = await paints();
    const box = await (await page().$('#timeline .vis-center')).boundingBox();
    await page().mouse.move(box.x + box.width / 4, box.y + box.height - 5);
    await page().mouse.down();
    await page().mouse.move(box.x + box.width / 4 - 60, box.y + box.height - 5, { steps: 6 });
    // The button is still down: the gesture goes on.
    await view.frame();
    assert.equal(await page().$eval('#timeline', (n) => n.classList.contains('moving')), true);
    assert.equal(await paints(), drawnBefore, 'the drag moves the lanes as they were drawn');
    assert.ok(await tones() >= 2, 'the job is striped while dragged');
    await view.screenshot(join(SHOTS, 'panel-dragging.png'));
    await page().mouse.up();
    await page().waitForFunction(() => !document.querySelector('#timeline').classList.contains('moving'));
    assert.ok(await tones() >= 2, 'the job is striped once the drag settled');
    // The browser's click where the button was let go ends the drag: it picks no tick.
    assert.deepEqual((await view.posted()).filter((m) => m.type.startsWith('setCursor')), []);
    assert.equal(await text('#tick-label'), 'After tick 14 of 14');
    await view.screenshot(join(SHOTS, 'panel-after-drag.png'));
    await view.show(events, { cursor: 8 });
  });

  it('shows no CSP violations and no page errors', async () => {
    assert.deepEqual(await view.csp(), []);
    assert.deepEqual(view.errors, []);
  });
});
