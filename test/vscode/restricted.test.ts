// Runs only in the second, trust-enabled launch of the suite (LOOPSCOPE_VSCODE_TRUST=1), where the
// opened folder is in Restricted Mode: Visualize Loop must refuse, Open Trace must still work.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeTraceFile } from '../../src/node/traceFile';
import type { TraceEvent } from '../../src/protocol/events';
import type { Visualization } from '../../src/extension/visualization';
import { scenarioDir, startSession } from '../unit/helpers';

const restricted = process.env.LOOPSCOPE_VSCODE_TRUST === '1';

(restricted ? describe : describe.skip)('Restricted Mode', function () {
  this.timeout(60_000);
  const dir = scenarioDir();
  const scenario = join(dir, 'untrusted.py');

  before(async () => {
    writeFileSync(scenario, 'import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n\nasyncio.run(main())\n');
    await vscode.extensions.getExtension('loopscope.loopscope')!.activate();
  });

  it('runs in an untrusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses to run a scenario and opens no panel', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(scenario));
    const result = await vscode.commands.executeCommand('loopscope.visualize');
    assert.equal(result, undefined);
    const panels = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('loopscope.panel'));
    assert.equal(panels.length, 0);
  });

  it('still opens a saved trace', async () => {
    // The trace is recorded by the test itself, outside the extension.
    const session = startSession({ scenario });
    const events: TraceEvent[] = [];
    session.onEvent((event) => events.push(event));
    assert.equal((await session.done).outcome, 'completed');
    const saved = join(dir, 'untrusted.jsonl');
    await writeTraceFile(saved, events);
    const replay = await vscode.commands.executeCommand<Visualization>('loopscope.openTrace', vscode.Uri.file(saved));
    assert.ok(replay, 'Open Trace returned nothing');
    assert.equal(replay.info.replay, true);
    assert.ok(replay.tickCount >= 2);
  });
});
