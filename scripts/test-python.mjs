#!/usr/bin/env node
// Runs the tracer's Python unittest suites (test/python) under every installed CPython
// 3.8-3.15 (3.14 and 3.15 from .pythons/, which `npm test` fills), two versions at a time, and
// prints per-version counts, the versions skipped, and a final line `[python] N passed, N failed`
// (the form scripts/run-tests.mjs reads). Exits non-zero on any failure.
//
//   node scripts/test-python.mjs            all versions
//   node scripts/test-python.mjs 3.11 3.12  only these
import { spawn } from 'node:child_process';
import { PYTHONS_DIR, SID_VERSIONS, VERSIONS, findPython, root } from './pythons.mjs';

const PARALLEL = 2;
// A hang detector, not a time limit: a suite takes about 4 min with two running at once, and more than
// twice that under heavy load (seen: 3.14 killed at 6 min with load average 12).
const TIMEOUT_MS = 15 * 60 * 1000;

function runSuite(version, exe) {
  return new Promise((done) => {
    const started = Date.now();
    const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
    delete env.PYTHONPATH;
    const child = spawn(
      exe,
      ['-m', 'unittest', 'discover', '-s', 'test/python', '-t', 'test/python', '-v'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const secs = (Date.now() - started) / 1000;
      if (timedOut) {
        // No summary: count what the verbose listing shows; the test left running is a failure.
        const count = (re) => (out.match(re) || []).length;
        const running = [...out.matchAll(/^(test\w* \([\w.]+\)) \.\.\. /gm)].pop();
        return done({
          version, exe, secs, out, code, signal,
          passed: count(/ \.\.\. ok$/gm),
          failed: count(/ \.\.\. (FAIL|ERROR)$/gm) + 1,
          skipped: count(/ \.\.\. skipped/gm),
          note: `killed after ${TIMEOUT_MS / 1000} s, while running ${running ? running[1] : 'an unknown test'}`,
        });
      }
      const ran = /^Ran (\d+) tests?/m.exec(out);
      const total = ran ? Number(ran[1]) : 0;
      const f = /FAILED \(([^)]*)\)/.exec(out);
      let failed = 0;
      let skipped = 0;
      if (f) {
        for (const part of f[1].split(',')) {
          const [k, v] = part.trim().split('=');
          if (k === 'failures' || k === 'errors') failed += Number(v);
          if (k === 'skipped') skipped += Number(v);
        }
      } else {
        const ok = /^OK(?: \(([^)]*)\))?/m.exec(out);
        const s = ok && ok[1] && /skipped=(\d+)/.exec(ok[1]);
        if (s) skipped = Number(s[1]);
      }
      if (!ran || (code !== 0 && !f)) failed = Math.max(failed, 1); // crashed
      const passed = Math.max(0, total - failed - skipped);
      done({ version, exe, passed, failed, skipped, code, signal, out, secs });
    });
  });
}

async function main() {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : VERSIONS;
  const jobs = [];
  const skippedVersions = [];
  for (const v of wanted) {
    const exe = findPython(v);
    if (exe) jobs.push({ v, exe });
    else skippedVersions.push(v);
  }
  const results = [];
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const { v, exe } = jobs[next++];
      const r = await runSuite(v, exe);
      results.push(r);
      const status = r.failed ? 'FAILED' : 'ok';
      console.log(
        `python ${v} (${exe}): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped ` +
          `in ${r.secs.toFixed(1)}s ${status}${r.note ? ` (${r.note})` : ''}`,
      );
      if (r.failed) {
        const lines = r.out.split('\n');
        const from = lines.findIndex((l) => /^(FAIL|ERROR):/.test(l));
        // Killed before unittest's report: the listing's failed tests, then the output's end.
        const shown = from >= 0
          ? lines.slice(from)
          : [...lines.filter((l) => / \.\.\. (FAIL|ERROR)$/.test(l)), '...', ...lines.slice(-30)];
        console.log(shown.join('\n'));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, worker));
  const hint = skippedVersions.some((v) => SID_VERSIONS.includes(v))
    ? ` (${SID_VERSIONS.join(', ')} go into ${PYTHONS_DIR}: node scripts/ensure-installed.mjs --no-vscode)`
    : '';
  console.log(`skipped (not installed): ${skippedVersions.length ? skippedVersions.join(', ') + hint : 'none'}`);
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  console.log(`[python] ${passed} passed, ${failed} failed`);
  process.exit(failed || !results.length ? 1 : 0);
}

main();
