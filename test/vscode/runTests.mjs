// Runs test/vscode/*.test.ts (compiled to out/test/vscode/) inside a real VS Code extension host.
// runTests() normally downloads VS Code; here it starts our launcher, which runs code-server.
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(ROOT, 'test/harness/vscode-launcher.mjs');
const testsPath = join(ROOT, 'out/test/vscode/index.js');
const reportDir = join(ROOT, 'test-results/vscode');
const workspace = existsSync(join(ROOT, 'examples')) ? join(ROOT, 'examples') : ROOT;

if (!existsSync(testsPath)) {
  console.error(`vscode: ${testsPath} is missing; run \`npm run build\` first`);
  process.exit(1);
}
rmSync(reportDir, { recursive: true, force: true });
// A fresh profile each run, inside the repo so an interrupted run leaves nothing in /tmp.
const profile = join(ROOT, '.vscode-test/vscode-profile');
rmSync(profile, { recursive: true, force: true });

let code = 1;
try {
  code = await runTests({
    // runTests spawns vscodeExecutablePath with launchArgs first, so node runs the launcher
    // (no reliance on the launcher's executable bit).
    vscodeExecutablePath: process.execPath,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsPath,
    launchArgs: [
      launcher,
      workspace,
      `--user-data-dir=${join(profile, 'user-data')}`,
      `--extensions-dir=${join(profile, 'extensions')}`,
    ],
    extensionTestsEnv: { LOOPSCOPE_VSCODE_REPORT_DIR: reportDir }, // LOOPSCOPE_VSCODE_GREP passes through
  });
} catch (err) {
  code = err?.code ?? 1;
  console.error(`vscode: ${err?.message ?? err}`);
}
rmSync(profile, { recursive: true, force: true });

let results = { passed: 0, failed: 0 };
try {
  process.stdout.write('\n' + readFileSync(join(reportDir, 'report.txt'), 'utf8'));
  results = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8'));
} catch {
  console.error(`vscode: the tests wrote no report to ${reportDir} (see test-results/logs/)`);
  results.failed ||= 1;
}
if (code !== 0 && results.failed === 0) results.failed = 1; // crashed after reporting success
// The form scripts/run-tests.mjs reads.
console.log(`[vscode] ${results.passed} passed, ${results.failed} failed`);
process.exit(code === 0 && results.failed === 0 ? 0 : 1);
