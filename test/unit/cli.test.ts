// The `loopscope` CLI as a user runs it: node dist/cli.js from another folder.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, isAlive, scenarioDir, writeScenario } from './helpers';

const CLI = join(REPO, 'dist', 'cli.js');

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loopscope CLI', function () {
  this.timeout(60000);
  const dir = scenarioDir();
  const kitchen = writeScenario(dir, 'kitchen.py', `
import asyncio, sys

async def boil(minutes):
    await asyncio.sleep(minutes)  # boil-line
    return f"boiled {minutes}"

async def main():
    print("args", sys.argv[1:])
    pasta = asyncio.create_task(boil(5), name="boil_pasta")
    eggs = asyncio.create_task(boil(3), name="boil_eggs")
    print(await pasta, await eggs)

asyncio.run(main())
`);
  const trace = join(dir, 'kitchen.jsonl');

  it('trace --json prints one summary object with the program output, tasks and times', () => {
    const { status, stdout } = cli(['trace', 'kitchen.py', '--json', '--out', 'kitchen.jsonl', '--', 'x', 'y'], dir);
    assert.equal(status, 0);
    const summary = JSON.parse(stdout);
    assert.equal(summary.outcome, 'completed');
    assert.equal(summary.clock, 'virtual');
    assert.equal(summary.exitCode, 0);
    assert.equal(summary.stdout, "args ['x', 'y']\nboiled 5 boiled 3\n");
    assert.equal(summary.loops.length, 1);
    const tasks = summary.tasks.filter((t: { internal: boolean }) => !t.internal);
    assert.deepEqual(tasks.map((t: { name: string }) => t.name), ['Task-1', 'boil_pasta', 'boil_eggs']);
    const pasta = tasks.find((t: { name: string }) => t.name === 'boil_pasta');
    assert.equal(pasta.label, 'boil(5)');
    assert.equal(pasta.state, 'ok');
    assert.ok(Math.abs(pasta.ended - 5) < 0.05, `boil_pasta ended at ${pasta.ended}`);
    assert.equal(summary.malformed, 0);
    const saved = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(saved[0].ev, 'start');
    assert.equal(saved[saved.length - 1].ev, 'end');
    assert.equal(saved.length, summary.events);
  });

  it('trace --clock picks how loop time runs, and names the modes when given another', function () {
    const wrong = cli(['trace', 'kitchen.py', '--clock', 'fast'], dir);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--clock must be virtual, deterministic or real/);
    const quick = writeScenario(dir, 'quick.py', 'import asyncio\nasyncio.run(asyncio.sleep(0.05))\n');
    assert.equal(JSON.parse(cli(['trace', quick, '--json', '--clock', 'real'], dir).stdout).clock, 'real');
    const deterministic = cli(['trace', 'kitchen.py', '--json', '--clock', 'deterministic'], dir);
    // Until the tracer has the mode (protocol 2.1) it refuses it; the flag itself is checked above.
    if (/--clock must be virtual or real/.test(deterministic.stdout + deterministic.stderr)) this.skip();
    const summary = JSON.parse(deterministic.stdout);
    assert.equal(summary.clock, 'deterministic');
    // Loop time moves only when the loop waits: the 5 minutes' sleep ends at exactly 5.
    assert.equal(summary.tasks.find((t: { name: string }) => t.name === 'boil_pasta').ended, 5);
  });

  it('trace passes the program output through and prints a human summary', () => {
    const { status, stdout } = cli(['trace', kitchen], dir);
    assert.equal(status, 0);
    assert.match(stdout, /^args \[\]\nboiled 5 boiled 3\n/);
    assert.match(stdout, /loopscope: completed, exit code 0/);
    assert.match(stdout, /3 tasks: 3 ok/);
  });

  it('trace runs the scenario as given: sys.argv[0] is the path typed, as with python', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'argv0.py'), 'import sys\nprint("argv0", sys.argv[0])\n');
    const { status, stdout } = cli(['trace', join('sub', 'argv0.py')], dir);
    assert.equal(status, 0);
    assert.match(stdout, new RegExp(`^argv0 ${join('sub', 'argv0.py')}\n`));
  });

  it('show --tick describes the state before that tick as the hover would', () => {
    const { status, stdout } = cli(['show', trace, '--time', '4'], dir);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /boil_pasta \(boil\(5\)\): suspended at line 4: .*sleep/);
    assert.match(stdout, /Pending timers:\n {2}t=5\.00\d/);
  });

  it('show without a tick prints one JSON line per tick', () => {
    const { status, stdout } = cli(['show', trace], dir);
    assert.equal(status, 0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.ok(lines.length >= 3);
    assert.deepEqual(lines.map((l) => l.tick), lines.map((_, i) => i + 1));
    assert.ok(lines.every((l) => Array.isArray(l.tasks) && Array.isArray(l.ready)));
  });

  it('lanes draws one row per task', () => {
    const { status, stdout } = cli(['lanes', trace, '--width', '80'], dir);
    assert.equal(status, 0);
    const rows = stdout.split('\n');
    assert.ok(rows.some((r) => r.startsWith('boil(5)') && r.includes('█')), stdout);
    assert.ok(rows.some((r) => r.startsWith('boil(3)') && r.includes('✓')), stdout);
  });

  it('lanes --by time draws a step as long as it held the loop', () => {
    // The toaster holds the loop 700 ms with time.sleep; the kettle's 1 s timer fires after it.
    const blocking = writeScenario(dir, 'toaster.py', `
import asyncio, time

def toast():
    time.sleep(0.7)

async def toaster():
    toast()

async def kettle():
    await asyncio.sleep(1)

async def main():
    await asyncio.gather(kettle(), toaster())

asyncio.run(main())
`);
    const saved = join(dir, 'toaster.jsonl');
    assert.equal(cli(['trace', blocking, '--out', saved, '--json'], dir).status, 0);
    const { status, stdout } = cli(['lanes', saved, '--by', 'time', '--width', '80'], dir);
    assert.equal(status, 0, stdout);
    const row = stdout.split('\n').find((r) => r.startsWith('toaster()'));
    assert.ok(row, stdout);
    const cells = [...row.slice(29)];
    const running = cells.filter((c) => c === '█').length;
    // 0.7 s of a run of about 1 s: most of the row (under load the step only gets longer).
    assert.ok(running >= cells.length / 2, `${running} of ${cells.length} cells running:\n${stdout}`);
  });

  it('export --chrome writes a Trace Event Format file with a track per task', () => {
    const out = join(dir, 'kitchen.trace.json');
    const { status } = cli(['export', trace, '--chrome', out], dir);
    assert.equal(status, 0);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    const names = exported.traceEvents.filter((e: { name: string }) => e.name === 'thread_name').map((e: { args: { name: string } }) => e.args.name);
    assert.ok(names.includes('boil_pasta: boil(5)'), names.join(', '));
    assert.ok(exported.traceEvents.some((e: { name: string; dur: number }) => e.name === 'wait: sleep' && e.dur >= 4_900_000));
  });

  it('exits 2 with a one-line message when nothing can be run', () => {
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    for (const args of [['trace', 'missing.py'], ['trace', 'a-directory'], ['trace', kitchen, '--python', '/no/python'],
      ['trace', kitchen, '--max-ticks', 'lots'], ['frobnicate'], ['show', 'missing.jsonl']]) {
      const { status, stderr } = cli(args, dir);
      assert.equal(status, 2, args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${stderr}`);
      assert.match(stderr, /^loopscope: /);
      assert.doesNotMatch(stderr, /\n\s+at /);
    }
  });

  it('exits 3 when a limit stops the program, and with the program exit code otherwise', () => {
    const forever = writeScenario(dir, 'forever.py', 'import asyncio\nasync def main():\n    while True:\n        await asyncio.sleep(1)\nasyncio.run(main())\n');
    const limited = cli(['trace', forever, '--max-ticks', '50', '--json'], dir);
    assert.equal(limited.status, 3);
    assert.equal(JSON.parse(limited.stdout).limit, 'ticks');
    writeFileSync(join(dir, 'exit7.py'), 'import sys\nprint("bye")\nsys.exit(7)\n');
    assert.equal(cli(['trace', 'exit7.py'], dir).status, 7);
  });

  it('trace | head: when the reader of its output goes away, stops the program, keeps the trace and exits quietly', async () => {
    const chatty = writeScenario(dir, 'chatty.py', `
import asyncio, os

async def main():
    with open("chatty.pid", "w") as f:
        f.write(str(os.getpid()))
    n = 0
    while True:
        n += 1
        print("line", n, flush=True)
        await asyncio.sleep(0.01)

asyncio.run(main())
`);
    const child = spawn(process.execPath, [CLI, 'trace', chatty, '--out', 'chatty.jsonl'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => { stderr += data; });
    // Like `| head -1`: read the first output, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = await once(child, 'exit');
    assert.equal(stderr, '');
    assert.equal(code, 141, 'the status of a pipeline member that SIGPIPE stopped');
    assert.equal(isAlive(Number(readFileSync(join(dir, 'chatty.pid'), 'utf8'))), false, 'the traced program was stopped');
    const saved = readFileSync(join(dir, 'chatty.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(saved[saved.length - 1].ev, 'end');
  });

  it('prints help with examples for each command', () => {
    for (const command of ['trace', 'show', 'lanes', 'export']) {
      const { status, stdout } = cli([command, '--help'], dir);
      assert.equal(status, 0);
      assert.match(stdout, new RegExp(`loopscope ${command}`));
      assert.match(stdout, /Example/);
    }
  });
});
