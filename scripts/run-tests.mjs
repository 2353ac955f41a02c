// `npm test`: builds once, runs every suite in turn, prints each suite's counts and ends with one
// line "N passed, N failed" summing them all. Suites print "[name] N passed, N failed" (that form
// so CI, which reads the plain line, never mistakes a suite's count for the total). A suite that dies without its closing count line
// counts as one failure. Suites clean up their own processes; Ctrl+C here stops the running one.
import { spawn } from 'node:child_process';

const SUITES = [
  { name: 'setup', command: 'node', args: ['scripts/ensure-installed.mjs'], counted: false },
  { name: 'build', command: 'npm', args: ['run', '--silent', 'build'], counted: false },
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'], counted: false },
  { name: 'unit', command: 'npm', args: ['run', '--silent', 'test:unit:run'] },
  { name: 'python', command: 'npm', args: ['run', '--silent', 'test:python'] },
  { name: 'vscode', command: 'npm', args: ['run', '--silent', 'test:vscode:run'] },
  { name: 'ui', command: 'npm', args: ['run', '--silent', 'test:ui:run'] },
];
const only = process.argv.slice(2);

let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running) {
      try { process.kill(-running.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    process.exit(130);
  });
}

function runSuite(suite) {
  return new Promise((resolve) => {
    let tail = '';
    running = spawn(suite.command, suite.args, {
      stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, LOOPSCOPE_SUITE: suite.name },
    });
    running.stdout.on('data', (data) => {
      process.stdout.write(data);
      tail = (tail + data.toString()).slice(-4000);
    });
    running.on('close', (code) => {
      running = undefined;
      const match = [...tail.matchAll(/^\[[\w-]+\] (\d+) passed, (\d+) failed/gm)].pop();
      resolve({ code, passed: match ? Number(match[1]) : 0, failed: match ? Number(match[2]) : 0, counted: !!match });
    });
  });
}

let passed = 0;
let failed = 0;
const lines = [];
for (const suite of SUITES) {
  if (only.length > 0 && suite.counted !== false && !only.includes(suite.name)) continue;
  const started = Date.now();
  console.log(`\n=== ${suite.name} ===`);
  const result = await runSuite(suite);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (suite.counted === false) {
    if (result.code !== 0) {
      lines.push(`${suite.name}: failed (exit ${result.code})`);
      failed++;
      break;
    }
    continue;
  }
  // A suite that printed counts but exited non-zero without any failure still failed somewhere.
  const extra = result.counted && !(result.code !== 0 && result.failed === 0) ? 0 : 1;
  passed += result.passed;
  failed += result.failed + extra;
  lines.push(`${suite.name}: ${result.passed} passed, ${result.failed + extra} failed (${seconds} s${result.counted ? '' : ', no count line'})`);
}
console.log('\n=== summary ===');
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
