// Trace files from someone else: corrupt, truncated, huge (over 1 GB) or hostile .jsonl files give a
// clear message or a bounded partial view, through the reader the extension and the CLI share, and
// the CLI itself.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceModel } from '../../src/core/model';
import { MAX_TRACE_BYTES, MAX_TRACE_EVENTS, readTraceFile } from '../../src/node/traceFile';
import { REPO, scenarioDir, writeScenario } from './helpers';
import { HEADER, HUGE_BYTES, hugeLines, smallEvents, TICK, writeHuge } from './hugeTrace';

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

/** Runs the CLI with a hang guard and returns its output, exit status and peak resident memory. */
function cliWithPeak(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string; peakMB: number; seconds: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, timeout: 10 * 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    let peakKB = 0;
    // VmHWM is the process's own high-water mark; the last reading before it exits is its peak.
    const probe = setInterval(() => {
      try {
        peakKB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? peakKB);
      } catch {
        // Exited.
      }
    }, 50);
    child.on('close', (status) => {
      clearInterval(probe);
      resolve({ status, stdout, stderr, peakMB: peakKB / 1024, seconds: (Date.now() - started) / 1000 });
    });
  });
}

describe('a trace file over 1 GB', function () {
  // A guard against a hang, not a timing assertion: a healthy read takes well under a minute.
  this.timeout(10 * 60_000);
  const path = join(tmpdir(), `loopscope-huge-${process.pid}.jsonl`);
  afterEach(() => rmSync(path, { force: true }));

  it('of small events: stops at the event cap, says so, memory stays bounded (CLI and reader)', async () => {
    const size = writeHuge(path, HUGE_BYTES, smallEvents).bytes;
    const cli = await cliWithPeak(['show', path, '--tick', '3'], tmpdir());
    console.log(`      ${(size / 1e9).toFixed(2)} GB file of ticks and steps: CLI ${cli.seconds.toFixed(0)} s, peak RSS ${cli.peakMB.toFixed(0)} MB`);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stderr, /: only the first 1,000,000 events \(\d+ MB\) are shown: Loopscope reads at most 1,000,000 events or 500 MB of a trace\n$/);
    assert.match(cli.stdout, /^Loop 1, tick 3 of 499999, t=0\.003/);
    assert.ok(cli.peakMB < 1500, `the CLI peaked at ${cli.peakMB.toFixed(0)} MB`);

    // The reader Open Trace uses, into a model, in this process.
    const model = new TraceModel();
    const before = process.memoryUsage().rss;
    let peak = before;
    const probe = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    const read = await readTraceFile(path, (event) => model.apply(event));
    clearInterval(probe);
    const grownMB = (Math.max(peak, process.memoryUsage().rss) - before) / 1e6;
    console.log(`      reader: ${read.events} events, ${(read.bytes / 1e6).toFixed(0)} MB read, RSS grew ${grownMB.toFixed(0)} MB`);
    assert.equal(read.partial, true);
    assert.equal(read.events, MAX_TRACE_EVENTS);
    assert.ok(read.bytes < size / 4, `stopped early: ${read.bytes} of ${size} bytes read`);
    assert.equal(model.ticks.length, Math.ceil((MAX_TRACE_EVENTS - 3) / 2));
    assert.ok(grownMB < 1500, `RSS grew by ${grownMB.toFixed(0)} MB`);
  });

  it('of a few huge lines: stops at the byte cap, says so, memory stays bounded', async () => {
    const size = writeHuge(path, HUGE_BYTES, hugeLines).bytes;
    const cli = await cliWithPeak(['show', path, '--tick', '1'], tmpdir());
    console.log(`      ${(size / 1e9).toFixed(2)} GB file of 50 MB output lines: CLI ${cli.seconds.toFixed(0)} s, peak RSS ${cli.peakMB.toFixed(0)} MB`);
    assert.equal(cli.status, 0, cli.stderr);
    assert.match(cli.stderr, /: only the first 13 events \(500 MB\) are shown: Loopscope reads at most 1,000,000 events or 500 MB of a trace\n$/);
    assert.match(cli.stdout, /^Loop 1, tick 1 of 1, t=0\.000/);
    assert.ok(cli.peakMB < 1500, `the CLI peaked at ${cli.peakMB.toFixed(0)} MB`);

    const read = await readTraceFile(path, () => undefined);
    assert.equal(read.partial, true);
    assert.equal(read.bytes, MAX_TRACE_BYTES);
    assert.equal(read.events, 4 + Math.floor((MAX_TRACE_BYTES - HEADER.length - 1 - TICK.length) / hugeLines(1).length));
  });
});
