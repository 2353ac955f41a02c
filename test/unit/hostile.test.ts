// Every hostile scenario through the CLI: a clear outcome in the summary JSON, what was recorded
// kept, and no process left behind.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTILE } from '../hostile/matrix';
import { isAlive, REPO } from './helpers';

const CLI = join(REPO, 'dist', 'cli.js');
const DIR = join(REPO, 'test', 'hostile');

describe('hostile scenarios in the CLI', function () {
  this.timeout(180_000);

  for (const scenario of HOSTILE) {
    it(`${scenario.what} (${scenario.file}) ends ${scenario.outcome}`, () => {
      const run = spawnSync(process.execPath, [CLI, 'trace', scenario.file, '--json', '--timeout', String(scenario.timeout ?? 20)],
        { cwd: DIR, encoding: 'utf8', timeout: 170_000, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(run.error, undefined, `the CLI hung or failed to start: ${run.error?.message}`);
      const summary = JSON.parse(run.stdout);
      assert.equal(summary.outcome, scenario.outcome, JSON.stringify({ ...summary, stdout: summary.stdout.slice(0, 200), stderr: summary.stderr.slice(-400), tasks: summary.tasks.length }));
      if (scenario.limit) assert.equal(summary.limit, scenario.limit);
      if (scenario.exitCode !== undefined) assert.equal(run.status, scenario.exitCode);
      if (scenario.error) assert.equal(summary.error?.type, scenario.error);
      if (scenario.stdout) assert.ok(summary.stdout.includes(scenario.stdout), `stdout lacks ${JSON.stringify(scenario.stdout.slice(0, 40))}`);
      if (scenario.minTasks) assert.ok(summary.tasks.length >= scenario.minTasks, `${summary.tasks.length} tasks`);
      if (scenario.blockingAt) {
        const source = readFileSync(join(DIR, scenario.file), 'utf8').split('\n');
        const line = source.findIndex((text) => text.includes(scenario.blockingAt!)) + 1;
        assert.ok(summary.blocking.some((b: { line: number }) => b.line === line), `no blocking step on line ${line}: ${JSON.stringify(summary.blocking)}`);
      }
      if (scenario.outcome !== 'syntax-error' && scenario.outcome !== 'not-runnable') {
        assert.ok(summary.events > 2, 'events recorded before the end are kept');
      }
      if (scenario.file !== 'garbage.py') assert.equal(summary.malformed, 0);
    });
  }

  it('kills a subprocess that outlives the script', () => {
    const run = spawnSync(process.execPath, [CLI, 'trace', 'orphan.py', '--json'], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
    const child = Number(JSON.parse(run.stdout).stdout.trim());
    assert.ok(child > 0);
    assert.equal(isAlive(child), false);
  });

  it('counts garbage written into the event descriptor and keeps the good events', () => {
    const run = spawnSync(process.execPath, [CLI, 'trace', 'garbage.py', '--json'], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.malformed, 2);
    assert.ok(summary.events > 10);
    assert.equal(summary.outcome, 'completed');
    const human = spawnSync(process.execPath, [CLI, 'trace', 'garbage.py'], { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
    assert.match(human.stdout, /2 malformed event lines were skipped/);
  });
});
