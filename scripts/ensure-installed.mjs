// Installs what `npm start` and `npm test` need on a fresh machine, skipping what is already there:
// the npm packages (npm ci) and the local VS Code (code-server + Debian packages, see
// scripts/install-vscode.sh). Usable as a module or run directly.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

export function ensureInstalled({ vscode = true } = {}) {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    console.log('Installing npm packages (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (vscode) run('bash', [join(root, 'scripts', 'install-vscode.sh')]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureInstalled({ vscode: !process.argv.includes('--no-vscode') });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
