// The hostile-scenario matrix: each scenario in this folder with the outcome it must give. Shared
// by the CLI test (test/unit/hostile.test.ts) and the extension test (test/vscode/hostile.test.ts).

export interface HostileCase {
  file: string;
  /** What the scenario does to us. */
  what: string;
  outcome: string;
  limit?: string;
  exitCode?: number | null;
  /** CLI --timeout in seconds (the tracer's wall-clock limit). */
  timeout?: number;
  /** An exception type the run must report. */
  error?: string;
  /** Text the program's stdout must contain (everything it printed is kept). */
  stdout?: string;
  /** A blocking step must be reported on the line holding this text. */
  blockingAt?: string;
  minTasks?: number;
  /** Run in the extension too (the slow or output-heavy ones run in the CLI test only). */
  inExtension?: boolean;
}

export const HOSTILE: HostileCase[] = [
  { file: 'syntax.py', what: 'a syntax error', outcome: 'syntax-error', exitCode: 1, error: 'SyntaxError', inExtension: true },
  { file: 'latin1.py', what: 'non-UTF-8 bytes', outcome: 'not-runnable', exitCode: 2, error: 'SyntaxError', inExtension: true },
  { file: 'forever_sleep.py', what: 'a loop that never ends, sleeping', outcome: 'limit', limit: 'virtual-seconds', exitCode: 3, inExtension: true },
  { file: 'never_yields.py', what: 'a coroutine that never yields', outcome: 'limit', limit: 'wall-seconds', exitCode: 3, timeout: 3, blockingAt: 'while True:  # spins forever', inExtension: true },
  { file: 'os_exit.py', what: 'os._exit(3)', outcome: 'crashed', exitCode: 3, stdout: 'before exit', inExtension: true },
  { file: 'segv.py', what: 'death by SIGSEGV', outcome: 'crashed', exitCode: 139, inExtension: true },
  { file: 'sys_exit_task.py', what: 'sys.exit(4) inside a task', outcome: 'exception', exitCode: 4, error: 'SystemExit', inExtension: true },
  { file: 'keyboard.py', what: 'KeyboardInterrupt raised', outcome: 'exception', exitCode: 130, error: 'KeyboardInterrupt', inExtension: true },
  { file: 'reads_input.py', what: 'reading input()', outcome: 'exception', exitCode: 1, error: 'EOFError', stdout: 'name? ', inExtension: true },
  { file: 'closes_fds.py', what: "os.close of the tracer's descriptors", outcome: 'completed', exitCode: 0, stdout: 'still running', inExtension: true },
  { file: 'garbage.py', what: 'garbage written into the event descriptor', outcome: 'completed', exitCode: 0, stdout: 'wrote garbage', inExtension: true },
  { file: 'many_lines.py', what: '100,000 printed lines', outcome: 'completed', exitCode: 0, stdout: 'line 99999\n', timeout: 120 },
  { file: 'huge_line.py', what: 'a single 10 MB line', outcome: 'completed', exitCode: 0, stdout: 'x'.repeat(1000), timeout: 60 },
  { file: 'binary_emoji.py', what: 'binary and emoji output', outcome: 'completed', exitCode: 0, stdout: 'party 🎉 ünïcödé', inExtension: true },
  { file: 'many_tasks.py', what: '100,000 tasks', outcome: 'completed', exitCode: 0, stdout: '100000', minTasks: 100000, timeout: 120 },
  { file: 'deep_recursion.py', what: 'deep recursion', outcome: 'exception', exitCode: 1, error: 'RecursionError', inExtension: true },
  { file: 'forks.py', what: 'os.fork()', outcome: 'completed', exitCode: 0, stdout: 'parent done', inExtension: true },
  { file: 'stuck_thread.py', what: 'a non-daemon thread that never ends', outcome: 'limit', limit: 'wall-seconds', exitCode: 3, timeout: 3, stdout: 'main done', inExtension: true },
  { file: 'orphan.py', what: 'a subprocess that outlives the script', outcome: 'completed', exitCode: 0, inExtension: true },
  { file: 'patches_asyncio.py', what: 'a scenario that monkeypatches asyncio', outcome: 'completed', exitCode: 0, stdout: 'sleeping 1\ndone', inExtension: true },
  { file: 'html_names.py', what: 'HTML and script payloads as task names, output and messages', outcome: 'completed', exitCode: 0, stdout: '<img src=x', inExtension: true },
];
