#!/usr/bin/env node
// The `loopscope` command line: trace a scenario, show the state at a tick, draw lanes in the
// terminal, export to Chrome's trace format. Errors are one line on stderr, never a stack trace.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { constants } from 'node:os';
import {
  asyncioWords, atPlace, describeReadyEntry, describeSnapshot, duration, errorText, loopTime, place, seconds, stepPlaces, taskName,
} from '../core/describe';
import { toChromeTrace } from '../core/chromeTrace';
import { TraceModel } from '../core/model';
import { stateAfter, type StateAfterTick } from '../core/moment';
import { DEFAULT_PYTHONS, findPython } from '../node/python';
import { Session, type SessionResult } from '../node/session';
import { summarize } from './summary';
import { partialMessage, readTraceFile } from '../node/traceFile';
import type { ClockMode } from '../protocol/events';
import { drawLanes } from './terminalLanes';

class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `loopscope — see the Python asyncio event loop work, tick by tick

Usage:
  loopscope trace <scenario.py> [options] [-- args...]   run a scenario under the tracer
  loopscope show <trace.jsonl> [--tick N | --time T] [--loop L] [--json]
  loopscope lanes <trace.jsonl> [--by tick|time] [--width N]
  loopscope export <trace.jsonl> --chrome <out.json>

Run "loopscope <command> --help" for the options of a command.`,
  trace: `loopscope trace <scenario.py> [options] [-- args...]

Runs the scenario with the caller's working directory, like "python scenario.py", under the
Loopscope tracer, and prints a summary. The program's own stdout and stderr pass through.

Options:
  --python EXE       Python interpreter (default: python3, then python)
  --clock MODE       virtual (default: sleeps take no time, the program's own
                     work does), deterministic (loop time moves only when the
                     loop waits: the same times on every run) or real
  --max-ticks N      stop after N loop iterations
  --max-seconds S    stop when loop time passes S seconds
  --max-events N     stop after N events (default 5000000; 0: no limit)
  --timeout S        stop after S seconds of wall time (default 60)
  --blocking-ms MS   report steps holding the loop longer than MS (default 100)
  --out FILE         save the trace as JSON lines
  --json             print one JSON summary object instead (program output goes into it)

Exit status: the program's exit code; 3 when a limit stopped it; 2 when nothing could be run.

Example:
  loopscope trace examples/gather.py --out gather.jsonl`,
  show: `loopscope show <trace.jsonl> [--tick N | --time T] [--loop L] [--json]

Prints the loop just after a tick ran, the moment every view of Loopscope shows: every task's
state, line and wait reason, the ready queue the loop runs next (the next tick's), the pending
timers and what ran in the tick. N is the tick number within the loop (1-based); --time picks the
last tick at or before loop time T. Without --tick or --time, prints one JSON line per tick of
every loop.

Example:
  loopscope show gather.jsonl --tick 3`,
  lanes: `loopscope lanes <trace.jsonl> [--by tick|time] [--width N]

Draws one lane per task in the terminal: █ running, ▒ ready, ─ suspended, ✓ done, ✗ exception.

Example:
  loopscope lanes gather.jsonl --by time --width 100`,
  export: `loopscope export <trace.jsonl> --chrome <out.json>

Writes the trace in Chrome's Trace Event Format, to open in Perfetto or chrome://tracing.

Example:
  loopscope export gather.jsonl --chrome gather.trace.json`,
};

const CLOCKS: readonly ClockMode[] = ['virtual', 'deterministic', 'real'];

function clockOption(value: string | true | undefined): ClockMode {
  if (value === undefined) return 'virtual';
  if (typeof value === 'string' && (CLOCKS as readonly string[]).includes(value)) return value as ClockMode;
  throw new UsageError(`--clock must be ${CLOCKS.join(', ').replace(/, (\w+)$/, ' or $1')}`);
}

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
  rest: string[];
}

function parseArgs(args: string[], valued: string[], flags: string[]): Parsed {
  const parsed: Parsed = { positional: [], options: new Map(), rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.rest = args.slice(i + 1);
      break;
    }
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (flags.includes(name)) parsed.options.set(name, true);
      else if (valued.includes(name)) {
        const value = inline ?? args[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        parsed.options.set(name, value);
      } else throw new UsageError(`unknown option --${name}`);
    } else parsed.positional.push(arg);
  }
  return parsed;
}

function numberOption(parsed: Parsed, name: string, integer = false): number | undefined {
  const raw = parsed.options.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} needs a ${integer ? 'whole ' : ''}number, got "${raw}"`);
  }
  return value;
}

function exitCodeOf(result: SessionResult): number {
  if (result.outcome === 'limit') return 3;
  if (result.outcome === 'not-runnable') return 2;
  if (result.exitCode !== null) return result.exitCode;
  const signal = result.signal ? constants.signals[result.signal] : undefined;
  return signal ? 128 + signal : 1;
}

async function trace(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['python', 'clock', 'max-ticks', 'max-seconds', 'max-events', 'timeout', 'blocking-ms', 'out'], ['json']);
  const [scenario, ...extra] = parsed.positional;
  if (!scenario) throw new UsageError('trace needs a scenario file: loopscope trace <scenario.py>');
  const json = parsed.options.has('json');
  const scenarioPath = resolve(scenario);
  if (!existsSync(scenarioPath)) throw new UsageError(`no such file: ${scenario}`);
  if (statSync(scenarioPath).isDirectory()) throw new UsageError(`${scenario} is a directory, not a Python file`);
  const timeout = numberOption(parsed, 'timeout') ?? 60;
  const pythonOption = parsed.options.get('python');
  let python;
  try {
    python = await findPython(typeof pythonOption === 'string' ? [pythonOption] : DEFAULT_PYTHONS);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const session = new Session({
    python: python.path,
    scenario, // as typed (the program's sys.argv[0]); it runs in our working directory
    args: [...extra, ...parsed.rest],
    cwd: process.cwd(),
    clock: clockOption(parsed.options.get('clock')),
    blockingMs: numberOption(parsed, 'blocking-ms'),
    // The tracer stops itself cleanly at the timeout; the session kills the process group if it did not.
    limits: {
      ticks: numberOption(parsed, 'max-ticks', true), virtualSeconds: numberOption(parsed, 'max-seconds'),
      events: numberOption(parsed, 'max-events', true), wallSeconds: timeout,
    },
  });
  const out = parsed.options.get('out');
  if (typeof out === 'string') session.recordTo(resolve(out));
  const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  session.onOutput(({ stream, data }) => {
    if (json) captured[stream].push(data);
    else (stream === 'stdout' ? process.stdout : process.stderr).write(data);
  });
  const stopOnSignal = () => session.dispose();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  stopTracing = () => void session.stop();
  const result = await session.start().done;
  stopTracing = undefined;
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);
  await session.recorded();
  const summary = summarize(session.model, result, scenarioPath, {
    stdout: Buffer.concat(captured.stdout).toString('utf8'), stderr: Buffer.concat(captured.stderr).toString('utf8'),
  }, { events: session.decoder.stats.events, malformed: session.decoder.stats.malformed });
  if (json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const lines = [
      '',
      `── loopscope: ${summary.outcome}${summary.limit ? ` (${summary.limit} limit)` : ''}, exit code ${exitCodeOf(result)}`
        + ` · Python ${summary.python ?? '?'} · ${summary.clock ?? '?'} clock`,
    ];
    for (const loop of summary.loops) {
      lines.push(`   loop ${loop.id}: ${loop.ticks} ticks, ${seconds(loop.duration ?? 0)} s of loop time`);
    }
    const visible = summary.tasks.filter((t) => !t.internal);
    lines.push(`   ${visible.length} tasks: ${visible.filter((t) => t.state === 'ok').length} ok, `
      + `${visible.filter((t) => t.state === 'exception').length} raised, ${visible.filter((t) => t.state === 'cancelled').length} cancelled, `
      + `${visible.filter((t) => t.state === 'pending').length} pending`);
    for (const block of summary.blocking) {
      lines.push(`   ⚠ blocking: ${block.function} held the loop ${duration(block.duration)}${atPlace({ line: block.line, file: block.file ?? undefined })}`);
    }
    const error = session.model.end?.error;
    if (error) lines.push(`   error: ${errorText(error)}${error.line ? ` (${place(error)})` : ''}`);
    if (summary.malformed) lines.push(`   ${summary.malformed} malformed event lines were skipped`);
    if (result.message) lines.push(`   ${result.message}`);
    if (typeof out === 'string') lines.push(`   trace saved to ${out} (${session.decoder.stats.events} events)`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (result.outcome === 'not-runnable' && result.end?.error) {
    process.stderr.write(`loopscope: ${result.end.error.message}\n`);
  }
  return exitCodeOf(result);
}

async function loadModel(path: string | undefined): Promise<TraceModel> {
  if (!path) throw new UsageError('a trace file is needed, e.g. one written by loopscope trace --out');
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a directory, not a trace file`);
  const model = new TraceModel();
  const read = await readTraceFile(path, (event) => model.apply(event));
  if (read.fatal) throw new UsageError(read.fatal);
  if (!model.start) throw new UsageError(`${path} is not a Loopscope trace (no start event; ${read.stats.malformed} malformed lines)`);
  if (read.stats.malformed) process.stderr.write(`loopscope: skipped ${read.stats.malformed} malformed lines in ${path}\n`);
  if (read.partial) process.stderr.write(`loopscope: ${path}: ${partialMessage(read)}\n`);
  return model;
}

function stateJson(model: TraceModel, state: StateAfterTick) {
  return {
    loop: state.tick.loop,
    tick: state.tick.n,
    time: state.tick.t,
    /** The moment shown: just after `tick` ran; `ready` is the queue of tick `next`. */
    moment: 'after',
    next: state.next?.n ?? null,
    tasks: state.tasks.map((s) => ({
      id: s.task.id, name: s.task.name, coroutine: s.task.coro, label: s.task.label,
      state: s.state === 'done' ? s.doneState : s.state, line: s.line, file: s.file ?? null, stack: s.stack, reason: s.reason ?? null,
    })),
    ready: state.ready.map((entry) => (typeof entry === 'number' ? { task: entry, name: model.taskById(entry)?.name ?? null } : entry)),
    timers: state.timers.map((t) => ({ id: t.id, when: t.when, fn: t.fn, line: t.line ?? null, file: t.file ?? null, task: t.task ?? null })),
    ran: state.ran.map((a) => ('callback' in a
      ? { callback: a.callback.fn, line: a.callback.line ?? null, file: a.callback.file ?? null, duration: a.callback.dur }
      : { task: a.task, from: a.from, fromFile: a.fromFile ?? null, to: a.to, file: a.file ?? null, duration: model.durationOf(a) })),
  };
}

function stateText(model: TraceModel, state: StateAfterTick): string {
  const loopTicks = model.loops.get(state.tick.loop)?.ticks.length ?? 0;
  const lines = [`Loop ${state.tick.loop}, after tick ${state.tick.n} of ${loopTicks}, ${loopTime(state.tick.t)}`, '', 'Tasks:'];
  for (const snapshot of state.tasks) if (!snapshot.task.internal) lines.push(`  ${describeSnapshot(snapshot, model)}`);
  lines.push('');
  if (state.next) {
    lines.push(`Ready queue for tick ${state.next.n} (runs in this order):`);
    if (state.ready.length === 0) lines.push('  (empty)');
    state.ready.forEach((entry, i) => lines.push(`  ${i + 1}. ${describeReadyEntry(entry, model)}`));
  } else lines.push('Ready queue: the loop ran no further tick.');
  lines.push('', 'Pending timers:');
  if (state.timers.length === 0) lines.push('  (none)');
  for (const timer of state.timers) {
    const task = timer.task !== undefined ? model.taskById(timer.task) : undefined;
    lines.push(`  ${loopTime(timer.when)}  ${timer.fn}${task ? ` (wakes ${taskName(task)})` : ''}`);
  }
  lines.push('', `Ran in tick ${state.tick.n}:`);
  if (state.ran.length === 0) lines.push('  (nothing)');
  for (const activity of state.ran) {
    if (!('callback' in activity)) {
      const task = model.taskById(activity.task);
      if (task) lines.push(`  ${taskName(task)}: ${stepPlaces(activity, task)}`);
    } else {
      const callback = activity.callback;
      const words = callback.line === undefined ? asyncioWords(callback.fn) : undefined;
      lines.push(`  callback ${callback.fn}${callback.line ? ` (${place(callback)})` : ''}${words ? `: ${words}` : ''}`);
    }
  }
  return lines.join('\n');
}

async function show(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['tick', 'time', 'loop'], ['json']);
  const model = await loadModel(parsed.positional[0]);
  const tickOption = numberOption(parsed, 'tick', true);
  const timeOption = numberOption(parsed, 'time');
  const loopId = numberOption(parsed, 'loop', true) ?? model.loops.keys().next().value;
  if (tickOption === undefined && timeOption === undefined) {
    for (let index = 0; index < model.ticks.length; index++) {
      process.stdout.write(`${JSON.stringify(stateJson(model, stateAfter(model, index)!))}\n`);
    }
    return 0;
  }
  const loop = loopId !== undefined ? model.loops.get(loopId) : undefined;
  if (!loop) throw new UsageError(loopId === undefined ? 'the trace has no loop' : `no loop ${loopId} in the trace`);
  let index: number | undefined;
  if (tickOption !== undefined) {
    if (tickOption < 1 || tickOption > loop.ticks.length) throw new UsageError(`loop ${loop.id} has ticks 1 to ${loop.ticks.length}`);
    index = loop.ticks[tickOption - 1];
  } else index = model.tickAtTime(timeOption!, loop.id);
  const state = index !== undefined ? stateAfter(model, index) : undefined;
  if (!state) throw new UsageError('no such tick');
  process.stdout.write(parsed.options.has('json') ? `${JSON.stringify(stateJson(model, state))}\n` : `${stateText(model, state)}\n`);
  return 0;
}

async function lanes(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['by', 'width'], []);
  const by = parsed.options.get('by') ?? 'tick';
  if (by !== 'tick' && by !== 'time') throw new UsageError('--by is tick or time');
  const model = await loadModel(parsed.positional[0]);
  const width = numberOption(parsed, 'width', true) ?? Math.max(40, (process.stdout.columns ?? 100) - 2);
  process.stdout.write(drawLanes(model, { by, width, color: process.stdout.isTTY === true }));
  return 0;
}

async function exportTrace(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['chrome'], []);
  const target = parsed.options.get('chrome');
  if (typeof target !== 'string') throw new UsageError('export needs --chrome <out.json>');
  const model = await loadModel(parsed.positional[0]);
  writeFileSync(target, JSON.stringify(toChromeTrace(model)));
  process.stdout.write(`wrote ${target}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return command ? 0 : 2;
  }
  const commands: Record<string, (args: string[]) => Promise<number>> = { trace, show, lanes, export: exportTrace };
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command "${command}" (trace, show, lanes, export)`);
  const helpAt = args.indexOf('--help');
  const dashDash = args.indexOf('--');
  if (helpAt >= 0 && (dashDash < 0 || helpAt < dashDash)) {
    process.stdout.write(`${HELP[command]}\n`);
    return 0;
  }
  return run(args);
}

// `loopscope trace ... | head`: once the reader of our output has gone (EPIPE), nothing more can
// be shown. Stop the traced program cleanly (a trace being saved with --out keeps what was
// recorded), drop the rest of the output and end quietly with 141, the status of a pipeline
// member that SIGPIPE stopped.
const SIGPIPE_STATUS = 141;
let outputGone = false;
let stopTracing: (() => void) | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && !outputGone) throw error;
    outputGone = true;
    process.exitCode = SIGPIPE_STATUS;
    stopTracing?.();
  });
}

main(process.argv.slice(2)).then((code) => { process.exitCode = outputGone ? SIGPIPE_STATUS : code; }, (error: unknown) => {
  process.stderr.write(`loopscope: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
