// Runs test/vscode/*.test.ts (compiled to out/test/vscode/) inside a real VS Code extension host.
// runTests() normally downloads VS Code; here it starts our launcher, which runs code-server.
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const launcher = join(ROOT, 'test/harness/vscode-launcher.mjs');
const testsPath = join(ROOT, 'out/test/vscode/index.js');
const workspace = existsSync(join(ROOT, 'examples')) ? join(ROOT, 'examples') : ROOT;

if (!existsSync(testsPath)) {
  console.error(`vscode: ${testsPath} is missing; run \`npm run build\` first`);
  process.exit(1);
}
/**
 * One launch of VS Code running the suite. The second launch turns workspace trust on, so the
 * opened folder is in Restricted Mode, and runs only the tests about that.
 */
async function launch(name, env) {
  const reportDir = join(ROOT, 'test-results', name);
  rmSync(reportDir, { recursive: true, force: true });
  // A fresh profile each run, inside the repo so an interrupted run leaves nothing in /tmp.
  const profile = join(ROOT, '.vscode-test/vscode-profile');
  rmSync(profile, { recursive: true, force: true });
  Object.assign(process.env, env);
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
  for (const key of Object.keys(env)) delete process.env[key];

  let results = { passed: 0, failed: 0 };
  try {
    process.stdout.write('\n' + readFileSync(join(reportDir, 'report.txt'), 'utf8'));
    results = JSON.parse(readFileSync(join(reportDir, 'results.json'), 'utf8'));
  } catch {
    console.error(`vscode: the tests wrote no report to ${reportDir} (see test-results/logs/)`);
    results.failed ||= 1;
  }
  if (code !== 0 && results.failed === 0) results.failed = 1; // crashed after reporting success
  return results;
}

const runs = [await launch('vscode', {})];
if (!process.env.LOOPSCOPE_VSCODE_GREP) {
  runs.push(await launch('vscode-restricted', { LOOPSCOPE_VSCODE_TRUST: '1', LOOPSCOPE_VSCODE_GREP: 'Restricted Mode' }));
}
const passed = runs.reduce((sum, r) => sum + r.passed, 0);
const failed = runs.reduce((sum, r) => sum + r.failed, 0);
// The form scripts/run-tests.mjs reads.
console.log(`[vscode] ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
