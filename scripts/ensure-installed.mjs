// Installs what `npm start` and `npm test` need on a fresh machine, skipping what is already there:
// the npm packages (npm ci), the local VS Code (code-server + Debian packages, see
// scripts/install-vscode.sh) and, for the tests, CPython 3.14 and 3.15 with their own test
// package and C headers (the tracer's C step path is built against them; Debian sid's builds,
// made runnable in .pythons/ by ../shared/tools/install-sid-python.sh), and Debian's
// python3-aiohttp (a real library's server and client, traced by the tracer's tests).
// Usable as a module or run directly (`--no-vscode`, `--no-pythons` leave those out).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHONS_DIR, SID_VERSIONS, root } from './pythons.mjs';

// ../shared beside the clone (as in CI); from a git worktree, beside its main checkout.
function findSidScript() {
  const tool = (checkout) => join(checkout, '..', 'shared', 'tools', 'install-sid-python.sh');
  const common = spawnSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: root, encoding: 'utf8' });
  const checkouts = [root, ...(common.status === 0 ? [dirname(common.stdout.trim())] : [])];
  return checkouts.map(tool).find(existsSync) ?? tool(root);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

function sidPythonReady(version) {
  const exe = join(PYTHONS_DIR, 'bin', 'python' + version);
  return existsSync(join(PYTHONS_DIR, 'lib', 'python' + version, 'test', 'test_asyncio'))
    && existsSync(join(PYTHONS_DIR, 'include', 'python' + version, 'Python.h'))
    && spawnSync(exe, ['-c', 'import asyncio'], { stdio: 'ignore' }).status === 0;
}

function debianPackageInstalled(name) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.includes('install ok installed');
}

/** Installs the Debian packages of `names` that are missing; undefined, or why it could not. */
function installDebianPackages(names) {
  const missing = names.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0) return `the Debian packages ${missing.join(', ')} are missing; run as root: apt-get install -y ${missing.join(' ')}`;
  console.log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0
    && spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  return install && install.status === 0 ? undefined : `apt-get install ${missing.join(' ')} failed`;
}

/**
 * A real library's server and client for the tracer's tests: Debian's aiohttp, for Debian's python3
 * (test_wait_reasons.py traces its round trip, and skips it when this could not be installed).
 */
function ensureAiohttp() {
  const failed = installDebianPackages(['python3-aiohttp']);
  if (failed) console.log(`the aiohttp round trip is skipped: ${failed}`);
}

/**
 * Puts CPython 3.14 and 3.15 (with their `test` package and headers) into .pythons/. They are optional: when
 * the sid script is missing or fails, this says which versions are skipped and goes on, and
 * scripts/test-python.mjs lists them as skipped.
 */
export function ensureSidPythons() {
  installSidPythons();
  SID_VERSIONS.filter(sidPythonReady).forEach(byteCompile);
}

function installSidPythons() {
  const missing = SID_VERSIONS.filter((v) => !sidPythonReady(v));
  if (missing.length === 0) {
    console.log(`Python ${SID_VERSIONS.join(', ')} already installed in ${PYTHONS_DIR}`);
    return;
  }
  const skip = (why) => console.log(`Python ${missing.join(', ')} skipped: ${why}`);
  const SID_SCRIPT = findSidScript();
  if (!existsSync(SID_SCRIPT)) return skip(`${SID_SCRIPT} not found`);
  const patchelf = installDebianPackages(['patchelf']);
  if (patchelf) return skip(patchelf);
  console.log(`Installing Python ${missing.join(', ')} into ${PYTHONS_DIR} (${SID_SCRIPT} --tests)…`);
  const headers = missing.map((v) => `libpython${v}-dev`).join(' ');
  spawnSync('bash', [SID_SCRIPT, '--tests', PYTHONS_DIR, ...missing], {
    cwd: root, stdio: 'inherit', env: { ...process.env, EXTRA_PKGS: `${process.env.EXTRA_PKGS ?? ''} ${headers}`.trim() },
  });
  const failed = missing.filter((v) => !sidPythonReady(v));
  if (failed.length > 0) console.log(`Python ${failed.join(', ')} skipped: ${SID_SCRIPT} did not install them (see above)`);
}

/**
 * Byte-compiles a sid Python's standard library, as Debian's postinst (py3compile) does: the
 * packages ship no .pyc, and where PYTHONDONTWRITEBYTECODE is set every run would compile asyncio
 * and the rest from source again (0.2 s a run on 3.14, in every test and benchmark figure).
 */
function byteCompile(version) {
  const lib = join(PYTHONS_DIR, 'lib', 'python' + version);
  // Files already compiled are skipped (under a second for the whole library). Exit status 1 is
  // expected: the test package holds files that are bad syntax on purpose.
  const done = spawnSync(join(PYTHONS_DIR, 'bin', 'python' + version), ['-m', 'compileall', '-q', '-j', '0', lib], { stdio: 'ignore' });
  if (done.status !== 0 && done.status !== 1) console.log(`Python ${version}'s standard library was not byte-compiled (compileall: exit ${done.status}); its runs compile what they import`);
}

export function ensureInstalled({ vscode = true, pythons = false } = {}) {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    console.log('Installing npm packages (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (vscode) run('bash', [join(root, 'scripts', 'install-vscode.sh')]);
  if (pythons) {
    ensureSidPythons();
    ensureAiohttp();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureInstalled({ vscode: !process.argv.includes('--no-vscode'), pythons: !process.argv.includes('--no-pythons') });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
