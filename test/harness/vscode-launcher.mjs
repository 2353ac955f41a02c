#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests() would download:
// takes the same command line, runs the tests in code-server + headless chromium, and exits with
// the code the workbench reports through window.codeAutomationExit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCodeServer, launchBrowser, cleanup, LOG_DIR } from './codeServer.mjs';

const TIMEOUT_MS = Number(process.env.LOOPSCOPE_VSCODE_TIMEOUT_MS || 10 * 60_000);

function parseArgs(argv) {
  const opts = { folder: undefined, extensionDevelopmentPath: [] };
  const valued = new Set(['extensionTestsPath', 'extensionDevelopmentPath', 'user-data-dir', 'extensions-dir']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      opts.folder ??= arg; // the workspace to open; VS Code takes the first one
      continue;
    }
    let [name, value] = arg.slice(2).split(/=(.*)/s);
    if (!valued.has(name)) continue; // --no-sandbox, --disable-extensions, ...: meaningless here
    if (value === undefined) value = argv[++i];
    if (name === 'extensionDevelopmentPath') opts.extensionDevelopmentPath.push(value);
    else opts[name] = value;
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.extensionTestsPath) throw new Error('vscode-launcher: --extensionTestsPath is required');
  if (opts.extensionDevelopmentPath.length > 1) throw new Error('vscode-launcher: one --extensionDevelopmentPath only');

  const server = await startCodeServer({
    name: 'vscode-tests-server',
    folder: opts.folder,
    extensionDevelopmentPath: opts.extensionDevelopmentPath[0],
    extensionTestsPath: opts.extensionTestsPath,
    userDataDir: opts['user-data-dir'],
    extensionsDir: opts['extensions-dir'],
    // The second run of the suite checks Restricted Mode: trust on, no startup prompt.
    trust: process.env.LOOPSCOPE_VSCODE_TRUST === '1',
    settings: { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' },
  });
  const { page, consoleLog } = await launchBrowser({ name: 'vscode-tests-browser' });

  let reportExit;
  const exitCode = new Promise((resolve) => { reportExit = resolve; });
  // Must be in place before the workbench loads: that is where it looks for it.
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code) || 0));
  await page.goto(server.url);
  const code = await exitCode;
  writeFileSync(join(LOG_DIR, 'vscode-tests-exit-code'), `${code}\n`);
  if (code !== 0) console.error(`vscode-launcher: tests exited with ${code}; browser console: ${consoleLog}`);
  return code;
}

const timer = setTimeout(() => {
  console.error(`vscode-launcher: no result after ${TIMEOUT_MS / 1000} s; stopping everything`);
  cleanup().finally(() => process.exit(1));
}, TIMEOUT_MS);

main().then(
  async (code) => {
    clearTimeout(timer);
    await cleanup();
    process.exit(code);
  },
  async (err) => {
    clearTimeout(timer);
    console.error(err?.stack || err);
    await cleanup();
    process.exit(1);
  },
);
