// Finding a usable Python interpreter (3.8 or newer) and reading its version.
import { execFile } from 'node:child_process';

export const MIN_PYTHON: [number, number] = [3, 8];

export interface PythonInfo {
  path: string;
  version: string;
}

export function pythonVersion(executable: string): Promise<PythonInfo> {
  return new Promise((resolve, reject) => {
    execFile(executable, ['-c', 'import sys; print(".".join(map(str, sys.version_info[:3])))'],
      { timeout: 15000 }, (error, stdout) => {
        if (error) {
          reject(new Error(`${executable} could not be run (${error.message.split('\n')[0]})`));
          return;
        }
        const version = stdout.trim();
        const [major, minor] = version.split('.').map(Number);
        if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
          reject(new Error(`${executable} is Python ${version}; Loopscope needs Python ${MIN_PYTHON.join('.')} or newer`));
          return;
        }
        resolve({ path: executable, version });
      });
  });
}

/** The first candidate that runs and is new enough; the error lists why each one failed. */
export async function findPython(candidates: string[]): Promise<PythonInfo> {
  const problems: string[] = [];
  for (const candidate of candidates) {
    try {
      return await pythonVersion(candidate);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  throw new Error(`No usable Python found: ${problems.join('; ')}`);
}

export const DEFAULT_PYTHONS = process.platform === 'win32' ? ['python', 'py'] : ['python3', 'python'];
