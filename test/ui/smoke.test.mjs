// Drives the real VS Code workbench (code-server + headless chromium) like a user would.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startCodeServer, launchBrowser, waitForWorkbench, cleanup } from '../harness/codeServer.mjs';

const EXAMPLES = join(ROOT, 'examples');
const SHOTS = join(ROOT, 'test-results/screenshots');

describe('Loopscope UI smoke', function () {
  this.timeout(120_000);
  let page;
  const example = readdirSync(EXAMPLES).filter((f) => f.endsWith('.py')).sort()[0];

  const shot = (name) => page?.screenshot({ path: join(SHOTS, `smoke-${name}.png`) }).catch(() => {});

  before(async () => {
    assert.ok(example, `no .py file in ${EXAMPLES}`);
    mkdirSync(SHOTS, { recursive: true });
    const server = await startCodeServer({ name: 'ui-smoke-server', folder: EXAMPLES });
    ({ page } = await launchBrowser({ name: 'ui-smoke-browser' }));
    await page.goto(server.url);
    await waitForWorkbench(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await shot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  after(() => cleanup());

  it(`opens an example with Ctrl+P`, async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(example);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: example }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: example }).waitFor();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    await shot('1-example-open');
  });

  it('runs "Loopscope: Visualize Loop" and shows the Python version', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Loopscope: Visualize Loop');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Loopscope: Visualize Loop' }).first().waitFor();
    await page.keyboard.press('Enter');

    const webview = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const version = webview.getByText(/Python 3\.\d+/).first();
    await version.waitFor({ timeout: 60_000 });
    assert.match(await version.innerText(), /Python 3\.\d+/);
    await page.waitForTimeout(1500); // let the lanes draw, for a screenshot worth looking at
    await shot('2-visualized');
  });
});
