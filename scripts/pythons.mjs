// The CPython versions the scripts test on, and where each one is found: pyenv's installs
// (3.8-3.13 here), the sid Pythons that scripts/ensure-installed.mjs puts in .pythons/ (3.14,
// 3.15), else `python3.X` on PATH.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14', '3.15'];
/** The versions Debian sid provides, installed into PYTHONS_DIR by ensure-installed.mjs. */
export const SID_VERSIONS = ['3.14', '3.15'];
export const PYTHONS_DIR = join(root, '.pythons');

export function findPython(version) {
  const pyenv = join(process.env.PYENV_ROOT || '/root/.pyenv', 'versions');
  if (existsSync(pyenv)) {
    const dirs = readdirSync(pyenv)
      .filter((d) => /^\d+\.\d+\.\d+$/.test(d) && d.startsWith(version + '.'))
      .sort((a, b) => Number(b.split('.')[2]) - Number(a.split('.')[2]));
    for (const d of dirs) {
      const exe = join(pyenv, d, 'bin', 'python3');
      if (existsSync(exe)) return exe;
    }
  }
  const local = join(PYTHONS_DIR, 'bin', 'python' + version);
  if (existsSync(local)) return local;
  const onPath = spawnSync('python' + version, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  });
  if (onPath.status === 0) return onPath.stdout.trim();
  return null;
}
