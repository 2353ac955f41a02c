// Shared by the Node unit tests: where the repo is, a temp folder of scenarios, and process checks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TraceEvent } from '../../src/protocol/events';
import { Session, type SessionOptions } from '../../src/node/session';

/** The compiled tests live in out/test/unit/. */
export const REPO = resolve(__dirname, '..', '..', '..');
export const TRACER = join(REPO, 'src', 'tracer');
export const PYTHON = process.env.LOOPSCOPE_TEST_PYTHON ?? 'python3';

export function scenarioDir(): string {
  return mkdtempSync(join(tmpdir(), 'loopscope-test-'));
}

export function writeScenario(dir: string, name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source.replace(/^\n/, ''));
  return path;
}

export function startSession(options: Partial<SessionOptions> & { scenario: string }): Session {
  return new Session({ python: PYTHON, cwd: REPO, tracerPath: TRACER, timeoutSeconds: 60, ...options }).start();
}

/** True while the process exists and is not a zombie waiting to be reaped by init. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Resolves with the first event matching `accept`, seen from now on. */
export function nextEvent(session: Session, accept: (event: TraceEvent) => boolean): Promise<TraceEvent> {
  return new Promise((resolvePromise) => {
    let seen = false;
    session.onEvent((event) => {
      if (!seen && accept(event)) {
        seen = true;
        resolvePromise(event);
      }
    });
  });
}

/** A real garbage collection, so memory figures compare what is retained, not what is not yet collected. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
