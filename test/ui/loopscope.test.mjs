// What a user sees, in the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3, driven in
// headless chromium): the Loopscope panel, the status bar, editor decorations and hovers, stepping,
// lane clicks, blocking, themes, a narrow panel, the webview's lockdown against program text, and the
// learning path: the walkthrough, Open Example... and the panel's "Explain this tick".
// One code-server and one page for the whole file; the tests run in order and each one brings the
// workbench to the state it needs (visualize() reuses a run that is already shown).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from '../harness/codeServer.mjs';
import { ROOT, EXAMPLES, FIXTURES, Workbench, assertIncludes, until } from './workbench.mjs';

const PYTHON = execFileSync('python3', ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();

// gather.py (examples/): line 14 is `await asyncio.sleep(seconds)` in download(), line 23 is
// main's `await asyncio.gather(...)` of part 1. Its trace has 30 ticks on the virtual clock.
const GATHER_SLEEP_LINE = 14;
const GATHER_LINE = 23;
const DOWNLOADS = ["download('cat.jpg', 1)", "download('virus.exe', 2)", "download('song.mp3', 3)"];

describe('Loopscope in the real workbench', function () {
  this.timeout(90_000);
  /** @type {Workbench} */
  let wb;

  before(async function () {
    this.timeout(120_000);
    wb = await Workbench.start({ name: 'ui' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.shot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 80)}`, { park: false }).catch(() => {});
      // Leave no picker or input box open for the next test.
      if (await wb.quickInput.isVisible().catch(() => false)) await wb.page.keyboard.press('Escape');
    }
  });

  after(() => cleanup());

  /** Where the page's error list stood when the test began: a test fails on the panel's errors. */
  let errorMark = 0;
  beforeEach(() => { errorMark = wb?.pageErrors.length ?? 0; });

  /** A test that also fails when the panel's script threw (uncaught) while it ran. */
  function check(title, fn) {
    return it(title, async function () {
      await fn.call(this);
      assertPanelOk('during the test');
    });
  }

  /** The panel's script threw nothing (uncaught) since the test began. */
  function assertPanelOk(when = '') {
    const errors = wb.panelErrors(errorMark);
    assert.equal(errors.length, 0, `the Loopscope panel threw ${when}:\n${errors.join('\n---\n')}`);
  }

  /** Opens `file` (Ctrl+P) and runs Visualize Loop from the palette, unless the panel shows it already. */
  async function visualize(file, { outcome = /completed/, open = () => wb.quickOpen(file), segments = true } = {}) {
    const shown = await wb.webview.locator('#header .scenario').innerText({ timeout: 500 }).catch(() => '');
    if (shown.trim() === file && await wb.statusTick()) {
      await wb.page.locator(`.tab[data-resource-name="${file}"]`).first().click();
      await wb.waitForEditor(file);
      return;
    }
    await open();
    await wb.palette('Loopscope: Visualize Loop');
    await wb.waitForRun(file, outcome);
    await wb.waitStatus(/^Loop: after tick \d+\/\d+/);
    // The lanes are drawn (or the panel threw while drawing them).
    const drawn = await until(async () => wb.panelErrors(errorMark).length > 0 || (await drawnSegments()).length > 0,
      { message: 'lane segments', timeout: 10_000 }).catch(() => false);
    assertPanelOk(`while showing ${file}`);
    if (segments) assert.ok(drawn, `the panel drew no lane segments for ${file}`);
  }

  /**
   * The segments the panel drew on its lanes' canvases (pixels, not elements): lane, kind, classes,
   * text and box, in the panel's frame, as its hover and clicks find them.
   */
  function drawnSegments() {
    return wb.webview.locator('body').evaluate(() => window.__loopscope?.timeline.drawnSegments() ?? []);
  }

  /** The `nth` drawn segment of `kind` in lane `lane`, with the box of its lane's canvas in the panel's frame. */
  async function segment(lane, kind, nth = 0) {
    const seg = (await drawnSegments()).filter((s) => s.lane === lane && s.kind === kind)[nth];
    assert.ok(seg, `no ${kind} segment drawn in ${lane}`);
    return seg;
  }

  /**
   * Clicks a drawn lane segment where the tick cursor's drag handle (about 20 px around the cursor
   * bar, on top of the items) is not: a click there grabs the cursor instead.
   */
  async function clickSegment(seg) {
    const canvas = wb.webview.locator('canvas.lane-canvas');
    // The canvas's box in the panel's frame, and in the page (where the mouse is).
    const inFrame = await canvas.evaluate((node) => {
      const r = node.getBoundingClientRect();
      const bar = document.querySelector('.vis-custom-time')?.getBoundingClientRect();
      return { left: r.left, top: r.top, width: r.width, bar: bar && bar.left + bar.width / 2 };
    });
    const inPage = await canvas.boundingBox();
    const k = inPage.width / inFrame.width;
    const candidates = [0.5, 0.25, 0.75, 0.1, 0.9].map((f) => seg.left + (seg.right - seg.left) * f);
    const x = candidates.find((at) => inFrame.bar === undefined || Math.abs(at - inFrame.bar) > 16);
    assert.ok(x !== undefined, 'a point of the segment away from the tick cursor');
    await wb.page.mouse.click(inPage.x + (x - inFrame.left) * k, inPage.y + ((seg.top + seg.bottom) / 2 - inFrame.top) * k);
  }

  /** Focuses the editor of `file` (click on its tab) and puts the cursor on line 1. */
  async function editorToTop(file) {
    await wb.page.locator(`.tab[data-resource-name="${file}"]`).first().click();
    await wb.waitForEditor(file);
    await wb.goToLine(1);
  }

  /** Waits until the after-line text of `line` matches `expected` (string or RegExp) and returns it. */
  async function waitAfter(line, expected) {
    let seen;
    try {
      return await until(async () => {
        const text = seen = await wb.afterText(line);
        if (text === null) return false;
        const ok = expected instanceof RegExp ? expected.test(text) : text === expected;
        return ok ? text || '(none)' : false;
      }, { message: `line ${line} to read ${expected}` });
    } catch (error) {
      error.message += `; line ${line} read ${JSON.stringify(seen)}`;
      throw error;
    }
  }

  describe('a concurrent example (examples/gather.py)', () => {
    check('Visualize Loop from the palette shows one lane per task, the Python version and the outcome', async () => {
      await wb.quickOpen('gather.py');
      await wb.palette('Loopscope: Visualize Loop');
      const run = await wb.waitForRun('gather.py');
      assert.equal(run.outcome, 'completed');

      // The lanes are drawn in the frame after the outcome arrives.
      const labels = await until(async () => {
        const found = await wb.laneLabels();
        return found.length >= 8 && found;
      }, { message: 'eight lanes' });
      assert.deepEqual(labels.map((l) => l.name), ['Loop 1', 'main()', ...DOWNLOADS, ...DOWNLOADS],
        'lanes: the loop, main, then the three downloads of each gather in creation order');
      assert.deepEqual(labels.slice(1).map((l) => l.lane), ['task:1', 'task:2', 'task:3', 'task:4', 'task:5', 'task:6', 'task:7']);
      // Each task lane ends in its done marker: ✓, or ✗ for the two virus.exe downloads that raised.
      const markers = await until(async () => {
        if (wb.panelErrors(errorMark).length) return {}; // reported just below
        const found = Object.fromEntries((await drawnSegments()).filter((s) => s.kind === 'done')
          .map((s) => [s.lane, `${s.cls.split(' ').find((c) => c.startsWith('marker-'))} ${s.text.trim()}`]));
        return Object.keys(found).length >= 7 && found;
      }, { message: 'seven done markers' });
      assertPanelOk('while drawing gather.py');
      const ok = 'marker-ok ✓';
      const raised = 'marker-exception ✗';
      assert.deepEqual(markers, {
        'task:1': ok, 'task:2': ok, 'task:3': raised, 'task:4': ok, 'task:5': ok, 'task:6': raised, 'task:7': ok,
      });

      const header = wb.webview.locator('#header');
      assert.equal((await header.locator('.scenario').innerText()).trim(), 'gather.py');
      assert.equal((await wb.webview.locator('#python-version').innerText()).trim(), `Python ${PYTHON}`);
      assert.equal((await wb.webview.locator('#clock').innerText()).trim(), 'virtual clock · record');
      assert.equal((await wb.webview.locator('#outcome').innerText()).trim(), 'completed');
      assert.match(await wb.webview.locator('#outcome').getAttribute('class'), /outcome-completed/);

      // Record mode: the cursor starts at the first tick; status bar and panel agree on the count.
      const status = await wb.waitStatus(/^Loop: after tick 1\/\d+ · t=\d+\.\d{3}s$/);
      const total = Number(/\/(\d+)/.exec(status)[1]);
      assert.equal(total, 30, `gather.py runs 30 ticks (status: ${status})`);
      assert.equal(await wb.tickLabel(), `After tick 1 of ${total}`);
      // After the first tick main waits in gather; the downloads it created have not started yet.
      assert.equal(await wb.afterText(GATHER_LINE), '⏸ main · gather 0/3 done');
      assert.equal(await wb.afterText(GATHER_SLEEP_LINE), '');
    });

    check('Step Tick Forward / Back (palette and Ctrl+Alt+. / Ctrl+Alt+,) move the status bar, the panel and the await line decoration', async () => {
      await visualize('gather.py');
      await wb.goToTick(3);
      // After tick 3: cat.jpg's timer fired (it is ready), virus.exe and song.mp3 sleep, main waits in gather.
      const before = await waitAfter(GATHER_SLEEP_LINE, '⏸ 3 tasks: download ×3');
      assert.equal(await wb.afterText(GATHER_LINE), '⏸ main · gather 0/3 done');
      const statusBefore = await wb.statusTick();
      assert.match(statusBefore, /^Loop: after tick 3\/30 · t=\d+\.\d{3}s$/);

      await wb.palette('Loopscope: Step Tick Forward');
      const statusAfter = await wb.waitStatus(/^Loop: after tick 4\/30 /);
      await until(async () => /^After tick 4 of 30$/.test(await wb.tickLabel()), { message: 'panel at tick 4 of 30' });
      // Tick 4 ran cat.jpg to its end: two downloads are left sleeping on the line.
      const after = await waitAfter(GATHER_SLEEP_LINE, '⏸ 2 tasks: download ×2');
      assert.notEqual(after, before);

      await wb.palette('Loopscope: Step Tick Back');
      await wb.waitStatus(/^Loop: after tick 3\/30 /);
      assert.equal(await wb.statusTick(), statusBefore, 'status bar text comes back exactly');
      await until(async () => /^After tick 3 of 30$/.test(await wb.tickLabel()), { message: 'panel back at tick 3' });
      assert.equal(await waitAfter(GATHER_SLEEP_LINE, before), before);

      // The keybindings, with the editor focused.
      await wb.page.locator('.tab[data-resource-name="gather.py"]').click();
      await wb.page.keyboard.press('Control+Alt+Period');
      await wb.waitStatus(/^Loop: after tick 4\/30 /);
      assert.equal(await wb.statusTick(), statusAfter);
      await until(async () => /^After tick 4 of 30$/.test(await wb.tickLabel()), { message: 'panel at tick 4 after Ctrl+Alt+.' });
      assert.equal(await waitAfter(GATHER_SLEEP_LINE, after), after);
      await wb.page.keyboard.press('Control+Alt+Comma');
      await wb.waitStatus(/^Loop: after tick 3\/30 /);
      assert.equal(await waitAfter(GATHER_SLEEP_LINE, before), before);
    });

    check('hovering the await line shows what each task waits for and the history of the line', async () => {
      await visualize('gather.py');
      await wb.goToTick(3);
      await waitAfter(GATHER_SLEEP_LINE, /^⏸ 3 tasks/);
      const box = await wb.tokenBox(GATHER_SLEEP_LINE, 'await');
      assert.ok(box, 'the `await` token of line 14 is on screen');
      await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = wb.page.locator('.monaco-hover', { hasText: 'History of this line' });
      await hover.first().waitFor({ state: 'visible' });
      // Fully faded in (for the screenshot).
      await until(() => hover.first().evaluate((n) => n.closest('.monaco-hover')
        .getAnimations({ subtree: true }).every((a) => a.playState !== 'running')), { message: 'the hover to settle' });
      const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
      assertIncludes(text, [
        'Loopscope · after tick 3 · t=',
        "download('cat.jpg', 1) — ready: in the ready queue, runs in tick 4",
        "download('virus.exe', 2) — asyncio.sleep(2): timer fires at t=",
        "download('song.mp3', 3) — asyncio.sleep(3): timer fires at t=",
        'resumes in tick',
        'History of this line: 6 suspensions by 6 tasks',
      ], 'hover');
      // Under the virtual clock the program's own time counts, so the timer fires a little after 1 s.
      assert.match(text, /its timer fired at t=1\.\d{3}, in tick 3/, 'hover');
      // Links are command links, not raw Markdown.
      assert.ok(await hover.first().locator('a', { hasText: 'go to that tick' }).count() >= 1, 'hover has "go to that tick" links');
      await wb.shot('hover', { park: false });
      await wb.page.mouse.move(5, 450);
      await wb.page.keyboard.press('Escape');
      await hover.first().waitFor({ state: 'hidden' });
    });

    check('clicking a lane segment reveals its line in the editor', async () => {
      await visualize('gather.py');
      await wb.goToTick(1);
      // Put the editor cursor somewhere neither click will land.
      await editorToTop('gather.py');

      // main's first suspension: waiting in gather at line 23.
      await clickSegment(await segment('task:1', 'suspended'));
      await until(async () => (await wb.cursorPosition())?.line === GATHER_LINE, { message: `cursor on line ${GATHER_LINE}` });
      assert.deepEqual(await wb.cursorPosition(), { line: GATHER_LINE, col: 1 });
      assert.equal(await wb.page.locator('.editor-group-container.active .tab.active').innerText(), 'gather.py');
      const tick = await wb.statusTick();
      assert.notEqual(tick.split(' · ')[0], 'Loop: after tick 1/30', 'the click also moved the tick cursor into the segment');

      // song.mp3's sleep(3): suspended at line 14.
      const sleep = await segment('task:4', 'suspended');
      assert.match(sleep.text.trim(), /^sleep(\(3\)| 3s)/);
      await clickSegment(sleep);
      await until(async () => (await wb.cursorPosition())?.line === GATHER_SLEEP_LINE, { message: `cursor on line ${GATHER_SLEEP_LINE}` });
      assert.equal(await wb.page.locator('.editor-group-container.active .monaco-editor .line-numbers.active-line-number').first().innerText(),
        String(GATHER_SLEEP_LINE));
    });

    check('screenshots: mid-run in Dark Modern, and the README overview', async () => {
      await visualize('gather.py');
      await wb.goToTick(3);
      await waitAfter(GATHER_SLEEP_LINE, /^⏸ 3 tasks/);
      await editorToTop('gather.py');
      assert.equal(await wb.page.locator('.monaco-workbench.vs-dark').count(), 1, 'the theme is Dark Modern');
      await wb.shot('dark-mid-run');

      // The overview: without the side bar, so the code and the panel share the width.
      await wb.palette('View: Toggle Primary Side Bar Visibility');
      await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      await until(async () => (await wb.panelBox())?.width > 600, { message: 'the panel to widen' });
      await waitAfter(GATHER_SLEEP_LINE, /^⏸ 3 tasks/);
      const path = await wb.shot('overview');
      // The README's picture is replaced only when asked: a test run leaves the work tree as it was.
      if (process.env.LOOPSCOPE_UPDATE_SCREENSHOTS === '1') {
        mkdirSync(join(ROOT, 'media/screenshots'), { recursive: true });
        copyFileSync(path, join(ROOT, 'media/screenshots/overview.png'));
      }
      await wb.palette('View: Toggle Primary Side Bar Visibility');
      await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'visible' });
    });

    for (const [theme, name] of [['Default Light Modern', 'light'], ['Default High Contrast', 'high-contrast']]) {
      check(`screenshot: ${theme}`, async () => {
        await visualize('gather.py');
        try {
          await wb.setTheme(theme);
          // The panel follows the theme: its text colour is the theme's foreground.
          const color = await wb.webview.locator('#header .scenario').evaluate((n) => getComputedStyle(n).color);
          const expected = name === 'light' ? /^rgb\((\d{1,2}), \1, \1\)$/ : /^rgb\(255, 255, 255\)$/;
          assert.match(color, expected, `header text colour in ${theme}`);
          await wb.shot(name);
        } finally {
          await wb.setTheme('Default Dark Modern');
        }
      });
    }

    check('screenshot: the panel about 500 px wide', async () => {
      await visualize('gather.py');
      const viewport = wb.page.viewportSize();
      try {
        // The editor area splits evenly between the code and the panel: size the page to get 500 px.
        let width = viewport.width;
        for (let i = 0; i < 4; i++) {
          const box = await wb.panelBox();
          if (Math.abs(box.width - 500) <= 10) break;
          width = Math.round(width + 2 * (500 - box.width));
          await wb.page.setViewportSize({ width, height: viewport.height });
          await until(async () => Math.abs((await wb.panelBox()).width - box.width) > 1, { message: 'the panel to resize' });
        }
        const box = await wb.panelBox();
        assert.ok(Math.abs(box.width - 500) <= 10, `panel width ${box.width}`);
        // Nothing in the panel is wider than the panel (no horizontal overflow).
        const overflow = await wb.webview.locator('body').evaluate((b) => b.scrollWidth - b.clientWidth);
        assert.ok(overflow <= 1, `the panel scrolls sideways by ${overflow} px`);
        await wb.shot('panel-500', { clip: box });
        await wb.shot('panel-500-workbench');
      } finally {
        await wb.page.setViewportSize(viewport);
      }
    });
  });

  describe('a blocking example (examples/time_sleep_blocks.py)', () => {
    check('at the blocking tick: the ⚠ decoration on time.sleep(1) and the panel\'s blocking view', async () => {
      await visualize('time_sleep_blocks.py');
      // The blocking view (scrolled into view, as its rows are drawn only there) lists the one
      // blocking step, with its line and tick.
      await wb.webview.locator('.section-blocking').scrollIntoViewIfNeeded();
      const entries = wb.webview.locator('#blocking li.entry.blocking');
      await entries.first().waitFor();
      assert.equal(await entries.count(), 1);
      // ... and the user can see it there (on screen, not clipped or covered).
      const onScreen = () => entries.first().evaluate((li) => {
        const r = li.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + 10, r.top + r.height / 2);
        return r.top >= 0 && r.bottom <= innerHeight + 1 && !!hit && li.contains(hit);
      });
      assert.ok(await onScreen(), 'the blocking entry is visible once scrolled to');
      const entry = (await entries.first().innerText()).replace(/\s+/g, ' ').trim();
      assert.match(entry, /^⚠ 1(\.\d+)? s in toaster line 22 · tick (\d+) · toaster\(\)$/);
      assert.equal((await wb.webview.locator('.section-blocking .count').innerText()).trim(), '1');
      assert.match(await wb.webview.locator('.section-blocking').getAttribute('class'), /has-warnings/);
      const n = Number(/tick (\d+)/.exec(entry)[1]);

      // Elsewhere there is no warning on the line.
      assert.doesNotMatch(await wb.afterText(22) ?? '', /⚠/);
      await wb.goToTick(n);
      assert.match(await waitAfter(22, /^⚠ blocked the loop for 1(\.\d+)? s$/), /^⚠ blocked the loop for 1(\.\d+)? s$/);
      // The loop lane shows the blocking bar, and the whole height is shaded.
      const bars = (await drawnSegments()).filter((s) => s.kind === 'blocking');
      assert.equal(bars.length, 1);
      assert.match(bars[0].text.trim(), /^⚠ 1(\.\d+)? s$/);
      assert.ok(await wb.webview.locator('.vis-item.blocking-band').count() >= 1, 'a blocking band behind the lanes');
      // At the blocking tick too, the blocking view can be scrolled to and seen.
      await entries.first().scrollIntoViewIfNeeded();
      await wb.shot('blocking-side-view');
      const layout = await wb.webview.locator('body').evaluate(() => {
        const box = (sel) => { const r = document.querySelector(sel)?.getBoundingClientRect(); return r ? `${Math.round(r.top)}..${Math.round(r.bottom)}` : '-'; };
        return `panel ${innerWidth}x${innerHeight}, document scrolled ${document.scrollingElement.scrollTop} of `
          + `${document.scrollingElement.scrollHeight - innerHeight}; #side ${box('#side')}, #blocking ${box('#blocking')}`;
      });
      assert.ok(await onScreen(), `the blocking entry is visible at the blocking tick (${layout})`);
      // Back to the top of the panel (the header and the lanes), as a user scrolls back up.
      await wb.webview.locator('#header').scrollIntoViewIfNeeded();
      await wb.shot('blocking');
      // One tick later the warning is gone from the line.
      await wb.palette('Loopscope: Step Tick Forward');
      await wb.waitStatus(new RegExp(`^Loop: after tick ${n + 1}/`));
      await waitAfter(22, /^(?!.*⚠)/);
    });
  });

  describe('a program that reads input() (12.5)', () => {
    check('asks in an input box at each prompt, showing the prompt, and the program goes on with the answers', async function () {
      await wb.openPath(join(FIXTURES, 'greeter.py'));
      await wb.palette('Loopscope: Visualize Loop');
      const box = wb.quickInput;
      await until(() => box.isVisible(), { message: 'the input box', timeout: 60_000 });
      for (const [prompt, answer] of [['name? ', 'Ana'], ['age? ', '7']]) {
        await until(async () => (await box.innerText()).includes(`It printed: ${prompt.trim()}`), { message: `the prompt ${prompt}` });
        assert.match(await box.innerText(), /Loopscope: the program waits for input/);
        await box.locator('input').fill(answer);
        await wb.page.keyboard.press('Enter');
        // The box closes; the next prompt may open it again at once (then it shows the next prompt).
        await until(async () => !(await box.isVisible()) || !(await box.innerText().catch(() => '')).includes(`It printed: ${prompt.trim()}`),
          { message: `the answer to ${prompt} taken` });
      }
      await box.waitFor({ state: 'hidden' });
      await wb.waitForRun('greeter.py', /completed/);
      await wb.palette('Loopscope: Continue / Run to End');
      await until(async () => (await wb.webview.locator('#output .out-text').allTextContents()).some((t) => t.endsWith('hello Ana 7')),
        { message: 'the output "hello Ana 7"' });
    });
  });

  describe('a program that reads input() without a prompt', () => {
    check('still asks in an input box, saying that it reads a line, and the program goes on with the answer', async function () {
      await wb.openPath(join(FIXTURES, 'bare_input.py'));
      await wb.palette('Loopscope: Visualize Loop');
      const box = wb.quickInput;
      await until(() => box.isVisible(), { message: 'the input box', timeout: 60_000 });
      await until(async () => (await box.innerText()).includes('It reads a line from standard input.'), { message: 'the box says why it is open' });
      await wb.shot('input-without-prompt');
      await box.locator('input').fill('Bob');
      await wb.page.keyboard.press('Enter');
      await box.waitFor({ state: 'hidden' });
      await wb.waitForRun('bare_input.py', /completed/);
      await wb.palette('Loopscope: Continue / Run to End');
      const texts = async () => wb.webview.locator('#output .out-text').allTextContents();
      await until(async () => (await texts()).some((t) => t.endsWith('hello Bob')), { message: 'the output "hello Bob"' });
      assert.ok(!(await texts()).some((t) => t.trim() === ''), `no empty output row: ${JSON.stringify(await texts())}`);
    });
  });

  describe('webview lockdown', () => {
    const IMG = '<img src=x onerror="window.__pwned=1">';
    const SCRIPT = '<script>window.__pwned=2</script>';
    const SVG = '"><svg onload="window.__pwned=3">';

    check('program text (task names, output, exception) is shown as text and never runs', async () => {
      // (Whether the lanes get drawn is not this test's business.)
      await visualize('payloads.py', { outcome: /exception/, open: () => wb.openPath(join(FIXTURES, 'payloads.py')), segments: false });
      // Go to the last tick: everything printed is in the output view.
      await wb.palette('Loopscope: Continue / Run to End');
      await until(async () => /^After tick (\d+) of \1$/.test(await wb.tickLabel()), { message: 'the last tick' });

      const names = (await wb.laneLabels()).map((l) => l.name);
      // Each task was created with name=: its lane shows that name (12.3).
      assert.deepEqual(names, ['Loop 1', 'main()', IMG, SCRIPT, SVG]);
      const output = await wb.webview.locator('#output .out-text').allTextContents();
      // What it printed, then the traceback Python printed at the end (12.4), its last line the payloads.
      assert.deepEqual(output.slice(0, 4), [IMG, SCRIPT, SVG, 'Traceback (most recent call last):']);
      assert.equal(output.at(-1), `ValueError: ${SVG}${SCRIPT}${IMG}`);
      const error = wb.webview.locator('#header .error-link');
      assert.equal(await error.textContent(), `ValueError: ${SVG}${SCRIPT}${IMG}`);
      assert.equal((await wb.webview.locator('#outcome').innerText()).trim(), 'exception');

      // No element came out of the payloads, and none of them ran.
      const dom = await wb.webview.locator('body').evaluate(() => ({
        pwned: typeof window.__pwned,
        img: document.querySelectorAll('img[src="x"]').length,
        handlers: document.querySelectorAll('[onerror], [onload]').length,
        svg: [...document.querySelectorAll('svg')].filter((s) => s.hasAttribute('onload')).length,
        // The only scripts: VS Code's acquireVsCodeApi shim and the panel's own nonce'd bundle.
        scripts: [...document.querySelectorAll('script')].map((s) => (s.id === '_vscodeApiScript' ? 'vscode-api'
          : s.src && s.nonce && !s.textContent.trim() ? s.src.split('/').pop() : s.outerHTML.slice(0, 80))),
        // Elements inside the panel's own markup that could only have come from program text.
        injected: document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app object').length,
      }));
      assert.deepEqual(dom, { pwned: 'undefined', img: 0, handlers: 0, svg: 0, scripts: ['vscode-api', 'webview.js'], injected: 0 });
      // The workbench page itself (notification with the exception, tab titles) is clean too.
      assert.equal(await wb.page.evaluate(() => typeof window.__pwned), 'undefined');
      assert.equal(await wb.page.locator('img[src="x"], svg[onload]').count(), 0);

      // The webview document's CSP.
      const csp = await wb.webview.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp, /(^|;)\s*default-src 'none'\s*(;|$)/);
      assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      await wb.shot('lockdown');
    });
  });

  describe('the learning path (walkthrough, Open Example..., Explain this tick)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const walkthrough = pkg.contributes.walkthroughs[0];
    /** An example's title, as Open Example... lists it: the first line of its docstring. */
    const titleOf = (name) => /^"""(.*?)\.?\n/.exec(readFileSync(join(EXAMPLES, `${name}.py`), 'utf8'))[1];

    check(`the walkthrough "${walkthrough.title}" shows its steps, and its first step opens an example`, async () => {
      await wb.closeAllEditors();
      // The lockdown test's error notification would cover part of the screenshots.
      await wb.palette('Notifications: Clear All Notifications');
      await wb.openWalkthrough(walkthrough.title);

      const slide = wb.page.locator('.gettingStartedSlideDetails');
      const id = `${pkg.publisher}.${pkg.name}#${walkthrough.id}`;
      await until(async () => (await slide.locator(`.category-title[x-category-title-for="${id}"]`).innerText().catch(() => '')).trim() === walkthrough.title,
        { message: `the walkthrough ${id}` });
      const steps = slide.locator('.getting-started-step');
      assert.deepEqual((await steps.locator('.step-title').allInnerTexts()).map((t) => t.trim()), walkthrough.steps.map((step) => step.title));
      assert.deepEqual(await steps.evaluateAll((nodes) => nodes.map((n) => n.dataset.stepId)),
        walkthrough.steps.map((step) => `${id}#${step.id}`));
      // The first step is open: its text, its button, and its media (Markdown with an image, in a webview).
      const first = steps.first();
      assert.match(await first.getAttribute('class'), /\bexpanded\b/);
      assertIncludes((await first.innerText()).replace(/\s+/g, ' '), ['what happens at await?', 'Open the await example'], 'first step');
      const media = readFileSync(join(ROOT, walkthrough.steps[0].media.markdown), 'utf8');
      const heading = /^# (.*)$/m.exec(media)[1];
      await until(async () => (await wb.webview.locator('h1').innerText().catch(() => '')).trim() === heading,
        { message: `the step's media to show "${heading}"` });
      await until(() => wb.webview.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), { message: "the media's image" });
      await wb.shot('walkthrough');

      // Its button runs Open Example with the await example, and the step counts as done.
      await first.locator('.monaco-button', { hasText: 'Open the await example' }).click();
      await wb.waitForEditor('await_vs_create_task.py');
      await wb.page.locator('.tab', { hasText: 'Walkthrough:' }).click();
      await until(async () => await first.getAttribute('aria-checked') === 'true', { message: 'the first step checked' });
      await wb.closeAllEditors();
    });

    check('Open Example... lists the examples by question, opens the picked one, and the panel explains its ticks', async () => {
      const YIELD_LINE = readFileSync(join(EXAMPLES, 'sleep_zero.py'), 'utf8').split('\n')
        .findIndex((line) => line.includes('# yield: back of the ready queue')) + 1;
      const CHEFS = ["chef('Anna', 3)", "chef('Ben', 2)"];
      await visualize('sleep_zero.py', {
        open: async () => {
          await wb.pickCommand('Loopscope: Open Example...');
          const input = wb.quickInput.locator('input');
          await until(async () => (await input.getAttribute('placeholder'))?.startsWith('Pick a question about asyncio'), { message: 'the example picker' });
          const rows = wb.quickInput.locator('.quick-input-list .monaco-list-row');
          const row = (i) => rows.nth(i).evaluate((n) => [n.querySelector('.label-name')?.textContent, n.querySelector('.label-description')?.textContent]);
          // Listed by question (the docstring's title), the learning path's first example first.
          await until(async () => (await rows.count()) > 0, { message: 'examples in the picker' });
          assert.deepEqual(await row(0), [titleOf('await_vs_create_task'), 'await_vs_create_task.py']);
          await wb.shot('open-example');
          // The file name is matched too.
          await input.fill('sleep_zero');
          await until(async () => (await rows.count()) === 1 && (await row(0))[1] === 'sleep_zero.py', { message: 'only sleep_zero.py left' });
          assert.deepEqual(await row(0), [titleOf('sleep_zero'), 'sleep_zero.py']);
          await wb.page.keyboard.press('Enter');
          await wb.waitForEditor('sleep_zero.py');
        },
      });

      // Tick 3: both chefs yield at sleep(0) and go to the back of the ready queue, in that order;
      // the narration says why they wait for tick 4.
      await wb.goToTick(3);
      const narration = await until(async () => {
        const text = await wb.narration();
        return text.startsWith('Tick 3,') && text;
      }, { message: 'the narration of tick 3' });
      assertIncludes(narration, [
        `Before tick 3, the ready queue held ${CHEFS[0]} and ${CHEFS[1]}; the tick runs them first in, first out.`,
        `${CHEFS[0]} resumed at line ${YIELD_LINE} and yielded there (asyncio.sleep(0)), going to the back of the ready queue, `
          + `behind ${CHEFS[1]}, which had not run yet.`,
        `${CHEFS[1]} resumed at line ${YIELD_LINE} and yielded there`,
        'Printed: “Anna chops onion 2”, “Ben chops onion 2”.',
        `After tick 3: ${CHEFS[0]} and ${CHEFS[1]} yielded: a tick runs only what was in the ready queue when it began, `
          + 'so they run again in tick 4, in the order they yielded.',
      ], 'Explain this tick at tick 3');
      // Without the side bar the panel is wide enough to show the narration whole.
      await wb.palette('View: Toggle Primary Side Bar Visibility');
      await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden' });
      try {
        await until(async () => (await wb.panelBox())?.width > 600, { message: 'the panel to widen' });
        await until(() => wb.webview.locator('#narration').evaluate((n) => n.getBoundingClientRect().bottom <= innerHeight),
          { message: 'the whole narration on screen' });
        await wb.shot('example-narration');
      } finally {
        await wb.palette('View: Toggle Primary Side Bar Visibility');
        await wb.page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'visible' });
      }

      // What it announced for after tick 3 is what the panel shows at the same moment: the header
      // says "After tick 3", and the ready queue is the one for tick 4, in the order the chefs yielded.
      assert.match(await wb.tickLabel(), /^After tick 3 of /);
      // (textContent: the title is upper-cased by CSS.)
      assert.equal((await wb.webview.locator('.section-ready .side-title-text').textContent()).trim(), 'Ready queue for tick 4');
      // The rows are asked from the host as they come into view.
      await until(async () => JSON.stringify(await wb.webview.locator('#ready-queue li.entry .name').allInnerTexts()) === JSON.stringify(CHEFS),
        { message: `the ready queue for tick 4 to list ${CHEFS.join(', ')}` });
      await wb.palette('Loopscope: Step Tick Forward');
      await until(async () => (await wb.tickLabel()).startsWith('After tick 4 of'), { message: 'panel at tick 4' });
      assert.match(await wb.narration(), /^Tick 4,/);

      // asyncio.run's own shutdown ticks at the end are told once, the same at each of them.
      await wb.palette('Loopscope: Continue / Run to End');
      const shutdown = await until(async () => {
        const text = await wb.narration();
        return /^Ticks \d+–\d+, t=[\d.]+: asyncio\.run shutting down, told once for all these ticks\./.test(text) && text;
      }, { message: 'the shutdown told once at the last tick' });
      assertIncludes(shutdown, ['shutdown_asyncgens (asyncio.run closing async generators)'], 'the shutdown');
      await wb.palette('Loopscope: Step Tick Back');
      await until(async () => (await wb.narration()) === shutdown, { message: 'the same story one tick earlier' });
    });
  });
});
