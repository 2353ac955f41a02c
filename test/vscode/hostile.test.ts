// The hostile-scenario matrix through Visualize Loop in the real extension host: the run ends with
// the right outcome, nothing hangs, the panel says what happened, and whatever was recorded can
// still be stepped through.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Visualization } from '../../src/extension/visualization';
import { HOSTILE } from '../hostile/matrix';
import { isAlive, REPO } from '../unit/helpers';

describe('hostile scenarios in the extension', function () {
  this.timeout(60_000);

  before(async () => {
    // reads_input.py reads end of file, as on the command line with no input (not an input box).
    await vscode.workspace.getConfiguration('loopscope').update('input.mode', 'closed', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('loopscope').update('limits.maxWallSeconds', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('loopscope').update('input.mode', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const scenario of HOSTILE.filter((s) => s.inExtension)) {
    it(`${scenario.what} (${scenario.file}): ${scenario.outcome}, nothing hung, history explorable`, async () => {
      // The wall-clock limit only where the scenario is about it: on a busy machine a short one
      // ends the others (a crash, a syntax error) before they get to their own outcome.
      await vscode.workspace.getConfiguration('loopscope').update('limits.maxWallSeconds', scenario.timeout ?? 30, vscode.ConfigurationTarget.Global);
      const file = vscode.Uri.file(join(REPO, 'test', 'hostile', scenario.file));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.One);
      const run = await vscode.commands.executeCommand<Visualization>('loopscope.visualize', file);
      assert.ok(run?.session, 'Visualize Loop started no session');
      const result = await run.session.done;
      assert.equal(result.outcome, scenario.outcome, JSON.stringify(result));
      assert.equal(isAlive(run.session.pid!), false);
      const status = run.status();
      assert.equal(status.running, false);
      // The panel says what went wrong: a message, or the exception (shown as a link to its line).
      if (scenario.outcome !== 'completed') assert.ok(status.message || run.model.end?.error, 'the panel says what went wrong');
      if (run.tickCount >= 2) {
        run.setCursor(0);
        await vscode.commands.executeCommand('loopscope.stepForward');
        assert.equal(run.cursor, 1, 'the recorded ticks can be stepped through');
        await vscode.commands.executeCommand('loopscope.stepBack');
        assert.equal(run.cursor, 0);
      }
    });
  }
});
