// `npm start`: install what is missing, build, and serve VS Code with Loopscope loaded
// (unpackaged, from this checkout) and examples/ open. Ctrl+C stops everything.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-installed.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(what, cmd, args) {
  console.log(`> ${what}`);
  const { status } = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) {
    console.error(`start: ${what} failed`);
    process.exit(1);
  }
}

try {
  ensureInstalled();
} catch (error) {
  console.error(`start: ${error.message}`);
  process.exit(1);
}
run('npm run build', 'npm', ['run', 'build']);
// Imported only now: the harness needs the npm packages that ensureInstalled() may just have added.
const { startCodeServer, cleanup } = await import('../test/harness/codeServer.mjs');

// Ctrl+C is the normal way to stop: exit 0 so npm does not report a failure.
let stopping = false;
process.removeAllListeners('SIGINT');
process.on('SIGINT', () => {
  stopping = true;
  console.log('\nstopping code-server');
  cleanup().finally(() => process.exit(0));
});

try {
  const server = await startCodeServer({
    name: 'start-server',
    port: Number(process.env.PORT || 8080),
    folder: join(root, 'examples'),
  });
  server.proc.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`start: code-server stopped (${signal ?? code}); log: ${server.logFile}`);
    cleanup().finally(() => process.exit(1));
  });
  console.log(`
VS Code (code-server) with Loopscope is running. Open this in a browser:

  ${server.url}

Log: ${server.logFile}
Press Ctrl+C to stop.`);
} catch (err) {
  console.error(`start: ${err.message}`);
  await cleanup();
  process.exit(1);
}
