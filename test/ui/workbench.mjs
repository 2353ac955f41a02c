// One real VS Code workbench (code-server + headless chromium) shared by the UI tests, and the few
// user actions they are made of: the command palette, Quick Open, the Loopscope webview (two iframes
// deep), the status bar, editor decorations (CSS ::after text), hovers and screenshots.
// Every wait is for a condition; the only fixed pause is the harness's ~3 s after the workbench loads.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer, launchBrowser, waitForWorkbench } from '../harness/codeServer.mjs';

export { ROOT };
export const EXAMPLES = join(ROOT, 'examples');
export const FIXTURES = join(ROOT, 'test/ui/fixtures');
export const SHOTS = join(ROOT, 'test-results/screenshots');

/** The workbench theme classes on .monaco-workbench, by theme name: [kind, theme]. */
export const THEME_CLASS = {
  'Default Dark Modern': ['vs-dark', 'vscode-theme-defaults-themes-dark_modern-json'],
  'Default Light Modern': ['vs', 'vscode-theme-defaults-themes-light_modern-json'],
  'Default High Contrast': ['hc-black', 'vscode-theme-defaults-themes-hc_black-json'],
};

/** Polls `fn` until it returns a truthy value (returned), or throws with the last value seen. */
export async function until(fn, { timeout = 15_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}; last value: ${JSON.stringify(last)}`
        + (lastError ? `; last error: ${lastError.message}` : ''));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export class Workbench {
  /** Starts code-server on `folder`, opens the workbench in chromium and waits until it takes input. */
  static async start({ name = 'ui', folder = EXAMPLES, settings = {}, viewport = { width: 1400, height: 900 } } = {}) {
    mkdirSync(SHOTS, { recursive: true });
    // Explicit: with no theme setting VS Code web may start in Light Modern (it follows the browser).
    settings = { 'workbench.colorTheme': 'Default Dark Modern', ...settings };
    const server = await startCodeServer({ name: `${name}-server`, folder, settings });
    const { page, consoleLog } = await launchBrowser({ name: `${name}-browser`, viewport });
    const wb = new Workbench(server, page, consoleLog, settings);
    await page.goto(server.url);
    await waitForWorkbench(page);
    // On a busy machine the workbench sometimes stays on a fallback light theme (Light+) although
    // the setting says otherwise; picking the theme once makes it apply.
    await wb.setTheme(settings['workbench.colorTheme']);
    return wb;
  }

  constructor(server, page, consoleLog, settings) {
    this.server = server;
    this.page = page;
    this.consoleLog = consoleLog;
    this.settings = { ...settings };
    /** The Loopscope panel's content document. */
    this.webview = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    /** Uncaught errors of every frame of the page, in order (see panelErrors). */
    this.pageErrors = [];
    page.on('pageerror', (error) => this.pageErrors.push(error));
  }

  /** Uncaught errors thrown by the panel's own script (dist/webview.js), from index `since` on. */
  panelErrors(since = 0) {
    return this.pageErrors.slice(since).filter((e) => /\/dist\/webview\.js/.test(e.stack ?? ''))
      .map((e) => (e.stack ?? String(e)).split('\n').slice(0, 6).join('\n'));
  }

  // ---- quick input -----------------------------------------------------------------------

  get quickInput() { return this.page.locator('.quick-input-widget'); }

  /** Opens the F1 palette on `title` and picks the row whose label is exactly `title`. */
  async pickCommand(title) {
    const { page } = this;
    await page.keyboard.press('F1');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    // The best fuzzy match is not always the exact title: pick the row that is.
    const rows = this.quickInput.locator('.quick-input-list .monaco-list-row');
    const index = await until(async () => {
      const labels = await rows.locator('.label-name').allInnerTexts();
      const i = labels.findIndex((label) => label.trim() === title);
      return i >= 0 ? i + 1 : false;
    }, { message: `"${title}" in the command palette` });
    await rows.nth(index - 1).click();
  }

  /** Runs a command from the F1 palette by its full title, e.g. "Loopscope: Step Tick Forward". */
  async palette(title) {
    await this.pickCommand(title);
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** A palette command that asks for a value in an input box (Go to Tick...). */
  async paletteWithInput(title, value) {
    await this.pickCommand(title);
    const input = this.quickInput.locator('input');
    // The same widget comes back as an input box, prefilled with something other than the command.
    await until(async () => (await this.quickInput.isVisible()) && !(await input.inputValue()).startsWith('>'),
      { message: `the input box of "${title}"` });
    await input.fill(String(value));
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
  }

  /** Closes every editor: the walkthrough's media is a webview too, and `webview` wants only one. */
  async closeAllEditors() {
    // F1 does not reach the workbench while a webview (the walkthrough's media) has the focus.
    const tab = this.page.locator('.editor-group-container.active .tab.active');
    if (await tab.count()) await tab.first().click();
    await this.palette('View: Close All Editors');
    await until(async () => await this.page.locator('iframe.webview').count() === 0, { message: 'no webview left' });
  }

  /** Opens the walkthrough titled `title` with Welcome: Open Walkthrough... */
  async openWalkthrough(title) {
    await this.pickCommand('Welcome: Open Walkthrough...');
    const input = this.quickInput.locator('input');
    await until(async () => (await this.quickInput.isVisible()) && (await input.inputValue()) === '', { message: 'the walkthrough picker' });
    await input.fill(title);
    // Extension walkthroughs join the list once the extension host has registered them.
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: title });
    await row.first().waitFor();
    await row.first().click();
  }

  /** Opens a workspace file with Ctrl+P and waits for its editor. */
  async quickOpen(file) {
    const { page } = this;
    await page.keyboard.press('Control+P');
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(file);
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row.focused .label-name');
    await until(async () => (await row.first().innerText().catch(() => '')).trim() === file,
      { message: `${file} focused in Quick Open` });
    await page.keyboard.press('Enter');
    await this.waitForEditor(file);
  }

  /** Opens any file by absolute path with Ctrl+O (code-server's simple file dialog). */
  async openPath(path) {
    const { page } = this;
    await page.keyboard.press('Control+O');
    const input = this.quickInput.locator('input');
    await until(async () => (await this.quickInput.isVisible()) && (await input.inputValue()).startsWith('/'),
      { message: 'the Open File dialog' });
    // Enter only opens the file once the dialog has listed its folder (with the file in it). The
    // dialog may still be loading its first folder and then resets the box: type the path again.
    const name = path.split('/').pop();
    await until(async () => {
      if ((await input.inputValue()) !== path) {
        await input.fill(path);
        return false;
      }
      const labels = await this.quickInput.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
      return labels.some((label) => label.trim() === name);
    }, { message: `the dialog to list ${path}`, interval: 250 });
    await page.keyboard.press('Enter');
    await this.waitForEditor(path.split('/').pop());
  }

  /** Puts the cursor of the active editor on `line` with Ctrl+G (Go to Line/Column). */
  async goToLine(line) {
    await this.page.keyboard.press('Control+G');
    const input = this.quickInput.locator('input');
    await until(async () => (await this.quickInput.isVisible()) && (await input.inputValue()).startsWith(':'),
      { message: 'the Go to Line box' });
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden' });
    await until(async () => (await this.cursorPosition())?.line === line, { message: `cursor on line ${line}` });
  }

  async waitForEditor(file) {
    await this.page.locator(`.tab.active[data-resource-name="${file}"]`).waitFor();
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
  }

  // ---- status bar and editor -------------------------------------------------------------

  /** The Loopscope status bar item's text, e.g. "Loop: after tick 3/17 · t=3058.810s" (without the icon). */
  async statusTick() {
    const item = this.page.locator('.statusbar-item', { hasText: /Loop( \d+)?: after tick|Loop starting|Loop: no ticks/ });
    if (await item.count() === 0) return undefined;
    return (await item.first().innerText()).replace(/\s+/g, ' ').trim();
  }

  async waitStatus(pattern, message) {
    return until(async () => {
      const text = await this.statusTick();
      return text && pattern.test(text) ? text : false;
    }, { message: message ?? `status bar ${pattern}` });
  }

  /** { line, col } of the cursor, from the status bar's "Ln X, Col Y". */
  async cursorPosition() {
    const text = await this.page.locator('#status\\.editor\\.selection').innerText();
    const m = /Ln (\d+), Col (\d+)/.exec(text);
    return m ? { line: Number(m[1]), col: Number(m[2]) } : undefined;
  }

  /** The active editor (the one in the active group). */
  get editor() { return this.page.locator('.editor-group-container.active .monaco-editor').first(); }

  /**
   * The text of every `after` decoration (CSS ::after content) on 1-based `line` of the editor
   * showing `file`, read from the rendered DOM. The line must be on screen.
   */
  async afterText(line, file) {
    const editor = file
      ? this.page.locator('.editor-group-container', { has: this.page.locator(`.tab.active[data-resource-name="${file}"]`) })
        .locator('.monaco-editor').first()
      : this.editor;
    return editor.evaluate((root, line) => {
      const number = [...root.querySelectorAll('.margin-view-overlays .line-numbers')]
        .find((n) => n.textContent.trim() === String(line));
      if (!number) return null;
      const top = number.closest('[style*="top"]')?.style.top;
      const row = [...root.querySelectorAll('.view-lines .view-line')].find((v) => v.style.top === top);
      if (!row) return null;
      const texts = [];
      for (const span of row.querySelectorAll('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content !== 'normal') {
          texts.push(content.replace(/^"|"$/g, '').replace(/\\(["\\])/g, '$1'));
        }
      }
      return texts.join(' | ');
    }, line);
  }

  /**
   * The screen box of the first code token on 1-based `line` whose text is `token` (or of the
   * line's code when no token is given), for mouse moves. The line must be on screen.
   */
  async tokenBox(line, token) {
    return this.editor.evaluate((root, [line, token]) => {
      const number = [...root.querySelectorAll('.margin-view-overlays .line-numbers')]
        .find((n) => n.textContent.trim() === String(line));
      if (!number) return null;
      const top = number.closest('[style*="top"]')?.style.top;
      const row = [...root.querySelectorAll('.view-lines .view-line')].find((v) => v.style.top === top);
      if (!row) return null;
      const spans = [...row.querySelectorAll('span')].filter((s) => s.children.length === 0);
      const span = token ? spans.find((s) => s.textContent.trim() === token) : row.firstElementChild;
      if (!span) return null;
      const r = span.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, text: span.textContent };
    }, [line, token]);
  }

  // ---- the Loopscope panel ---------------------------------------------------------------

  /** Waits for the panel to show a finished run of `scenario` (the header's outcome chip). */
  async waitForRun(scenario, outcome = /completed|exception/) {
    const header = this.webview.locator('#header');
    await this.webview.locator('#outcome').waitFor({ state: 'visible', timeout: 60_000 });
    return until(async () => {
      const name = (await header.locator('.scenario').innerText()).trim();
      const result = (await this.webview.locator('#outcome').innerText()).trim();
      return name === scenario && outcome.test(result) ? { name, outcome: result } : false;
    }, { timeout: 60_000, message: `the panel to show a finished run of ${scenario}` });
  }

  async laneLabels() {
    return this.webview.locator('.lane-label').evaluateAll((nodes) => nodes.map((n) => ({
      lane: n.dataset.lane, name: n.querySelector('.lane-name')?.textContent ?? '', text: n.textContent,
    })));
  }

  async tickLabel() {
    return (await this.webview.locator('#tick-label').innerText()).trim();
  }

  /** Moves to tick `n` of the current loop with "Loopscope: Go to Tick..." and waits for the status bar and the panel. */
  async goToTick(n) {
    await this.paletteWithInput('Loopscope: Go to Tick...', n);
    await this.waitStatus(new RegExp(`^Loop( \\d+)?: after tick ${n}/`));
    await until(async () => new RegExp(`^(After t|T)ick ${n} of`).test(await this.tickLabel()), { message: `panel at tick ${n}` });
  }

  /** The panel's "Explain this tick" text: one line per paragraph (code spans without their backticks). */
  async narration() {
    return (await this.webview.locator('#narration .narration-line').allInnerTexts()).map((p) => p.trim()).join('\n');
  }

  /** The panel iframe's box in the page (the whole Loopscope webview). */
  async panelBox() {
    return this.page.locator('iframe.webview').boundingBox();
  }

  // ---- themes, layout, screenshots -------------------------------------------------------

  /**
   * Sets workbench.colorTheme the way a user does (Preferences: Color Theme), checks that it landed in
   * the user settings.json the harness wrote, and waits until the workbench and the webview use it.
   * (Writing settings.json from outside is not picked up by code-server's workbench.)
   */
  async setTheme(theme) {
    const [cls, themeClass] = THEME_CLASS[theme];
    const shows = () => this.page.locator('.monaco-workbench').evaluate(
      (n, classes) => classes.every((c) => n.classList.contains(c)), [cls, themeClass]);
    if (!(await shows())) {
      const input = this.quickInput.locator('input');
      const rows = this.quickInput.locator('.quick-input-list .monaco-list-row');
      // Rows are labelled "Light Modern, Default Light Modern": the setting value is the description.
      // The picker lists the themes registered when it opens: on a busy machine that can be before the
      // built-in theme extensions are read, and an open picker never gets them. Reopen it until they are there.
      let seen = [];
      const index = await until(async () => {
        if (!(await this.quickInput.isVisible())) {
          await this.pickCommand('Preferences: Color Theme');
          await until(async () => (await input.inputValue()) === '' && (await this.quickInput.isVisible()),
            { message: 'the color theme picker' });
          await input.fill(theme);
        }
        for (let wait = 0; wait < 30; wait++) {
          const labels = seen = await rows.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
          const i = labels.findIndex((label) => label.endsWith(`, ${theme}`));
          if (i >= 0) return i + 1;
          await new Promise((r) => setTimeout(r, 100));
        }
        await this.page.keyboard.press('Escape');
        await this.quickInput.waitFor({ state: 'hidden' });
        return false;
      }, { message: `${theme} in the color theme picker`, timeout: 60_000 }).catch(async (error) => {
        error.message += `; rows: ${JSON.stringify(seen)}`;
        await this.page.screenshot({ path: join(SHOTS, 'FAILED-theme-picker.png') }).catch(() => {});
        throw error;
      });
      try {
        await rows.nth(index - 1).click();
        await this.quickInput.waitFor({ state: 'hidden' });
      } finally {
        if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
      }
    }
    await until(shows, { message: `workbench theme ${theme}` });
    // VS Code drops a setting equal to its default (Light Modern in this web build, it seems).
    const file = join(this.server.userDataDir, 'User/settings.json');
    const setting = () => JSON.parse(readFileSync(file, 'utf8'))['workbench.colorTheme'];
    await until(() => [theme, undefined].includes(setting()),
      { message: `workbench.colorTheme = ${theme} in ${file}` }).catch((error) => {
      error.message += ` (it is ${JSON.stringify(setting())})`;
      throw error;
    });
    // The webview gets the theme's class on its body too.
    if (await this.page.locator('iframe.webview').count() === 0) return;
    const bodyClass = { vs: 'vscode-light', 'vs-dark': 'vscode-dark', 'hc-black': 'vscode-high-contrast' }[cls];
    await until(() => this.webview.locator('body').evaluate((b, c) => b.classList.contains(c), bodyClass),
      { message: `webview body class ${bodyClass}` });
  }

  /**
   * Moves the mouse to `x` near the bottom of the editor, below the code (no hover, no highlighted
   * button), and waits until the tooltip of what it was on is gone: a button's tooltip (e.g. "More
   * Actions..." after a palette pick above it) stays for a moment and lands in screenshots.
   */
  async parkMouse(x = 600) {
    await this.page.mouse.move(x, this.page.viewportSize().height - 60);
    await until(async () => await this.page.locator('.workbench-hover-container').count() === 0, { message: 'no tooltip on screen' });
  }

  /** Screenshot into test-results/screenshots/<name>.png; `park` moves the mouse off the UI first. */
  async shot(name, { park = true, ...options } = {}) {
    if (park) await this.parkMouse();
    const path = join(SHOTS, `${name}.png`);
    await this.page.screenshot({ path, ...options });
    return path;
  }
}

/** Asserts that `text` contains every one of `parts`. */
export function assertIncludes(text, parts, what) {
  for (const part of parts) assert.ok(String(text).includes(part), `${what}: expected ${JSON.stringify(part)} in ${JSON.stringify(text)}`);
}
