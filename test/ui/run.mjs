// Runs test/ui/*.test.mjs with mocha and ends with `[ui] N passed, N failed`.
import Mocha from 'mocha';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup } from '../harness/codeServer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '../..');

if (!existsSync(join(ROOT, 'dist/extension.js'))) {
  console.error('ui: dist/extension.js is missing; run `npm run build` first');
  process.exit(1);
}

const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 120_000 });
const only = process.argv.slice(2);
for (const file of readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort()) {
  if (!only.length || only.some((o) => file.includes(o))) mocha.addFile(join(here, file));
}

let stats = { passes: 0, failures: 1 };
try {
  await mocha.loadFilesAsync();
  stats = await new Promise((ok) => {
    const runner = mocha.run(() => ok(runner.stats));
  });
} catch (err) {
  console.error(err?.stack || err);
}
await cleanup();
// The form scripts/run-tests.mjs reads.
console.log(`[ui] ${stats.passes} passed, ${stats.failures} failed`);
process.exit(stats.failures ? 1 : 0);
