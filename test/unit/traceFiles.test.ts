// Trace files from someone else: corrupt, truncated or hostile .jsonl files give a clear message or
// a bounded partial view, through the reader the extension and the CLI share, and the CLI itself.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceModel } from '../../src/core/model';
import { readTraceFile } from '../../src/core/traceFile';
import { REPO, scenarioDir, writeScenario } from './helpers';

const CLI = join(REPO, 'dist', 'cli.js');

describe('saved trace files', function () {
  this.timeout(60_000);
  const dir = scenarioDir();
  let good: string[] = [];

  before(() => {
    writeScenario(dir, 'cook.py', 'import asyncio\n\nasync def main():\n    await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))\n\nasyncio.run(main())\n');
    const run = spawnSync(process.execPath, [CLI, 'trace', 'cook.py', '--out', 'cook.jsonl', '--json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    good = readFileSync(join(dir, 'cook.jsonl'), 'utf8').trim().split('\n');
  });

  function show(name: string, lines: string[] | string) {
    writeFileSync(join(dir, name), Array.isArray(lines) ? `${lines.join('\n')}\n` : lines);
    return spawnSync(process.execPath, [CLI, 'show', name, '--tick', '1'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  }

  it('skips corrupt lines, says how many, and shows the rest', () => {
    const corrupt = [...good];
    corrupt.splice(3, 0, 'garbage', '{"ev":"tick","loop":"x"}', '\u0000\u0001binary');
    const run = show('corrupt.jsonl', corrupt);
    assert.equal(run.status, 0);
    assert.match(run.stderr, /skipped 3 malformed lines/);
    assert.match(run.stdout, /^Loop 1, tick 1 of \d+/);
  });

  it('reads a truncated file up to where it was cut', () => {
    const text = `${good.join('\n')}\n`;
    const run = show('truncated.jsonl', text.slice(0, Math.floor(text.length * 0.6)));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Loop 1, tick 1 of \d+/);
  });

  it('survives huge numbers, deep nesting and very long strings', () => {
    const hostile = [...good,
      '{"ev":"tick","loop":1,"n":99,"t":1e308,"wall":0,"waited":0,"jump":0,"ready":[null,{"fn":5},[1]]}',
      `{"ev":"output","stream":"stdout","text":"${'A'.repeat(5_000_000)}"}`,
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      '{"ev":"step","task":1,"t":1,"dur":1,"from":1,"to":2,"stack":[["x"]],"reason":7}'];
    const run = show('hostile.jsonl', hostile);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /skipped 1 malformed lines/);
  });

  it('says clearly when a file is not a trace', () => {
    const run = show('notes.jsonl', 'just some text\nnot json\n');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^loopscope: .*is not a Loopscope trace/);
  });

  it('stops at the event cap and reports a partial view', async () => {
    const path = join(dir, 'many.jsonl');
    writeFileSync(path, `${good.join('\n')}\n`);
    const model = new TraceModel();
    let delivered = 0;
    const read = await readTraceFile(path, (event) => {
      delivered++;
      model.apply(event);
    }, 5);
    assert.equal(read.partial, true);
    assert.equal(delivered, 5);
    assert.ok(model.start, 'what was read is usable');
  });
});
