#!/usr/bin/env node
// `npm run test:cpython` (issue 11.8): CPython's own asyncio test modules, run plainly and under
// the tracer, in the virtual clock and in real time, compared test by test. A test that passes
// plainly and fails traced is a failure of the run; it is run again alone (plain and traced) to
// tell a tracer failure from machine load, and reported "not reproduced alone" when it passes
// then. Prints a table (module x version x clock) and ends with `[cpython] N passed, N failed`
// (N passed: tests that pass plainly and traced; N failed: confirmed traced-only failures).
// Logs, each run's outcomes and results.json land in test-results/cpython/.
//
//   node scripts/test-cpython.mjs                       3.11 and 3.14, both clocks, every module
//   node scripts/test-cpython.mjs 3.14 virtual test_streams test_locks   only these
//
// Each run is test/cpython/driver.py (one JSON line per test) in its own process group and a
// fresh working folder: `python driver.py` plainly, `python -m loopscope_tracer --events-fd 3
// --clock C driver.py` traced (the tracer's command line, as src/core/session.ts starts it, with
// no limits; the events are read here only to keep the tracer's internal errors). Two runs at a
// time; a test running longer than TEST_TIMEOUT_S ends its process (faulthandler, which dumps
// the stacks) and the run goes on with the tests left; RUN_TIMEOUT_MS bounds one module's run.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPython, root } from './pythons.mjs';

const MODULES = [
  'test_tasks', 'test_queues', 'test_locks', 'test_taskgroups', 'test_timeouts', 'test_waitfor',
  'test_futures', 'test_pep492', 'test_runners', 'test_streams', 'test_subprocess',
  'test_sock_lowlevel', 'test_events', 'test_base_events',
];
const DEFAULT_VERSIONS = ['3.11', '3.14'];
const CLOCKS = ['virtual', 'real'];
const PARALLEL = 2;
const TEST_TIMEOUT_S = 30;
const RUN_TIMEOUT_MS = 30 * 60 * 1000;
const DRIVER = join(root, 'test', 'cpython', 'driver.py');
const TRACER_PATH = join(root, 'src', 'tracer');
const OUT_DIR = join(root, 'test-results', 'cpython');

const args = process.argv.slice(2);
const pick = (test, all) => (args.some(test) ? args.filter(test) : all);
const versions = pick((a) => /^3\.\d+$/.test(a), DEFAULT_VERSIONS);
const clocks = pick((a) => CLOCKS.includes(a), CLOCKS);
const modules = pick((a) => a.startsWith('test_'), MODULES);
const unknown = args.filter((a) => !/^3\.\d+$/.test(a) && !CLOCKS.includes(a) && !a.startsWith('test_'));
if (unknown.length) {
  console.error(`test-cpython: unknown arguments ${unknown.join(' ')} (versions like 3.11, virtual|real, test_* modules)`);
  process.exit(2);
}

const running = new Map(); // pid -> its working folder
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const [pid, cwd] of running) {
      killGroup(pid);
      rmSync(cwd, { recursive: true, force: true });
    }
    process.exit(130);
  });
}

function killGroup(pid) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** One driver process over `names`; resolves when it has exited and its group is gone. */
function runDriver({ exe, clock }, names, outFile, logFile, deadline, internalErrors) {
  const command = clock
    ? [exe, '-m', 'loopscope_tracer', '--events-fd', '3', '--clock', clock, '--max-ticks', '0',
      '--max-virtual-seconds', '0', '--max-wall-seconds', '0', '--max-events', '0', '--']
    : [exe];
  command.push(DRIVER, '--out', outFile, '--test-timeout', String(TEST_TIMEOUT_S), ...names);
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  for (const name of ['PYTHONPATH', 'PYTHONASYNCIODEBUG', 'PYTHONWARNINGS', 'PYTHONDEVMODE']) delete env[name];
  if (clock) env.PYTHONPATH = TRACER_PATH;
  const cwd = mkdtempSync(join(tmpdir(), 'loopscope-cpython-'));
  const log = openSync(logFile, 'a');
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), {
      cwd, env, detached: true, stdio: ['ignore', log, log, clock ? 'pipe' : 'ignore'],
    });
    running.set(child.pid, cwd);
    let partial = '';
    child.stdio[3]?.on('data', (data) => {
      // Only the tracer's own errors are kept (counted by place and message, with a first
      // example): a traced-only failure may come from one.
      const lines = (partial + data.toString('utf8')).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (!line.includes('"ev":"internal_error"')) continue;
        let event;
        try { event = JSON.parse(line); } catch { continue; }
        const key = `${event.where}: ${event.message}`;
        const seen = internalErrors.get(key) ?? { count: 0, traceback: event.traceback };
        seen.count++;
        internalErrors.set(key, seen);
      }
    });
    let killed = false;
    const timer = setTimeout(() => { killed = true; killGroup(child.pid); }, Math.max(0, deadline - Date.now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(child.pid); // whatever the tests started and left behind
      running.delete(child.pid);
      closeSync(log);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal, killed });
    });
  });
}

function readOutcomes(outFile) {
  const ids = [];
  const outcomes = new Map();
  let started = null;
  if (!existsSync(outFile)) return { ids, outcomes, started };
  for (const line of readFileSync(outFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let record;
    try { record = JSON.parse(line); } catch { continue; } // a line cut short by a kill
    if (record.ids) { if (ids.length === 0) ids.push(...record.ids); } else if (record.start) started = record.id;
    else {
      outcomes.set(record.id, { outcome: record.outcome, detail: record.detail, secs: record.secs });
      if (record.id === started) started = null;
    }
  }
  return { ids, outcomes, started };
}

/**
 * Runs `names` (a module, or test ids) in one mode until every test has an outcome: a test that
 * hangs or kills its process gets the outcome "hung" or "crashed" and the run resumes after it.
 */
async function runMode(mode, names, label) {
  const outFile = join(OUT_DIR, `${label}.jsonl`);
  const logFile = join(OUT_DIR, `${label}.log`);
  rmSync(outFile, { force: true });
  writeFileSync(logFile, '');
  const internalErrors = new Map();
  const started = Date.now();
  const deadline = started + RUN_TIMEOUT_MS;
  let todo = names;
  for (;;) {
    const exit = await runDriver(mode, todo, outFile, logFile, deadline, internalErrors);
    const { ids, outcomes, started: unfinished } = readOutcomes(outFile);
    if (unfinished === null) break; // it ended between tests: whatever has no outcome did not run
    const hang = existsSync(`${outFile}.hang`) ? readFileSync(`${outFile}.hang`, 'utf8') : '';
    const outcome = exit.killed ? 'killed' : hang ? 'hung' : 'crashed';
    const detail = exit.killed ? `the module's run passed ${RUN_TIMEOUT_MS / 60000} min and was killed`
      : hang ? `still running after ${TEST_TIMEOUT_S} s; stacks:\n${hang}`
        : `the process ended during this test (exit code ${exit.code}, signal ${exit.signal}); see ${logFile}`;
    appendFileSync(outFile, `${JSON.stringify({ id: unfinished, outcome, detail })}\n`);
    outcomes.set(unfinished, { outcome, detail });
    todo = ids.filter((id) => !outcomes.has(id));
    if (exit.killed || todo.length === 0) break;
  }
  const { ids, outcomes } = readOutcomes(outFile);
  return { ids, outcomes, secs: (Date.now() - started) / 1000, internalErrors };
}

/** Runs jobs (functions returning promises) PARALLEL at a time, in order. */
async function pool(jobs) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, worker));
  return results;
}

const passes = (result, id) => result.outcomes.get(id)?.outcome === 'pass';
/** The exception line of a traceback (the last one: the error the test ended with), else the first line. */
function headline(detail) {
  const lines = (detail ?? '').split('\n');
  const errors = lines.filter((l) => /^[A-Za-z_][\w.]*(Error|Exception|Exit|Failure|Interrupt|Cancelled\w*)\b/.test(l));
  return (errors.pop() ?? lines[0]).slice(0, 300);
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  const startedAll = Date.now();
  const targets = [];
  const skipped = [];
  for (const version of versions) {
    const exe = findPython(version);
    const hasTests = exe && spawnSync(exe, ['-c', 'import test.test_asyncio'], { stdio: 'ignore' }).status === 0;
    if (hasTests) targets.push({ version, exe });
    else skipped.push(`${version} (${exe ? 'no CPython test package' : 'not installed'})`);
  }
  const runs = [];
  for (const module of modules) {
    for (const { version, exe } of targets) {
      const name = `test.test_asyncio.${module}`;
      runs.push({ module, version, clock: null, go: () => runMode({ exe }, [name], `${version}-${module}-plain`) });
      for (const clock of clocks) {
        runs.push({ module, version, clock, go: () => runMode({ exe, clock }, [name], `${version}-${module}-${clock}`) });
      }
    }
  }
  const results = await pool(runs.map((run) => async () => {
    const result = await run.go();
    console.log(`  ran ${run.version} ${run.module} ${run.clock ?? 'plain'} in ${result.secs.toFixed(0)} s`);
    return result;
  }));
  runs.forEach((run, i) => { run.result = results[i]; });

  // Traced-only failures, then each run again alone (plain and traced) to confirm it.
  const rows = [];
  for (const traced of runs.filter((run) => run.clock)) {
    const plain = runs.find((run) => !run.clock && run.module === traced.module && run.version === traced.version);
    const passedPlain = plain.result.ids.filter((id) => passes(plain.result, id));
    const suspects = passedPlain.filter((id) => !passes(traced.result, id));
    rows.push({ traced, plain, passedPlain, suspects, failures: [], flaky: [] });
  }
  await pool(rows.filter((row) => row.suspects.length).map((row) => async () => {
    const { module, version, clock } = row.traced;
    const exe = targets.find((t) => t.version === version).exe;
    console.log(`  running again alone, traced and plain: ${row.suspects.length} traced-only failures of ${version} ${module} ${clock}`);
    const again = await runMode({ exe, clock }, row.suspects, `${version}-${module}-${clock}-again`);
    const againPlain = await runMode({ exe }, row.suspects, `${version}-${module}-${clock}-again-plain`);
    for (const id of row.suspects) {
      const first = row.traced.result.outcomes.get(id) ?? { outcome: 'not run', detail: 'never reached' };
      const entry = { id, outcome: first.outcome, detail: first.detail, alone: again.outcomes.get(id)?.outcome ?? 'not run' };
      if (!passes(again, id) && passes(againPlain, id)) row.failures.push(entry);
      else row.flaky.push({ ...entry, alonePlain: againPlain.outcomes.get(id)?.outcome ?? 'not run' });
    }
  }));

  const header = ['module', 'version', 'clock', 'passed plain', 'passed traced', 'traced-only failures', 'time plain', 'time traced'];
  const table = rows.map(({ traced, plain, passedPlain, suspects, failures }) => [
    traced.module, traced.version, traced.clock, String(passedPlain.length), String(passedPlain.length - suspects.length),
    String(failures.length), `${plain.result.secs.toFixed(1)} s`, `${traced.result.secs.toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${format(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const cells of table) console.log(format(cells));

  let passed = 0;
  let failed = 0;
  for (const row of rows) {
    const where = `${row.traced.version} ${row.traced.clock}`;
    passed += row.passedPlain.length - row.suspects.length;
    failed += row.failures.length;
    for (const f of row.failures) console.log(`FAIL ${where} ${f.id}: ${f.outcome} traced (alone: ${f.alone}): ${headline(f.detail)}`);
    for (const f of row.flaky) console.log(`not reproduced alone ${where} ${f.id}: ${f.outcome} traced, then ${f.alone} traced and ${f.alonePlain} plain alone: ${headline(f.detail)}`);
    for (const [key, { count }] of row.traced.result.internalErrors) console.log(`tracer internal error ${where} ${row.traced.module}: ${key} (${count}x)`);
  }
  writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify(rows.map((row) => ({
    module: row.traced.module, version: row.traced.version, clock: row.traced.clock,
    passedPlain: row.passedPlain.length, secsPlain: row.plain.result.secs, secsTraced: row.traced.result.secs,
    slowestPlain: [...row.plain.result.outcomes].map(([id, o]) => ({ id, secs: o.secs ?? 0 }))
      .sort((a, b) => b.secs - a.secs).slice(0, 3),
    failures: row.failures, notReproducedAlone: row.flaky,
    internalErrors: [...row.traced.result.internalErrors].map(([key, seen]) => ({ error: key, ...seen })),
  })), null, 2));
  console.log(`\nskipped versions: ${skipped.length ? skipped.join(', ') : 'none'}`);
  console.log(`took ${((Date.now() - startedAll) / 1000).toFixed(0)} s; outcomes and logs in ${OUT_DIR}`);
  console.log(`[cpython] ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || rows.length === 0 ? 1 : 0;
}

await main();
