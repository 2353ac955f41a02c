// Process hygiene: many sessions started and ended every way a user can end them, then no Python
// process, no leaked descriptor, and the extension host's memory back near its baseline.
// `npm test` runs 20 sessions; LOOPSCOPE_SOAK_SESSIONS=200 (npm run soak) runs the full soak.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Visualization } from '../../src/extension/visualization';
import { scenarioDir } from '../unit/helpers';

const SESSIONS = Number(process.env.LOOPSCOPE_SOAK_SESSIONS ?? 20);
const ENDINGS = ['normal end', 'stop mid-run', 'kill', 'timeout', 'panel closed'] as const;

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Live processes (zombies excluded) in the process groups our sessions led. */
function leftInGroups(groups: Set<number>): number[] {
  const left: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && groups.has(Number(fields[2]))) left.push(Number(name));
    } catch {
      // Gone while we looked.
    }
  }
  return left;
}

async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('process hygiene soak', function () {
  this.timeout(SESSIONS * 10_000);
  const dir = scenarioDir();
  const quick = join(dir, 'quick.py');
  const forever = join(dir, 'forever.py');

  before(async () => {
    writeFileSync(quick, 'import asyncio\n\nasync def main():\n    await asyncio.gather(*(asyncio.sleep(i) for i in range(5)))\n\nasyncio.run(main())\n');
    writeFileSync(forever, 'import asyncio, time\n\nasync def main():\n    while True:\n        time.sleep(0.01)\n        await asyncio.sleep(0)\n\nasyncio.run(main())\n');
    await vscode.workspace.getConfiguration('loopscope').update('limits.maxWallSeconds', 1, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('loopscope').update('limits.maxWallSeconds', undefined, vscode.ConfigurationTarget.Global);
  });

  it(`starts and ends ${SESSIONS} sessions and leaves nothing behind`, async () => {
    // Warm up once so lazily loaded modules do not count as growth.
    const warm = await vscode.commands.executeCommand<Visualization>('loopscope.visualize', vscode.Uri.file(quick));
    await warm!.session!.done;
    const baseline = { fds: openDescriptors(), heap: process.memoryUsage().heapUsed };
    const endings = new Map<string, number>();
    const groups = new Set<number>();

    for (let i = 0; i < SESSIONS; i++) {
      const ending = ENDINGS[i % ENDINGS.length];
      const run = await vscode.commands.executeCommand<Visualization>('loopscope.visualize',
        vscode.Uri.file(ending === 'normal end' ? quick : forever));
      assert.ok(run?.session, `session ${i} did not start`);
      groups.add(run.session.pid!);
      if (ending !== 'normal end' && ending !== 'timeout') await until('the first tick', () => run.tickCount > 0);
      if (ending === 'stop mid-run') await vscode.commands.executeCommand('loopscope.stop');
      if (ending === 'kill') run.session.dispose();
      if (ending === 'panel closed') {
        const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
          .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('loopscope.panel'));
        await vscode.window.tabGroups.close(tabs);
      }
      const result = await run.session.done;
      const expected = { 'normal end': 'completed', 'stop mid-run': 'stopped', kill: 'stopped', timeout: 'limit', 'panel closed': 'stopped' }[ending];
      assert.equal(result.outcome, expected, `session ${i} (${ending})`);
      endings.set(ending, (endings.get(ending) ?? 0) + 1);
    }

    await until('every process of every session to be gone', () => leftInGroups(groups).length === 0, 5000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await new Promise((r) => setTimeout(r, 500));
    const fds = openDescriptors();
    assert.ok(fds <= baseline.fds + 3, `descriptors: ${baseline.fds} before, ${fds} after`);
    const grownMB = (process.memoryUsage().heapUsed - baseline.heap) / 1e6;
    assert.ok(grownMB < 40 + SESSIONS * 0.1, `heap grew by ${grownMB.toFixed(1)} MB over ${SESSIONS} sessions`);
    assert.equal(endings.size, Math.min(SESSIONS, ENDINGS.length));
  });
});
