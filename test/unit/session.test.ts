// The session's lifecycle against real Python: run to the end, step a paused run, stop, time out,
// crash, and never leave a process behind.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../src/node/session';
import { isAlive, nextEvent, PYTHON, REPO, scenarioDir, startSession, TRACER, writeScenario } from './helpers';

describe('Session', function () {
  this.timeout(30000);
  const dir = scenarioDir();

  const counting = writeScenario(dir, 'counting.py', `
import asyncio

async def count(name, n):
    for i in range(n):
        await asyncio.sleep(0)
    return name

async def main():
    results = await asyncio.gather(count("a", 3), count("b", 3))
    print(results)

asyncio.run(main())
`);

  it('runs a scenario to the end, streams its events into the model and leaves no process', async () => {
    const session = startSession({ scenario: counting });
    const output: string[] = [];
    session.onOutput(({ data }) => output.push(data.toString()));
    const result = await session.done;
    assert.equal(result.outcome, 'completed');
    assert.equal(result.exitCode, 0);
    assert.equal(output.join(''), "['a', 'b']\n");
    const labels = session.model.taskOrder.filter((t) => !t.internal).map((t) => t.label);
    assert.deepEqual(labels, ['main()', "count('a', 3)", "count('b', 3)"]);
    assert.ok(session.model.ticks.length >= 5, `expected several ticks, got ${session.model.ticks.length}`);
    assert.equal(isAlive(session.pid!), false);
  });

  it('pauses before the first tick and runs exactly the ticks it is asked to step', async () => {
    const session = startSession({ scenario: counting, pauseAtStart: true });
    await nextEvent(session, (e) => e.ev === 'pause');
    assert.equal(session.model.ticks.length, 0);
    session.step(1);
    await nextEvent(session, (e) => e.ev === 'pause');
    assert.equal(session.model.ticks.length, 1);
    session.step(3);
    await nextEvent(session, (e) => e.ev === 'pause');
    assert.equal(session.model.ticks.length, 4);
    session.continue();
    const result = await session.done;
    assert.equal(result.outcome, 'completed');
  });

  it('records the event stream as it came, readable while the program is paused and whole once it ended', async () => {
    const recording = join(dir, 'counting.jsonl');
    const session = new Session({ python: PYTHON, cwd: REPO, tracerPath: TRACER, timeoutSeconds: 60, scenario: counting, pauseAtStart: true });
    session.recordTo(recording);
    session.start();
    await nextEvent(session, (e) => e.ev === 'pause');
    await session.recordedSoFar();
    const soFar = readFileSync(recording, 'utf8').trim().split('\n').map((line) => JSON.parse(line).ev);
    assert.deepEqual([soFar[0], soFar.at(-1)], ['start', 'pause']);
    assert.equal(soFar.length, session.decoder.stats.events);
    session.continue();
    await session.recorded();
    const lines = readFileSync(recording, 'utf8').trim().split('\n');
    assert.equal(lines.length, session.decoder.stats.events);
    assert.equal(JSON.parse(lines.at(-1)!).ev, 'end');
  });

  it('stops a program that would run forever, keeping what it recorded', async () => {
    const forever = writeScenario(dir, 'forever.py', `
import asyncio

async def main():
    while True:
        await asyncio.sleep(1)

asyncio.run(main())
`);
    const session = startSession({ scenario: forever, clock: 'real' });
    await nextEvent(session, (e) => e.ev === 'tick' && e.n >= 2);
    const result = await session.stop();
    assert.equal(result.outcome, 'stopped');
    assert.ok(session.model.ticks.length >= 2);
    assert.equal(isAlive(session.pid!), false);
  });

  it('kills the whole process group when the wall-clock timeout passes, subprocesses included', async () => {
    const stuck = writeScenario(dir, 'stuck.py', `
import subprocess, sys
child = subprocess.Popen(["sleep", "300"])
print(child.pid, flush=True)
while True:
    pass
`);
    const session = startSession({ scenario: stuck, timeoutSeconds: 2, limits: { wallSeconds: 600 } });
    let childPid = 0;
    session.onOutput(({ data }) => { childPid = childPid || Number(data.toString().trim()); });
    const result = await session.done;
    assert.equal(result.outcome, 'limit');
    assert.equal(result.limit, 'wall-seconds');
    assert.match(result.message ?? '', /timeout/);
    assert.ok(childPid > 0, 'the scenario printed its child pid');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(isAlive(childPid), false, 'the subprocess was killed with the group');
    assert.equal(isAlive(session.pid!), false);
  });

  it('reports a crash by signal and keeps the events recorded before it', async () => {
    const crash = writeScenario(dir, 'crash.py', `
import asyncio, os, signal

async def main():
    print("about to crash", flush=True)
    await asyncio.sleep(0.5)
    os.kill(os.getpid(), signal.SIGSEGV)

asyncio.run(main())
`);
    const session = startSession({ scenario: crash });
    const result = await session.done;
    assert.equal(result.outcome, 'crashed');
    assert.equal(result.signal, 'SIGSEGV');
    assert.match(result.message ?? '', /SIGSEGV/);
    assert.ok(session.model.ticks.length >= 2, 'ticks before the crash are kept');
    assert.ok(session.model.output.some((o) => o.text === 'about to crash'));
  });

  it('gives the program the interpreter flags, stdio encodings and environment it has when run plainly', async () => {
    // Under the C locale Python's UTF-8 mode makes stdout's errors handler surrogateescape: a
    // file name that is not UTF-8 prints, and the program exits 0. Forcing -X utf8 or
    // PYTHONIOENCODING on it changed that (strict errors: exit 1).
    const environment = writeScenario(dir, 'environment_seen.py', `
import os, sys
print("flags", sys.flags)
print("stdio", [(s.encoding, s.errors) for s in (sys.stdin, sys.stdout, sys.stderr) if s])
print("env", {k: os.environ.get(k) for k in ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONPATH")})
print("argv", sys.argv, "xoptions", sys._xoptions)
print("name", os.fsdecode(b"caf\\xe9.txt"))
`);
    const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
    for (const name of ['LANG', 'LC_CTYPE', 'PYTHONIOENCODING', 'PYTHONUTF8', 'PYTHONPATH']) delete env[name];
    const plain = spawnSync(PYTHON, [environment], { cwd: REPO, env, encoding: 'latin1' });
    const session = startSession({ scenario: environment, env });
    const output: Buffer[] = [];
    session.onOutput(({ stream, data }) => { if (stream === 'stdout') output.push(data); });
    const result = await session.done;
    assert.equal(Buffer.concat(output).toString('latin1'), plain.stdout);
    assert.equal(result.exitCode, plain.status);
    assert.equal(plain.status, 0, plain.stderr);
  });

  it('says clearly when the interpreter cannot be started', async () => {
    const session = startSession({ scenario: counting, python: '/nonexistent/python3' });
    const result = await session.done;
    assert.equal(result.outcome, 'not-runnable');
    assert.match(result.message ?? '', /Could not start \/nonexistent\/python3/);
  });
});
