// The one vocabulary (issue 13.5): how every view names a task, a callback and a wait, and
// formats loop times, durations and places ({line, file}). The panel, the editor, the narration
// and the CLI import these, so a task is called the same everywhere. Only restates what the tracer
// reported; it never infers asyncio behaviour. Which moment a view shows is defined in moment.ts:
// "at tick N" is the loop just after tick N ran, labelled with afterTick()/beforeTick().
// Pure: no Node, no vscode, no DOM.
import type { ErrorInfo, ErrorLeaf, ReadyEntry, WaitReason } from '../protocol/events';
import type { TaskInfo, TaskSnapshot, Tick, TraceModel } from './model';

// ---- times and places --------------------------------------------------------------------------

export function seconds(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** A loop time: `t=3.000` (one decimal from 1000 s on). */
export function loopTime(t: number): string {
  return `t=${seconds(t, Math.abs(t) >= 1000 ? 1 : 3)}`;
}

/** A duration in seconds, in the unit that reads best: 12 µs, 3.4 ms, 1.25 s, 2 min 5 s. */
export function duration(value: number): string {
  const s = Math.abs(value);
  const trim = (n: number, decimals: number) => String(Number(n.toFixed(decimals)));
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${trim(value * 1e6, 0)} µs`;
  if (s < 1) return `${trim(value * 1e3, s < 0.01 ? 2 : 1)} ms`;
  if (s < 60) return `${trim(value, 3)} s`;
  const minutes = Math.floor(s / 60);
  return `${value < 0 ? '-' : ''}${minutes} min ${trim(s - minutes * 60, 1)} s`;
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** A place in the program: `file` is set when it is not the scenario file. */
export interface Place {
  line?: number | null;
  file?: string;
}

/** `line 12`, or `helpers.py:12` in another file; `` when the line is unknown. */
export function place({ line, file }: Place): string {
  if (line === null || line === undefined) return file ? basename(file) : '';
  return file ? `${basename(file)}:${line}` : `line ${line}`;
}

/** ` at line 12` / ` at helpers.py:12`, or nothing when the line is unknown. */
export function atPlace(where: Place): string {
  const text = place(where);
  return text && where.line !== null && where.line !== undefined ? ` at ${text}` : '';
}

/** `tick 4`, or `tick 4 of loop 2` when the trace has several loops. */
export function tickName(tick: Tick, model: TraceModel): string {
  return `tick ${tick.n}${model.loops.size > 1 ? ` of loop ${tick.loop}` : ''}`;
}

/** The moment every view shows at the cursor (moment.ts): `after tick 4`. */
export function afterTick(tick: Tick, model: TraceModel): string {
  return `after ${tickName(tick, model)}`;
}

/** The moment a tick starts from: `before tick 4`. */
export function beforeTick(tick: Tick, model: TraceModel): string {
  return `before ${tickName(tick, model)}`;
}

// ---- tasks -------------------------------------------------------------------------------------

/** asyncio's default task names, `Task-12`: the program gave the task no name of its own. */
function hasDefaultName(task: TaskInfo): boolean {
  return /^Task-\d+$/.test(task.name);
}

/** The function a task runs, without its class or enclosing function: `download`. */
function functionName(task: TaskInfo): string {
  return task.coro.split('.').pop() || task.coro;
}

/**
 * The arguments of a call label `fetch(a, 'b', x=1)` as written, split at its top-level commas;
 * undefined when the label is not a call. The tracer shortens long reprs (`<Task pend...py:12>>`),
 * so brackets may not balance: depth never goes below zero.
 */
function callArguments(label: string): string[] | undefined {
  const open = label.indexOf('(');
  if (open <= 0 || !label.endsWith(')')) return undefined;
  const inner = label.slice(open + 1, -1);
  const args: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{<'.includes(c)) depth++;
    else if (')]}>'.includes(c)) depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      args.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = inner.slice(start).trim();
  if (last || args.length) args.push(last);
  return args;
}

const LONG_FLOAT = /^(-?)(\d+)\.(\d{4,})(e[-+]?\d+)?$/;

/** A float argument with many digits, shortened: 0.006543210 → 0.0065, 19.87654 → 19.88. */
function shortFloat(text: string): string {
  const match = LONG_FLOAT.exec(text);
  if (!match || match[4]) return text;
  const value = Number(text);
  const short = Math.abs(value) >= 1 ? Number(value.toFixed(2)) : Number(value.toPrecision(2));
  const out = String(short);
  return /[.e]/.test(out) ? out : `${out}.0`;
}

/**
 * An argument as shown: long floats shortened (`x=0.0065` too), and an object's repr that the
 * tracer cut short (`<Task pend...nce.py:12>>`) down to its type: `<Task…>`.
 */
function shortArgument(arg: string): string {
  const keyword = /^([A-Za-z_]\w*)=(.*)$/s.exec(arg);
  if (keyword) return `${keyword[1]}=${shortArgument(keyword[2])}`;
  const cut = /^<(\S*?)(?:\.\.\.|\s[^]*?\.\.\.)/.exec(arg);
  return cut ? `<${cut[1]}…>` : shortFloat(arg);
}

/** The call a task runs, as shown: `worker(19, 0.0065)`. */
export function callLabel(task: TaskInfo): string {
  const args = callArguments(task.label);
  if (!args) return task.label || `${functionName(task)}()`;
  return `${task.label.slice(0, task.label.indexOf('('))}(${args.map(shortArgument).join(', ')})`;
}

/**
 * What every view calls a task: the name the program gave it (`name=`), else the call it runs
 * (`download('cat.jpg', 1)`); asyncio's own tasks by their function (`shutdown_asyncgens`), as
 * their arguments are the loop itself.
 */
export function taskName(task: TaskInfo): string {
  let name = names.get(task);
  if (name === undefined) {
    name = !hasDefaultName(task) ? task.name : task.internal ? functionName(task) : callLabel(task);
    names.set(task, name);
  }
  return name;
}

/** taskName of each task, worked out once: views ask for thousands of names per cursor move. */
const names = new WeakMap<TaskInfo, string>();

/** The long form, for a line of its own (CLI, hovers): `downloader (fetch('a.com'))` for a named task. */
export function fullTaskName(task: TaskInfo): string {
  return hasDefaultName(task) || task.internal ? taskName(task) : `${task.name} (${callLabel(task)})`;
}

/** The short form for tight spaces (editor decorations): the program's name, else the function. */
export function shortTaskName(task: TaskInfo): string {
  return hasDefaultName(task) ? functionName(task) : task.name;
}

/** A task named by its id, for views that hold only the id. */
export function taskNameById(id: number | undefined, model?: TraceModel): string {
  if (id === undefined) return 'a task';
  const task = model?.taskById(id);
  return task ? taskName(task) : `task ${id}`;
}

/**
 * Names for tasks shown side by side that cannot all be told apart in `width` characters: tasks of
 * one function whose names would read alike drop the arguments they share, keeping those that
 * differ: `fetch(…, 'https://b.example/')`. Names that still collide are kept whole (views add the
 * id). Every task of `tasks` gets an entry.
 */
export function distinctNames(tasks: readonly TaskInfo[], width = 32): Map<number, string> {
  const names = new Map<number, string>();
  const byFunction = new Map<string, TaskInfo[]>();
  for (const task of tasks) {
    names.set(task.id, taskName(task));
    if (!hasDefaultName(task) || task.internal) continue;
    const group = byFunction.get(task.coro);
    if (group) group.push(task);
    else byFunction.set(task.coro, [task]);
  }
  for (const group of byFunction.values()) {
    const cut = (task: TaskInfo) => names.get(task.id)!.slice(0, width);
    if (group.length < 2 || new Set(group.map(cut)).size === group.length) continue;
    const args = group.map((task) => callArguments(callLabel(task)));
    const count = args[0]?.length;
    if (count === undefined || args.some((a) => a?.length !== count)) continue;
    const shared = args[0]!.map((arg, i) => args.every((a) => a![i] === arg));
    if (!shared.includes(false)) continue;
    group.forEach((task, j) => {
      const kept: string[] = [];
      args[j]!.forEach((arg, i) => {
        if (!shared[i]) kept.push(arg);
        else if (kept[kept.length - 1] !== '…') kept.push('…');
      });
      names.set(task.id, `${functionName(task)}(${kept.join(', ')})`);
    });
  }
  return names;
}

// ---- asyncio's own callbacks and tasks, in plain words -----------------------------------------

/**
 * What asyncio's own functions do, in the learner's words: the callbacks and tasks the loop runs
 * for gather, wait_for, sockets, threads and asyncio.run itself. Keyed by the qualified name the
 * tracer reports. A glossary of asyncio's code, not a guess about the program: a function missing
 * here is named as it is.
 */
const ASYNCIO_WORDS: Record<string, string> = {
  '_set_result_unless_cancelled': 'asyncio.sleep\'s timer ended the sleep',
  'gather.<locals>._done_callback': 'gather noticed that one of its children finished',
  '_wait.<locals>._on_completion': 'asyncio.wait noticed that one of its tasks finished',
  'TaskGroup._on_task_done': 'the TaskGroup noticed that one of its tasks finished',
  '_release_waiter': 'wait_for stopped waiting (the awaited task finished, or the deadline passed)',
  'Timeout._on_timeout': 'the asyncio.timeout deadline passed: it cancels the task inside',
  'shield.<locals>._inner_done_callback': 'shield passed the shielded task\'s outcome on',
  'shield.<locals>._outer_done_callback': 'shield noticed that its outer future ended',
  '_run_until_complete_cb': 'asyncio.run saw its coroutine finish and stops the loop',
  'BaseEventLoop.shutdown_asyncgens': 'asyncio.run closing async generators',
  'BaseEventLoop.shutdown_default_executor': 'asyncio.run stopping the default thread pool',
  '_chain_future.<locals>._set_state': 'a worker thread\'s result arrived in the loop',
  '_chain_future.<locals>._call_check_cancel': 'asyncio passed a finished executor job\'s state on',
  'Future.set_result': 'a future got its result',
  'BaseSelectorEventLoop._read_from_self': 'the loop read the byte another thread sent to wake it',
  'BaseEventLoop.call_soon': 'another thread scheduled a callback',
  '_SelectorSocketTransport._read_ready': 'data arrived on a socket',
  '_SelectorSocketTransport._write_ready': 'a socket could take more data',
  'BaseSelectorEventLoop._accept_connection': 'a connection came in',
  'BaseSelectorEventLoop._accept_connection2': 'setting up an accepted connection',
  'BaseSelectorEventLoop._sock_accept': 'a connection came in',
  'BaseSelectorEventLoop._sock_connect_cb': 'a connection was made',
  'BaseSelectorEventLoop._sock_read_done': 'a socket read finished',
  'BaseSelectorEventLoop._sock_write_done': 'a socket write finished',
  'BaseEventLoop._create_server_getaddrinfo': 'looking up the server\'s address',
  'Server.serve_forever': 'the server accepting connections',
  'StreamReaderProtocol.connection_made': 'a stream connection was set up',
  'StreamReaderProtocol.connection_made.<locals>.callback': 'a stream connection was handed to its handler',
  '_SelectorSocketTransport._call_connection_lost': 'a connection closed',
  '_SelectorTransport._add_reader': 'a transport started watching its socket',
  'BaseSubprocessTransport._connect_pipes': 'connecting a subprocess\'s pipes',
  'BaseSubprocessTransport._process_exited': 'a subprocess exited',
  'BaseSubprocessTransport._call_connection_lost': 'a subprocess\'s pipes closed',
  'SubprocessStreamProtocol.connection_made': 'a subprocess was connected',
  'SubprocessStreamProtocol.process_exited': 'a subprocess exited',
  '_UnixSelectorEventLoop._child_watcher_callback': 'the child watcher saw a subprocess exit',
};

/** What an asyncio function does, in plain words; undefined for one not in the glossary. */
export function asyncioWords(fn: string): string | undefined {
  return ASYNCIO_WORDS[fn];
}

/** asyncio's own functions that shut asyncio.run down (their ticks are told as one). */
export function isShutdownWork(fn: string): boolean {
  return fn === '_run_until_complete_cb' || fn.endsWith('.shutdown_asyncgens') || fn.endsWith('.shutdown_default_executor');
}

// ---- waits -------------------------------------------------------------------------------------

/**
 * The wait reason as one sentence, naming tasks the way every view does (in `code spans` with
 * `code`, for the narration).
 */
export function reasonText(reason: WaitReason | undefined, model?: TraceModel, code = false): string {
  if (!reason) return 'waiting';
  const name = (id: number) => (code ? `\`${taskNameById(id, model)}\`` : taskNameById(id, model));
  if (reason.kind === 'task' && reason.task !== undefined) return `awaiting ${name(reason.task)}`;
  if (reason.kind === 'shield' && reason.task !== undefined) return `awaiting ${name(reason.task)} through asyncio.shield`;
  return reason.text;
}

/**
 * What the task was waiting on, without the counts that were true when it began to wait, worded
 * to follow "it was": `in asyncio.gather`, `in asyncio.sleep(2)`, `awaiting \`fetch()\``,
 * `waiting for Event.set()` (the reason's text up to its first colon).
 */
export function waitedOn(reason: WaitReason, model?: TraceModel, code = false): string {
  if ((reason.kind === 'task' || reason.kind === 'shield') && reason.task !== undefined) return reasonText(reason, model, code);
  const colon = reason.text.indexOf(': ');
  const what = colon > 0 ? reason.text.slice(0, colon) : reason.text;
  if (/^(a?waiting|connecting|serving) /.test(what)) return what;
  return `${what.startsWith('end of ') ? 'at the' : 'in'} ${what}`;
}

/** A compact reason for an after-line decoration, e.g. `sleep 5s → t=5.000`. */
export function shortReason(reason: WaitReason | undefined, model?: TraceModel): string {
  if (!reason) return 'waiting';
  switch (reason.kind) {
    case 'sleep':
      return typeof reason.delay === 'number' && reason.wake !== undefined
        ? `sleep ${+reason.delay.toFixed(3)}s → ${loopTime(reason.wake)}` : 'sleep';
    case 'yield': return 'yield (back in the ready queue)';
    case 'task': return `awaits ${model ? shortNameById(reason.task, model) : 'a task'}`;
    case 'gather': return reason.pending !== undefined && reason.children
      ? `gather ${reason.children.length - reason.pending}/${reason.children.length} done` : 'gather';
    case 'queue_get': case 'queue_put': case 'queue_join':
      return `${reason.kind.replace('_', '.')}${reason.size !== undefined ? ` (size ${reason.size}${reason.maxsize ? `/${reason.maxsize}` : ''})` : ''}`;
    case 'executor': return `executor ${reason.fn ?? ''}${reason.thread ? ` on ${reason.thread}` : ''}`.trim();
    case 'io_read': case 'io_write': case 'io_connect': case 'io_accept':
      return `${reason.kind.replace('_', ' ')}${reason.peer ? ` ${reason.peer}` : ''}`;
    case 'wait_for': case 'timeout':
      return typeof reason.deadline === 'number' ? `${reason.kind} until ${loopTime(reason.deadline)}` : reason.kind;
    default: return reason.kind.replace('_', ' ');
  }
}

function shortNameById(id: number | undefined, model: TraceModel): string {
  const task = id !== undefined ? model.taskById(id) : undefined;
  return task ? shortTaskName(task) : 'a task';
}

// ---- exceptions ----------------------------------------------------------------------------------

/** The leaf exceptions of an ExceptionGroup (protocol 2.1), checked: a hostile trace may hold anything. */
export function errorLeaves(error: ErrorInfo): ErrorLeaf[] {
  const leaves: unknown = error.leaves;
  return Array.isArray(leaves) ? leaves.filter((l): l is ErrorLeaf => typeof l?.type === 'string' && typeof l.message === 'string') : [];
}

/**
 * An exception in one line, an ExceptionGroup with its leaves:
 * `ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception): RuntimeError("boom")`.
 */
export function errorText(error: ErrorInfo): string {
  const text = `${error.type}${error.message ? `: ${error.message}` : ''}`;
  const leaves = errorLeaves(error);
  if (leaves.length === 0) return text;
  const named = leaves.slice(0, 3).map((leaf) => `${leaf.type}(${JSON.stringify(leaf.message)})`);
  return `${text}: ${named.join(', ')}${leaves.length > 3 ? ` and ${leaves.length - 3} more` : ''}`;
}

// ---- one line per task or ready entry (CLI, hovers) ---------------------------------------------

/** One line describing a task at a moment, as the CLI and the hover say it. */
export function describeSnapshot(snapshot: TaskSnapshot, model: TraceModel): string {
  const where = atPlace(snapshot);
  const who = fullTaskName(snapshot.task);
  switch (snapshot.state) {
    case 'done': {
      const done = snapshot.task.done!;
      if (done.state === 'ok') return `${who}: done${done.result !== undefined ? ` → ${done.result}` : ''}`;
      if (done.state === 'cancelled') return `${who}: cancelled`;
      return `${who}: raised ${done.error ? errorText(done.error) : 'an exception'}`;
    }
    case 'new': return `${who}: created, not started yet`;
    case 'ready': return `${who}: ready, in the ready queue${where}`;
    case 'suspended': return `${who}: suspended${where}: ${reasonText(snapshot.reason, model)}`;
  }
}

export function describeReadyEntry(entry: ReadyEntry, model: TraceModel): string {
  if (typeof entry === 'number') return `step ${taskNameById(entry, model)}`;
  const words = entry.line === undefined ? asyncioWords(entry.fn) : undefined;
  return `${entry.kind === 'timer' ? 'timer' : 'callback'} ${entry.fn}${atPlace(entry) ? ` (${place(entry)})` : ''}${words ? `: ${words}` : ''}`;
}
