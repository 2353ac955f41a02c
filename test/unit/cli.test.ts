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
    // The virtual clock: the sleep takes no real time, the program's own (and, on a busy machine,
    // slowed) work does; the deterministic clock's exact 5 is checked below.
    assert.ok(pasta.ended >= 5 && pasta.ended < 5.5, `boil_pasta ended at ${pasta.ended}`);
    assert.equal(summary.malformed, 0);
    const saved = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(saved[0].ev, 'start');
    assert.equal(saved[saved.length - 1].ev, 'end');
    assert.equal(saved.length, summary.events);
  });

  it('trace --clock picks how loop time runs, and names the modes when given another', () => {
    const wrong = cli(['trace', 'kitchen.py', '--clock', 'fast'], dir);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--clock must be virtual, deterministic or real/);
    const quick = writeScenario(dir, 'quick.py', 'import asyncio\nasyncio.run(asyncio.sleep(0.05))\n');
    assert.equal(JSON.parse(cli(['trace', quick, '--json', '--clock', 'real'], dir).stdout).clock, 'real');
    const deterministic = cli(['trace', 'kitchen.py', '--json', '--clock', 'deterministic'], dir);
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

  it('show --tick describes the loop just after that tick, as the panel and the hover do', () => {
    const { status, stdout } = cli(['show', trace, '--time', '4'], dir);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /boil_pasta \(boil\(5\)\): suspended at line 4: .*sleep/);
    // (The virtual clock counts the program's own time: the 5 s timer is due a little after t=5.)
    assert.match(stdout, /Pending timers:\n {2}t=5\.\d{3} /);
    // Tick 1 ran main() to its first await: main is suspended there, the boils wait for tick 2.
    const first = cli(['show', trace, '--tick', '1'], dir).stdout;
    assert.match(first, /^Loop 1, after tick 1 of \d+, t=0\.\d{3}\n/);
    assert.match(first, /\n {2}main\(\): suspended at line 11: /);
    assert.match(first, /\nReady queue for tick 2 \(runs in this order\):\n {2}1\. step boil_pasta\n {2}2\. step boil_eggs\n/);
    assert.match(first, /\nRan in tick 1:\n {2}main\(\): line 7 → line 11\n/);
    const json = JSON.parse(cli(['show', trace, '--tick', '1', '--json'], dir).stdout);
    assert.deepEqual([json.tick, json.moment, json.next, json.ready.map((r: { name: string }) => r.name)], [1, 'after', 2, ['boil_pasta', 'boil_eggs']]);
  });

  it('show names the file of every line that is not in the scenario', () => {
    writeScenario(dir, 'helper.py', `
import asyncio


async def nap(seconds):
    await asyncio.sleep(seconds)  # napping
`);
    const napper = writeScenario(dir, 'napper.py', `
import asyncio
from helper import nap


async def main():
    await nap(1)


asyncio.run(main())
`);
    const saved = join(dir, 'napper.jsonl');
    assert.equal(cli(['trace', napper, '--out', saved, '--json'], dir).status, 0);
    const first = cli(['show', saved, '--tick', '1'], dir).stdout;
    assert.match(first, /\n {2}main\(\): suspended at helper\.py:5: asyncio\.sleep\(1\)/);
    assert.match(first, /\nRan in tick 1:\n {2}main\(\): line 5 → helper\.py:5\n/);
    // The tick main resumes in: from the helper's line, to its end.
    const ticks = cli(['show', saved], dir).stdout.trim().split('\n').map((line) => JSON.parse(line));
    const last = ticks.find((tick) => tick.ran.some((ran: { to: number | null; task: number }) => ran.task === 1 && ran.to === null));
    assert.deepEqual(last.ran.find((ran: { task: number }) => ran.task === 1), { task: 1, from: 5, fromFile: join(dir, 'helper.py'), to: null, file: null,
      duration: last.ran.find((ran: { task: number }) => ran.task === 1).duration });
    const resumed = cli(['show', saved, '--tick', String(last.tick)], dir).stdout;
    assert.match(resumed, /\n {2}main\(\): helper\.py:5 → finished\n/, resumed);
  });

  it('show says which library a task belongs to and where a wait goes on inside a library (protocol 2.1)', () => {
    const lib = '/venv/lib/python3.12/site-packages/weblib/client.py';
    const events = [
      { ev: 'start', protocol: 2, minor: 1, python: '3.12.0', clock: 'virtual', scenario: join(dir, 'app.py') },
      { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 },
      { ev: 'task', task: 1, loop: 1, name: 'Task-1', coro: 'main', label: 'main()', parent: null, line: 9, internal: false, t: 0, wall: 0 },
      { ev: 'tick', loop: 1, n: 1, t: 0, wall: 0, waited: 0, jump: 0, ready: [1] },
      { ev: 'task', task: 2, loop: 1, name: 'Task-2', coro: 'Pool._keepalive', label: '_keepalive()', parent: 1, line: 5,
        internal: false, lib: 'weblib', t: 0, wall: 0 },
      { ev: 'step', task: 1, t: 0, dur: 0.001, from: 4, to: 6, q: 0,
        reason: { kind: 'io_read', text: 'waiting to read from 10.0.0.1:80', via: { lib: 'weblib', fn: 'Response.read', line: 88, file: lib } } },
      { ev: 'tick', loop: 1, n: 2, t: 0, wall: 0, waited: 0, jump: 0, ready: [2] },
      { ev: 'step', task: 2, t: 0, dur: 0.001, from: null, to: null, q: 0,
        reason: { kind: 'sleep', delay: 30, wake: 30, text: 'asyncio.sleep(30)', via: { lib: 'weblib', fn: 'Pool._keepalive', line: 120, file: lib } } },
      { ev: 'tick', loop: 1, n: 3, t: 0, wall: 0, waited: 0, jump: 0, ready: [] },
    ];
    const saved = join(dir, 'library.jsonl');
    writeFileSync(saved, events.map((event) => JSON.stringify(event)).join('\n') + '\n');
    const { status, stdout } = cli(['show', saved, '--tick', '2'], dir);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /\n {2}main\(\): suspended at line 6: waiting to read from 10\.0\.0\.1:80, inside weblib's Response\.read \(weblib\/client\.py:88\)\n/);
    assert.match(stdout, /\n {2}_keepalive\(\) \(a task of weblib\): suspended: asyncio\.sleep\(30\), inside weblib's Pool\._keepalive \(weblib\/client\.py:120\)\n/);
    assert.match(stdout, /\nRan in tick 2:\n {2}_keepalive\(\): library code → a wait in library code\n/);
    const lanes = cli(['lanes', saved, '--width', '60'], dir).stdout;
    assert.match(lanes, /\nweblib · 1 task {16}/, lanes);
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
    // Named as every view names them: by their name=.
    assert.ok(rows.some((r) => r.startsWith('boil_pasta ') && r.includes('█')), stdout);
    assert.ok(rows.some((r) => r.startsWith('boil_eggs ') && r.includes('✓')), stdout);
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
    assert.ok(names.includes('boil_pasta (boil(5))'), names.join(', '));
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
