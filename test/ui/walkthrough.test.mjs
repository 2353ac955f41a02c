// The walkthrough in a workbench of its own (fresh profile, so no step is done yet): each step is
// checked once the learner has done its action, whichever way: a CodeLens, a shortcut, the panel's
// buttons, a hover, the palette (issue 12.7).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup } from '../harness/codeServer.mjs';
import { ROOT, EXAMPLES, Workbench, until } from './workbench.mjs';

describe('The walkthrough in a fresh workbench', function () {
  this.timeout(120_000);
  /** @type {Workbench} */
  let wb;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const walkthrough = pkg.contributes.walkthroughs[0];

  before(async function () {
    this.timeout(120_000);
    wb = await Workbench.start({ name: 'walkthrough' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await wb.shot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 80)}`, { park: false }).catch(() => {});
    }
  });

  after(() => cleanup());

  /** The walkthrough's steps and whether each is checked. */
  async function stepStates() {
    await wb.closeAllEditors();
    await wb.openWalkthrough(walkthrough.title);
    const steps = wb.page.locator('.gettingStartedSlideDetails .getting-started-step');
    await until(async () => (await steps.count()) === walkthrough.steps.length, { message: 'the walkthrough steps' });
    return steps.evaluateAll((nodes) => Object.fromEntries(nodes.map((n) => [n.dataset.stepId.split('#').pop(), n.getAttribute('aria-checked') === 'true'])));
  }

  it('checks every step once its action is done, from anywhere: a CodeLens, a shortcut, the panel, a hover, the palette', async () => {
    const none = Object.fromEntries(walkthrough.steps.map((step) => [step.id, false]));
    assert.deepEqual(await stepStates(), none, 'a fresh profile starts with no step done');
    await wb.closeAllEditors();

    const source = readFileSync(join(EXAMPLES, 'time_sleep_blocks.py'), 'utf8').split('\n');
    const kettleLine = source.findIndex((line) => line.includes('the kettle waits')) + 1;
    const blockingLine = source.findIndex((line) => line.includes('time.sleep(1)')) + 1;
    await wb.quickOpen('time_sleep_blocks.py');
    // Visualize Loop from the CodeLens above asyncio.run(main()).
    await wb.page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Visualize Loop' }).first().click();
    await wb.waitForRun('time_sleep_blocks.py');
    await wb.waitStatus(/^Loop: after tick 1\/\d+/);
    // Step Tick Forward with its shortcut in the editor, then with the panel's Step button.
    await wb.page.locator('.tab[data-resource-name="time_sleep_blocks.py"]').click();
    await wb.page.keyboard.press('Control+Alt+Period');
    await wb.waitStatus(/^Loop: after tick 2\//);
    await wb.webview.locator('#toolbar [data-command="stepForward"]').click();
    await wb.waitStatus(/^Loop: after tick 3\//);
    // Hover the kettle's await.
    await wb.page.locator('.tab[data-resource-name="time_sleep_blocks.py"]').click();
    await until(async () => /^⏸ kettle/.test(await wb.afterText(kettleLine) ?? ''), { message: 'the kettle\'s await annotated' });
    const box = await wb.tokenBox(kettleLine, 'await');
    await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await wb.page.locator('.monaco-hover', { hasText: 'Loopscope' }).first().waitFor({ state: 'visible' });
    await wb.page.mouse.move(5, 450);
    await wb.page.keyboard.press('Escape');
    // Go to the tick that blocked, from the panel's blocking view.
    await wb.webview.locator('.section-blocking').scrollIntoViewIfNeeded();
    await wb.webview.locator('#blocking li.entry.blocking button').first().click();
    await until(async () => /^⚠ blocked the loop/.test(await wb.afterText(blockingLine) ?? ''), { message: 'the blocking line annotated' });
    // Open Example... from the palette, picked in its list.
    await wb.pickCommand('Loopscope: Open Example...');
    const input = wb.quickInput.locator('input');
    await until(async () => (await input.getAttribute('placeholder'))?.startsWith('Pick a question about asyncio'), { message: 'the example picker' });
    await input.fill('gather.py');
    await until(async () => (await wb.quickInput.locator('.quick-input-list .monaco-list-row').count()) === 1, { message: 'only gather.py left' });
    await wb.page.keyboard.press('Enter');
    await wb.waitForEditor('gather.py');

    const all = Object.fromEntries(walkthrough.steps.map((step) => [step.id, true]));
    assert.deepEqual(await stepStates(), all);
    await wb.shot('walkthrough-done');
  });
});
