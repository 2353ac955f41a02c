// Shared by the VS Code test launcher, the UI tests and `npm start`: runs a real VS Code
// (code-server, served to a browser) and guarantees nothing it started outlives us.
// Background: /work/shared/notes/real-vscode.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readdirSync, readFileSync, existsSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CODE_SERVER = join(ROOT, '.vscode-test/code-server/node_modules/code-server/out/node/entry.js');
export const LOG_DIR = join(ROOT, 'test-results/logs');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const roots = new Set(); // pids whose whole session/group/tree we own
const tempDirs = new Set();
let browserContext;

export function ensureCodeServer() {
  // The install script writes this stamp last, so a half-done install gets finished.
  if (!existsSync(join(ROOT, '.vscode-test/code-server/.installed-4.100.3'))) {
    execFileSync('bash', [join(ROOT, 'scripts/install-vscode.sh')], { stdio: 'inherit' });
  }
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `loopscope-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

/** A free port on 127.0.0.1, or `port` itself if it is free (else rejects). */
export function freePort(port = 0) {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', (err) => fail(err.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is in use`) : err));
    srv.listen(port, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts code-server and resolves once /healthz answers.
 * Returns { port, origin, url, userDataDir, logFile, proc }; `url` opens `folder` with the
 * extension loaded from `extensionDevelopmentPath` (and its tests, if `extensionTestsPath`).
 */
export async function startCodeServer({
  folder,
  extensionDevelopmentPath = ROOT,
  extensionTestsPath,
  settings = {},
  trust = false,
  port,
  userDataDir,
  extensionsDir,
  env = {},
  name = 'code-server',
  stdio, // 'inherit' to show code-server's output instead of logging it
} = {}) {
  ensureCodeServer();
  // Even a fixed port is checked: /healthz of someone else's server would look like ours.
  port = await freePort(port ?? 0);
  userDataDir ??= tempDir('ud');
  extensionsDir ??= tempDir('ext');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      // The repo's own .git sits above examples/; its prompt covers part of the screen.
      'git.openRepositoryInParentFolders': 'never',
      'extensions.ignoreRecommendations': true,
      ...settings,
    }, null, 2),
  );
  // Without --config code-server writes a config (with a password) into ~/.config.
  writeFileSync(join(userDataDir, 'cs.yaml'), 'auth: none\ncert: false\n');

  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const args = [
    CODE_SERVER,
    '--config', join(userDataDir, 'cs.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    ...(trust ? [] : ['--disable-workspace-trust']),
    ...(folder ? [folder] : []),
  ];
  let out = stdio;
  if (!out) {
    const fd = openSync(logFile, 'w');
    out = ['ignore', fd, fd];
  }
  // detached = setsid: code-server gets its own session and process group, so everything it
  // spawns can be found. The shell execs code-server (same pid) after starting a watchdog in
  // that group, which kills the group if we die without cleaning up (SIGKILL), within a second.
  const watchdog = `(while kill -0 ${process.pid} && kill -0 $$; do sleep 1; done 2>/dev/null; kill -KILL 0) &
    exec "$0" "$@"`;
  const proc = spawn('sh', ['-c', watchdog, process.execPath, ...args], {
    detached: true,
    stdio: out,
    // code-server keeps logs and a heartbeat in XDG dirs, not under --user-data-dir.
    env: { ...process.env, ...xdgHome(userDataDir), ...env },
  });
  if (Array.isArray(out)) closeSync(out[1]);
  roots.add(proc.pid);
  let exited = false;
  proc.on('exit', () => { exited = true; });

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during startup; see ${logFile}`);
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server not healthy after 30 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const url = workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath });
  return { port, origin, url, userDataDir, extensionsDir, logFile, proc };
}

function xdgHome(dir) {
  return { XDG_CONFIG_HOME: join(dir, 'xdg-config'), XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CACHE_HOME: join(dir, 'xdg-cache') };
}

export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  // Paths are resolved by the server, so they are vscode-remote URIs with our own authority.
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = [];
  if (folder) query.push(`folder=${encodeURIComponent(resolve(folder))}`);
  if (payload.length) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://127.0.0.1:${port}/${query.length ? '?' + query.join('&') : ''}`;
}

/** Headless Debian chromium; returns { context, page }. `name` picks the browser console log. */
export async function launchBrowser({ name = 'browser', viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(join(profile, 'profile'), {
    executablePath: CHROMIUM,
    env: { ...process.env, ...xdgHome(profile) }, // its crash reporter writes to ~/.config otherwise
    headless: true,
    viewport,
    // We do our own cleanup (below); playwright's handlers would exit before it runs.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  browserContext = context;
  mkdirSync(LOG_DIR, { recursive: true });
  const consoleLog = join(LOG_DIR, `${name}-console.log`);
  writeFileSync(consoleLog, '');
  const page = context.pages()[0] ?? (await context.newPage());
  const append = (line) => { try { writeFileSync(consoleLog, line + '\n', { flag: 'a' }); } catch {} };
  page.on('console', (m) => append(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => append(`[pageerror] ${e.stack || e}`));
  return { context, page, consoleLog };
}

/** Waits for the workbench to be usable (it drops keystrokes for a moment after it appears). */
export async function waitForWorkbench(page, settleMs = 3000) {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForTimeout(settleMs);
}

// ---- cleanup -------------------------------------------------------------------------------

function processTable() {
  const table = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parens.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      table.push({ pid: +entry, ppid: +f[1], pgid: +f[2], sid: +f[3], cmdline });
    } catch {}
  }
  return table;
}

/**
 * Every process we started, directly or not: our descendants, the sessions/groups we led, and
 * whatever names one of our temp dirs (chromium's crash handler daemonizes away from its parent).
 */
function ours() {
  const table = processTable();
  const found = new Set();
  const todo = [process.pid, ...roots];
  for (const p of table) {
    if (roots.has(p.pgid) || roots.has(p.sid) || [...tempDirs].some((d) => p.cmdline.includes(d))) todo.push(p.pid);
  }
  while (todo.length) {
    const pid = todo.pop();
    if (found.has(pid)) continue;
    found.add(pid);
    for (const p of table) if (p.ppid === pid) todo.push(p.pid);
  }
  found.delete(process.pid);
  return [...found];
}

function killAll(signal) {
  const pids = ours();
  for (const pid of pids) {
    try { process.kill(pid, signal); } catch {}
  }
  return pids.length;
}

let cleaning;
/** Closes the browser, stops code-server and everything below both, removes temp dirs. */
export function cleanup() {
  cleaning ??= (async () => {
    const context = browserContext;
    browserContext = undefined;
    if (context) await Promise.race([context.close().catch(() => {}), sleep(3000)]);
    if (killAll('SIGTERM')) {
      for (let i = 0; i < 20 && ours().length; i++) await sleep(100);
    }
    cleanupSync();
  })().finally(() => { cleaning = undefined; });
  return cleaning;
}

function cleanupSync() {
  killAll('SIGKILL');
  roots.clear();
  for (const dir of tempDirs) {
    try { rmSync(dir, { recursive: true, force: true }); } catch {}
  }
  tempDirs.clear();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Last line of defence for every way out; 'exit' handlers must be synchronous.
process.on('exit', cleanupSync);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    cleanup().finally(() => process.exit(code));
  });
}
