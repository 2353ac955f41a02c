#!/usr/bin/env node
// Runs the tracer's Python unittest suites (test/python) under every installed CPython
// 3.8-3.13, two versions at a time, and prints per-version counts, the versions skipped,
// and a final line `[python] N passed, N failed` (the form scripts/run-tests.mjs reads). Exits non-zero on any failure.
//
//   node scripts/test-python.mjs            all versions
//   node scripts/test-python.mjs 3.11 3.12  only these
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];
const PARALLEL = 2;
const TIMEOUT_MS = 6 * 60 * 1000;

function findPython(version) {
  const pyenv = join(process.env.PYENV_ROOT || '/root/.pyenv', 'versions');
  if (existsSync(pyenv)) {
    const dirs = readdirSync(pyenv)
      .filter((d) => d === version || d.startsWith(version + '.'))
      .filter((d) => /^\d+\.\d+\.\d+$/.test(d))
      .sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]));
    for (const d of dirs) {
      const exe = join(pyenv, d, 'bin', 'python3');
      if (existsSync(exe)) return exe;
    }
  }
  const onPath = spawnSync('python' + version, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  });
  if (onPath.status === 0) return onPath.stdout.trim();
  return null;
}

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
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
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
      if (!ran || (code !== 0 && !f)) failed = Math.max(failed, 1); // crashed or killed
      const passed = Math.max(0, total - failed - skipped);
      done({ version, exe, passed, failed, skipped, code, signal, out, secs: (Date.now() - started) / 1000 });
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
          `in ${r.secs.toFixed(1)}s ${status}`,
      );
      if (r.failed) {
        const lines = r.out.split('\n');
        const from = lines.findIndex((l) => /^(FAIL|ERROR):/.test(l));
        console.log(lines.slice(from >= 0 ? from : Math.max(0, lines.length - 60)).join('\n'));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, jobs.length) }, worker));
  console.log(`skipped (not installed): ${skippedVersions.length ? skippedVersions.join(", ") : "none"}`);
  const passed = results.reduce((a, r) => a + r.passed, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  console.log(`[python] ${passed} passed, ${failed} failed`);
  process.exit(failed || !results.length ? 1 : 0);
}

main();
