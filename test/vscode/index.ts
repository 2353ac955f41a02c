// Mocha entry run inside the real extension host (via --extensionTestsPath). Mocha's console
// ends up in the browser's console, so the report also goes to a file the runner prints:
// $LOOPSCOPE_VSCODE_REPORT_DIR, default test-results/vscode/ (report.txt + results.json).
import Mocha from 'mocha';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';

export function run(): Promise<void> {
  process.setSourceMapsEnabled(true); // failure stacks point into the .ts files
  const reportDir = process.env.LOOPSCOPE_VSCODE_REPORT_DIR || resolve(__dirname, '../../../test-results/vscode');
  mkdirSync(reportDir, { recursive: true });
  const lines: string[] = [];
  const flush = (extra: object) => {
    writeFileSync(join(reportDir, 'report.txt'), lines.join('\n') + '\n');
    writeFileSync(join(reportDir, 'results.json'), JSON.stringify(extra, null, 2) + '\n');
  };

  // Every built-in reporter prints through Base.consoleLog: tee it into the report.
  const Base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void; useColors: boolean };
  const consoleLog = Base.consoleLog;
  Base.consoleLog = (...args: unknown[]) => {
    lines.push(format(...args));
    consoleLog(...args);
  };
  Base.useColors = false;

  // LOOPSCOPE_VSCODE_GREP runs only the tests whose full title matches (a regular expression).
  const grep = process.env.LOOPSCOPE_VSCODE_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const file of readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(join(__dirname, file));
  }

  return new Promise((ok, fail) => {
    try {
      const runner = mocha.run((failures) => {
        Base.consoleLog = consoleLog;
        const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
        flush({ passed: stats.passes, failed: stats.failures, pending: stats.pending });
        if (failures > 0) fail(new Error(`${failures} test(s) failed`));
        else ok();
      });
    } catch (err) {
      Base.consoleLog = consoleLog;
      lines.push(`mocha could not start: ${(err as Error)?.stack ?? err}`);
      flush({ passed: 0, failed: 1, pending: 0 });
      fail(err);
    }
  });
}
