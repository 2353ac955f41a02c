#!/usr/bin/env node
// End-to-end checks of the webview in headless chromium (build first: node esbuild.mjs).
//   node test/webview/smoke.mjs
// Feeds the hand-written fixture trace as the host would and checks what is drawn and what the
// webview posts back (setCursor, reveal, command, axis), state across hide/show, CSP and errors.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWebview, readTrace } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const events = readTrace(join(here, 'fixtures', 'downloads.jsonl'));
let failures = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}\n     ${error.message.split('\n').join('\n     ')}`);
  }
}

const view = await openWebview({ theme: 'dark', width: 1200, height: 800 });
const page = () => view.page;
const text = (selector) => page().$eval(selector, (node) => node.textContent.trim());
const lastPosted = async (type) => (await view.posted()).filter((m) => m.type === type).pop();

try {
  await check('posts ready on load', async () => {
    assert.deepEqual((await view.posted())[0], { type: 'ready' });
  });

  await view.feed(events, { batch: 7 });

  await check('header shows scenario, python, clock, outcome, tick', async () => {
    assert.match(await text('#header'), /downloads\.py/);
    assert.match(await text('#python-version'), /3\.11\.7/);
    assert.match(await text('#clock'), /virtual/);
    assert.equal(await text('#outcome'), 'completed');
    assert.equal(await text('#tick-label'), 'Tick 14 of 14');
  });

  await check('one lane per task, loop lane, worker lane; internal task hidden', async () => {
    const lanes = await page().$$eval('.lane-label', (nodes) => nodes.map((n) => n.dataset.lane));
    assert.deepEqual(lanes, ['loop:1', 'task:1', 'task:2', 'task:3', 'task:4', 'task:5', 'task:6', 'worker:asyncio_0']);
    const labels = await page().$$eval('.lane-label .lane-name', (nodes) => nodes.map((n) => n.textContent));
    assert.ok(labels.includes("download_file('video.mp4', 3)"));
  });

  await check('segments: running, ready, suspended by reason, markers, blocking', async () => {
    const kinds = await page().$$eval('.vis-item[data-lane]', (nodes) => nodes.map((n) => `${n.dataset.lane} ${n.dataset.kind} ${n.className}`));
    const has = (re) => assert.ok(kinds.some((k) => re.test(k)), `no segment matching ${re}`);
    has(/^task:1 suspended .*reason-await/);
    has(/^task:4 suspended .*reason-timer/);
    has(/^task:2 ready /);
    has(/^task:2 running /);
    has(/^task:6 done .*marker-exception/);
    has(/^loop:1 blocking /);
    has(/^loop:1 callback .*cb-timer/);
    has(/^worker:asyncio_0 job /);
    assert.equal(await page().$$eval('.vis-item.blocking-band', (n) => n.length), 1);
  });

  await check('cursor message moves the tick label and the side views', async () => {
    await view.send({ type: 'cursor', tick: 8 });
    await view.frame();
    assert.equal(await text('#tick-label'), 'Tick 9 of 14');
    assert.match(await text('#ready-queue'), /download_file\('video\.mp4', 3\)/);
    assert.match(await text('#output'), /finished notes\.txt/);
    assert.doesNotMatch(await text('#output'), /finished video\.mp4/);
    assert.match(await text('#blocking'), /300\.3 ms in main/);
  });

  await check('timers view lists pending timers with fire times', async () => {
    await view.send({ type: 'cursor', tick: 2 });
    await view.frame();
    const timers = await text('#timers');
    assert.match(timers, /t=1\.000/);
    assert.match(timers, /t=3\.000/);
  });

  await check('clicking a segment posts setCursor and reveal', async () => {
    await view.clearPosted();
    const box = await page().$('.vis-item[data-lane="task:4"][data-kind="suspended"]');
    assert.ok(box, 'no suspended segment for task 4');
    await box.click();
    await view.frame();
    assert.deepEqual(await lastPosted('reveal'), { type: 'reveal', line: 7 });
    const cursor = await lastPosted('setCursor');
    assert.ok(cursor && cursor.tick >= 1 && cursor.tick <= 8, `setCursor ${JSON.stringify(cursor)}`);
  });

  await check('clicking a task label reveals where the task was created', async () => {
    await view.clearPosted();
    await page().click('.lane-label[data-lane="task:4"]');
    await view.frame();
    assert.deepEqual(await lastPosted('reveal'), { type: 'reveal', line: 32 });
  });

  await check('arrow keys in the timeline move the cursor', async () => {
    await view.send({ type: 'cursor', tick: 4 });
    await view.frame();
    await view.clearPosted();
    await page().focus('#timeline');
    await page().keyboard.press('ArrowRight');
    await page().keyboard.press('ArrowRight');
    await page().keyboard.press('ArrowLeft');
    const ticks = (await view.posted()).filter((m) => m.type === 'setCursor').map((m) => m.tick);
    assert.deepEqual(ticks, [5, 6, 5]);
  });

  await check('dragging the cursor bar posts setCursor', async () => {
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

  await check('toolbar posts commands; axis switch posts axis and applies it', async () => {
    await view.send({ type: 'cursor', tick: 4 });
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

  await check('state survives hide/show (axis), host re-sends everything', async () => {
    const saved = await view.state();
    assert.equal(saved.axis, 'time');
    await view.reopen();
    assert.deepEqual((await view.posted())[0], { type: 'ready' });
    await view.feed(events, { cursor: 8 });
    const checked = await page().$eval('vscode-toolbar-button[data-axis="time"]', (n) => n.checked);
    assert.equal(checked, true);
    assert.equal(await text('#tick-label'), 'Tick 9 of 14');
  });

  await check('reset then the same events again is idempotent', async () => {
    await view.feed(events, { cursor: 8 });
    await view.feed(events, { cursor: 8 });
    assert.equal(await page().$$eval('.lane-label', (n) => n.length), 8);
    assert.equal(await text('#tick-label'), 'Tick 9 of 14');
  });

  await check('program text never becomes markup', async () => {
    const evil = events.map((e) => (e.ev === 'output' ? { ...e, text: '<img src=x onerror=alert(1)><b>bold</b>' } : e.ev === 'task' ? { ...e, label: '<i>x</i>' } : e));
    await view.feed(evil, { cursor: 8 });
    assert.equal(await page().$$eval('#output img, #output b, .lane-label i', (n) => n.length), 0);
    assert.match(await text('#output'), /<b>bold<\/b>/);
  });

  await check('no CSP violations, no page errors', async () => {
    assert.deepEqual(await view.csp(), []);
    assert.deepEqual(view.errors, []);
  });
} finally {
  await view.close();
}

if (failures) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all checks passed');
