#!/usr/bin/env node
// Tracer overhead: 10,000 tasks x 10 asyncio.sleep(0) (test/python/scenarios/sleep_zero_bench.py),
// traced at full fidelity (events written to /dev/null) vs untraced, median of 5 runs, for
// every installed CPython 3.8-3.15. Prints one line per version with the ratio.
// Target (issue): <= 2.0x on 3.11.
//
//   node scripts/bench-tracer.mjs [scenario.py] [versions...]
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { VERSIONS, findPython, root } from './pythons.mjs';

const args = process.argv.slice(2);
const scenario = args[0] && args[0].endsWith('.py')
  ? resolve(args.shift())
  : join(root, 'test/python/scenarios/sleep_zero_bench.py');
const versions = args.length ? args : VERSIONS;
const RUNS = 5;

function time(cmd, argv, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return secs;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const v of versions) {
  const exe = findPython(v);
  if (!exe) {
    console.log(`python ${v}: not installed, skipped`);
    continue;
  }
  const plainEnv = { ...process.env };
  delete plainEnv.PYTHONPATH;
  const tracedEnv = { ...plainEnv, PYTHONPATH: join(root, 'src/tracer') };
  const plain = [];
  const traced = [];
  for (let i = 0; i < RUNS; i++) {
    plain.push(time(exe, [scenario], plainEnv));
    traced.push(time(exe, ['-m', 'loopscope_tracer', '--events-file', '/dev/null', scenario], tracedEnv));
  }
  const p = median(plain);
  const t = median(traced);
  console.log(`python ${v}: untraced ${p.toFixed(3)}s, traced ${t.toFixed(3)}s, overhead ${(t / p).toFixed(2)}x`);
}
