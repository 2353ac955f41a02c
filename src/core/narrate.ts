// "Explain this tick": a few plain sentences about one tick of a loop, built only from the trace:
// why the loop woke up, what each entry of its ready queue did, and why what is ready next is ready
// in that order. It starts from the moment before the tick and ends on the moment every view shows
// at the cursor, after it (moment.ts). Nothing here is written per example; names, times and places
// come from describe.ts, the one vocabulary. asyncio's own shutdown work at the end of a loop is told
// once for all its ticks. Shared by the webview (#narration), the extension and tests: no vscode, no DOM.
import type { CallbackRef, WaitReason, Waker } from '../protocol/events';
import {
  afterTick, asyncioWords, atPlace, ownerNote, type Place, beforeTick, duration, errorLeaves, isShutdownWork, loopTime, place, reasonText, seconds, taskName, tickName,
  waitedOn, wakerText,
} from './describe';
import { firstIndex, stepOf, type Activity, type JobInfo, type LoopInfo, type Step, type TaskInfo, type Tick, type TimerInfo, type TraceModel } from './model';
import { nextTickOfLoop, previousTickOfLoop } from './moment';

/** Lists longer than this name their first items and say how many more. */
const MAX_LISTED = 6;
const MAX_PRINTED = 3;
/** A tick that runs more entries than this tells the first ones and counts the rest. */
const MAX_TOLD = 8;

/**
 * The narration of global tick `index` (see model.ts): one paragraph per line, `\n`-separated
 * (show it with `white-space: pre-line`); `code spans` hold names and calls. Empty for an index
 * with no tick.
 */
export function narrateTick(model: TraceModel, index: number): string {
  return narrateTickParagraphs(model, index).join('\n');
}

export function narrateTickParagraphs(model: TraceModel, index: number): string[] {
  const tick = model.ticks[index];
  if (!tick) return [];
  const shutdown = shutdownTicks(model, tick.loop);
  if (shutdown.includes(index)) return shutdownParagraphs(model, shutdown);
  const nextIndex = nextTickOfLoop(model, index);
  const next = nextIndex !== undefined ? model.ticks[nextIndex] : undefined;
  // This runs on every cursor move, on ticks of up to 10,000 ready entries: the steps of this tick
  // and of the next are looked up by task id (arrays), not searched for per task.
  const ran = model.activityAt(index);
  const lastHere = lastStepOfEach(ran);
  const lastNext = next ? lastStepOfEach(model.activityAt(next.index)) : [];
  // Both moments, named: what the tick began with (here), then what it left ("After tick N:").
  let opening = header(model, index);
  if (tick.ready.length > 1) {
    const queue = tick.ready.slice(0, MAX_LISTED + 1).map((e) => entryRef(model, e));
    opening += ` ${capitalize(beforeTick(tick, model))}, the ready queue held ${listSome(queue, tick.ready.length, 'entries')}; `
      + 'the tick runs them first in, first out.';
  }
  const paragraphs: string[] = [opening];

  // Tasks whose waking up is already told (by their timer, their creation), so "ready" skips them.
  const explained = new Set<number>();
  // By task id: whether the task is in the next tick's ready queue.
  const nextReady: boolean[] = [];
  for (const entry of next?.ready ?? []) if (typeof entry === 'number') nextReady[entry] = true;
  // A timer's task is in the next ready queue: that the timer woke it is said when protocol 2.1's
  // `by` says so, or when the trace has no `by` (the timer is the one the tracer tied to the task).
  // Undefined when `by` says something else woke it (the ready queue's sentences tell that).
  const runsNext = (id: number, timer: number): string | undefined => {
    if (!next || !nextReady[id]) return '';
    const step = lastNext[id];
    const by = step ? model.wakerOf(step) : undefined;
    return !by || (by.kind === 'timer' && by.timer === timer) ? `, so it became ready and runs in tick ${next.n}` : undefined;
  };

  // What ran, in ready-queue order, each step matched to its task's entry in the order they ran.
  // Entries in a row that read alike are told once with a count; past MAX_TOLD sentences the rest
  // is only counted (a tick can run 10,000 entries, and this runs on every cursor move).
  // By task id: its steps in this tick in the order they ran (one, or several), taken in turn.
  const steps: (Step | Step[] | undefined)[] = [];
  for (const a of ran) {
    const step = stepOf(a);
    if (!step) continue;
    const known = steps[step.task];
    if (known === undefined) steps[step.task] = step;
    else if (Array.isArray(known)) known.push(step);
    else steps[step.task] = [known, step];
  }
  const nextStepOf = (id: number): Step | undefined => {
    const known = steps[id];
    if (!Array.isArray(known)) {
      steps[id] = undefined;
      return known;
    }
    return known.shift();
  };
  const blocked = new Set(model.blocking.filter((b) => b.tick === index && b.what === 'step').map((b) => b.task));
  let reasons: Map<number, WaitReason | undefined> | undefined;
  // One row per run of alike entries: a step (its task, its name and step), or a callback's sentence.
  const told: { task?: TaskInfo; name?: string; step?: Step; callback?: string; position: number; count: number }[] = [];
  let position = 0;
  for (; position < tick.ready.length; position++) {
    const entry = tick.ready[position];
    const last = told[told.length - 1];
    if (typeof entry === 'number') {
      const task = model.taskById(entry);
      if (!task) continue;
      const step = nextStepOf(entry);
      const name = taskName(task);
      if (last?.task && last.name === name && alike(index, last.task, last.step, task, step, blocked)) last.count++;
      else if (told.length < MAX_TOLD) told.push({ task, name, step, position, count: 1 });
      else break;
    } else {
      reasons ??= new Map(model.stateBefore(index)!.tasks.map((snapshot) => [snapshot.task.id, snapshot.reason]));
      const callback = callbackSentence(model, entry, reasons, index, runsNext, explained);
      if (last?.callback === callback) last.count++;
      else if (told.length < MAX_TOLD) told.push({ callback, position, count: 1 });
      else break;
    }
  }
  // Timers not told still explain why their task is ready.
  for (const entry of tick.ready.slice(position)) {
    const timer = typeof entry === 'object' && entry.timer !== undefined ? model.timerInfo(entry.timer) : undefined;
    if (timer?.task !== undefined && runsNext(timer.task, timer.id) !== undefined) explained.add(timer.task);
  }
  for (const { task, step, callback, position: at, count } of told) {
    const text = callback ?? stepSentence(model, task!, step, index, count === 1 ? at : undefined);
    paragraphs.push(count > 1 ? `${text.replace(/\.$/, '')} (${count} times).` : text);
  }
  if (position < tick.ready.length) {
    paragraphs.push(`…and ${tick.ready.length - position} more entries (${tick.ready.length} in the ready queue in all).`);
  }
  for (const b of model.blocking) {
    if (b.tick === index && b.what !== 'step') {
      paragraphs.push(`The ${b.what === 'tick' ? 'tick' : `callback \`${b.fn}\``} held the loop for ${duration(b.dur)}`
        + `${atPlace(b)}: nothing else could run meanwhile (blocking).`);
    }
  }

  // Waits that changed while the task stayed suspended (protocol 2.1 `reason`), the last word for each.
  const changed = new Map(model.reasonChangesIn(index).map((change) => [change.task, change.reason]));
  for (const [id, reason] of [...changed].slice(0, MAX_TOLD)) {
    paragraphs.push(`${refById(model, id)} still waits, now ${reasonText(reason, model, true).replace(/^[A-Z](?=[a-z ])/, (c) => c.toLowerCase())}.`);
  }

  const printed = printedIn(model, index, index, tick.loop);
  if (printed.length > 0) paragraphs.push(printedSentence(printed));

  const timers = timerAndJobSentences(model, index, tick.loop);
  paragraphs.push(...timers.slice(0, MAX_TOLD));
  if (timers.length > MAX_TOLD) paragraphs.push(`…and ${timers.length - MAX_TOLD} more timers and jobs.`);
  const ready = next ? readySentences(model, index, next, nextReady, explained, lastHere, lastNext) : { told: [], whole: false };
  const afterward = ready.told;
  // The queue in order, unless one sentence already named all of it in that order.
  if (next && next.ready.length > 1 && !ready.whole) afterward.push(capitalize(queueSentence(model, next, index, lastNext)));
  if (nextIndex !== undefined && shutdown[0] === nextIndex) {
    afterward.push(`Every task of the program has finished; ${ticksText(model, shutdown)} ${shutdown.length > 1 ? 'are' : 'is'} `
      + 'asyncio.run shutting down.');
  }
  if (afterward.length > 0) afterward[0] = `${capitalize(afterTick(tick, model))}: ${afterward[0].replace(/^[A-Z](?=[a-z ])/, (c) => c.toLowerCase())}`;
  paragraphs.push(...afterward);
  if (!next && model.loops.get(tick.loop)?.closedAt !== undefined) paragraphs.push('This was the loop\'s last tick; then the loop closed.');
  return paragraphs;
}

/** The output printed during global ticks `from`..`to` by `loop` (or by no loop: after it closed). */
function printedIn(model: TraceModel, from: number, to: number, loop: number): TraceModel['output'] {
  const printed: TraceModel['output'] = [];
  for (let i = firstIndex(model.output, (o) => o.tick >= from); i < model.output.length && model.output[i].tick <= to; i++) {
    const o = model.output[i];
    if (o.loop === undefined || o.loop === loop) printed.push(o);
  }
  return printed;
}

function printedSentence(printed: TraceModel['output']): string {
  const shown = printed.slice(0, MAX_PRINTED).map((o) => `“${o.text}”`);
  const more = printed.length - shown.length;
  return `Printed: ${shown.join(', ')}${more > 0 ? ` and ${more} more line${more > 1 ? 's' : ''}` : ''}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function header(model: TraceModel, index: number): string {
  const tick = model.ticks[index];
  let text = `${capitalize(tickName(tick, model))}, ${loopTime(tick.t)}.`;
  if (tick.jump > 0) text += ` Nothing was ready, so the virtual clock jumped ${seconds(tick.jump)} s ahead to the next timer.`;
  else if (tick.waited >= 0.001) text += ` The loop waited ${duration(tick.waited)} for a timer, I/O or another thread.`;
  if (tick.io && tick.io.length > 0) {
    const ready = tick.io.map((io) => `socket ${io.fd}${io.peer ? ` (${io.peer})` : ''} ${ioWord(io.events)}`);
    text += ` The operating system reported ${listOf(ready)}.`;
  }
  // Executor jobs that ended while the loop was between its previous tick and this one.
  const previousIndex = previousTickOfLoop(model, index);
  const previous = previousIndex !== undefined ? model.ticks[previousIndex] : undefined;
  for (const job of model.jobs.values()) {
    if (job.loop === tick.loop && job.endWall !== undefined && job.endWall <= tick.wall
      && (previous === undefined || job.endWall > previous.wall)) {
      text += ` Meanwhile worker thread ${job.thread ?? '?'} finished \`${job.fn}\` (job ${job.id}).`;
    }
  }
  return text;
}

function ioWord(events: string): string {
  if (events === 'r') return 'readable';
  if (events === 'w') return 'writable';
  if (events === 'rw') return 'readable and writable';
  return 'ready';
}

/** A task as the narration names it: `download('cat.jpg', 1)`, in a code span. */
function ref(task: TaskInfo | undefined, id?: number): string {
  if (!task) return `task ${id ?? '?'}`;
  return `\`${taskName(task)}\`${ownerNote(task)}`;
}

function refById(model: TraceModel, id: number | undefined): string {
  return id === undefined ? 'a task' : ref(model.taskById(id), id);
}

/** What a step did; `position` (in the tick's ready queue) tells, for a yield, what it went behind. */
function stepSentence(model: TraceModel, task: TaskInfo, step: Step | undefined, index: number, position?: number): string {
  const who = ref(task);
  const done = task.done && task.done.tick === index ? task.done : undefined;
  if (!step) return done ? `${who} ${doneText(done, {})}.` : `${who} was in the ready queue but took no step.`;
  const first = task.steps[0] === step;
  const from = atPlace({ line: step.from, file: step.fromFile });
  let text = `${who} ${first ? 'started' : 'resumed'}${from}`;
  // A finished task is known from its `done` event: `to` is also null while a task waits only in
  // asyncio's own frames.
  if (done) text += ` and ${doneText(done, { line: step.from, file: step.fromFile })}`;
  else if (step.reason?.kind === 'yield') {
    const how = waitedOn(step.reason).replace(/^in /, '');
    const there = step.to === step.from && step.file === step.fromFile ? ' there' : atPlace({ line: step.to, file: step.file });
    text += ` and yielded${there}${how.startsWith('yielded') ? '' : ` (${how})`}, going to the back of the ready queue`;
    if (position !== undefined) text += behind(model, index, position);
  } else {
    text += ` and suspended${atPlace({ line: step.to, file: step.file })}: ${reasonText(step.reason, model, true)}`;
  }
  text += '.';
  const blocking = model.blocking.find((b) => b.tick === index && b.what === 'step' && b.task === task.id);
  if (blocking) {
    text += ` This step held the loop for ${duration(blocking.dur)}${blocking.line !== null ? `, busy${atPlace(blocking)}` : ''}:`
      + ' it never reached an await, so nothing else could run meanwhile (blocking).';
  }
  return text;
}

/** `, behind X and Y, which had not run yet`: the entries of the tick's ready queue after `position`. */
function behind(model: TraceModel, index: number, position: number): string {
  const ready = model.ticks[index].ready;
  const left = ready.length - position - 1;
  if (left <= 0) return '';
  if (left > 3) return `, behind the ${left} entries that had not run yet`;
  return `, behind ${listOf(ready.slice(position + 1).map((e) => entryRef(model, e)))}, which had not run yet`;
}

/**
 * Whether two steps read alike, without writing their sentences: a tick of 10,000 entries tells
 * runs of alike steps once. (Where a step stands in the queue is left out: `behind` differs.)
 */
function alike(index: number, a: TaskInfo, x: Step | undefined, b: TaskInfo, y: Step | undefined, blocked: Set<number | undefined>): boolean {
  // (Their names are compared by the caller, which has them at hand.)
  if (blocked.size > 0 && blocked.has(a.id) !== blocked.has(b.id)) return false;
  if ((a.done?.tick === index ? a.done.state : '') !== (b.done?.tick === index ? b.done.state : '')) return false;
  if (!x || !y) return x === y;
  return (a.steps[0] === x) === (b.steps[0] === y) && x.from === y.from && x.fromFile === y.fromFile && x.to === y.to
    && x.file === y.file && x.reason?.text === y.reason?.text;
}

function entryRef(model: TraceModel, entry: number | CallbackRef): string {
  return typeof entry === 'number' ? refById(model, entry) : `\`${entry.fn}\``;
}

/** How a task ended; `from`: where its last step started (a cancellation is raised there). */
function doneText(done: NonNullable<TaskInfo['done']>, from: Place): string {
  if (done.state === 'ok') return `finished${done.result !== undefined && done.result !== 'None' ? `, returning ${done.result}` : ''}`;
  if (done.state === 'cancelled') {
    return `was cancelled: CancelledError was raised${atPlace(from)}, and the task ended cancelled`;
  }
  const error = done.error;
  const leaves = error ? errorLeaves(error) : [];
  const holding = leaves.length > 0 ? `, holding ${listSome(leaves.map((l) => `${l.type}(${JSON.stringify(l.message)})`), leaves.length)}` : '';
  return `raised ${error?.type ?? 'an exception'}${error?.line ? atPlace({ line: error.line, file: error.file }) : ''}`
    + `${error?.message ? ` (“${error.message}”)` : ''}${holding}: the task ended, and the exception is kept in it for whoever awaits it`;
}

function callbackSentence(model: TraceModel, entry: CallbackRef, reasons: Map<number, WaitReason | undefined>, index: number,
  runsNext: (id: number, timer: number) => string | undefined, explained: Set<number>): string {
  const own = entry.line !== undefined;
  const where = own ? ` (${place(entry)})` : '';
  if (entry.timer !== undefined) {
    const timer = model.timerInfo(entry.timer);
    const task = timer?.task !== undefined ? model.taskById(timer.task) : undefined;
    if (task) {
      const runs = runsNext(task.id, timer!.id);
      if (runs !== undefined) explained.add(task.id);
      const reason = reasons.get(task.id);
      return `The timer of ${ref(task)} fired${late(model, index, timer)}: ${timerPurpose(reason, timer!)}${runs ?? ''}.`;
    }
    if (own) {
      return `The call_later timer${timer?.line !== undefined ? ` set at ${place(timer)}` : ''} fired${late(model, index, timer)}`
        + ` and ran \`${entry.fn}\`${where}.`;
    }
    const words = asyncioWords(entry.fn);
    return `asyncio's timer \`${entry.fn}\` fired${words ? `: ${words}` : ''}.`;
  }
  if (own) {
    return entry.kind === 'threadsafe'
      ? `\`${entry.fn}\`${where} ran: another thread scheduled it with call_soon_threadsafe.`
      : `Callback \`${entry.fn}\`${where} ran; it was scheduled with call_soon.`;
  }
  const words = asyncioWords(entry.fn);
  if (words) return `asyncio's \`${entry.fn}\` ran: ${words}.`;
  if (entry.kind === 'io') return `The I/O callback \`${entry.fn}\` ran, because the socket it watches was ready.`;
  if (entry.kind === 'threadsafe') return `asyncio's \`${entry.fn}\` ran: another thread scheduled it with call_soon_threadsafe.`;
  return `asyncio's internal callback \`${entry.fn}\` ran.`;
}

/** ", 800 ms late" when the timer fired noticeably after its time: something held the loop. */
function late(model: TraceModel, index: number, timer: TimerInfo | undefined): string {
  const delay = timer ? model.ticks[index].t - timer.when : 0;
  return delay >= 0.01 ? ` ${duration(delay)} late (it was due at ${loopTime(timer!.when)})` : '';
}

/** What the timer that woke a task was for, when its wait reason says so. */
function timerPurpose(reason: WaitReason | undefined, timer: TimerInfo): string {
  const at = atPlace(timer);
  if (reason?.kind === 'sleep' && (reason.timer === undefined || reason.timer === timer.id)) {
    return `its asyncio.sleep(${reason.delay ?? ''})${at} is over`;
  }
  if ((reason?.kind === 'wait_for' || reason?.kind === 'timeout') && typeof reason.deadline === 'number'
    && Math.abs(reason.deadline - timer.when) < 0.001) {
    return `its deadline (${loopTime(reason.deadline)})${at} passed`;
  }
  return `it was set${at} to run \`${timer.fn}\``;
}

/** By tick, the timers set or ended in it and the jobs handed over in it, for one version of a model. */
interface TimersAndJobs { version: number; timers: Map<number, TimerInfo[]>; jobs: Map<number, JobInfo[]> }
const timersAndJobsByTick = new WeakMap<TraceModel, TimersAndJobs>();

/** The timers set or ended in tick `index` and the jobs handed over in it, in the model's order (a tick's, not the whole trace's, for each narration). */
function timersAndJobsAt(model: TraceModel, index: number): { timers: TimerInfo[]; jobs: JobInfo[] } {
  let kept = timersAndJobsByTick.get(model);
  if (kept?.version !== model.version) {
    const add = <T>(map: Map<number, T[]>, tick: number, item: T) => {
      const list = map.get(tick);
      if (list) list.push(item); else map.set(tick, [item]);
    };
    kept = { version: model.version, timers: new Map(), jobs: new Map() };
    for (const timer of model.timers) {
      add(kept.timers, timer.scheduled, timer);
      if (timer.ended !== timer.scheduled) add(kept.timers, timer.ended, timer);
    }
    for (const job of model.jobs.values()) add(kept.jobs, job.submitted, job);
    timersAndJobsByTick.set(model, kept);
  }
  return { timers: kept.timers.get(index) ?? [], jobs: kept.jobs.get(index) ?? [] };
}

function timerAndJobSentences(model: TraceModel, index: number, loopId: number): string[] {
  const out: string[] = [];
  const { timers, jobs } = timersAndJobsAt(model, index);
  for (const timer of timers) {
    if (timer.loop !== loopId) continue;
    // Timers that wake a task are told by that task's wait reason; plain call_later ones are not.
    if (timer.scheduled === index && timer.task === undefined) {
      out.push(`A timer was set for \`${timer.fn}\` at ${loopTime(timer.when)}${timer.line !== undefined ? ` (${place(timer)})` : ''}.`);
    }
    if (timer.cancelled && timer.ended === index) {
      const task = timer.task !== undefined ? model.taskById(timer.task) : undefined;
      out.push(`The timer ${task ? `of ${ref(task)}` : `for \`${timer.fn}\``} (due at ${loopTime(timer.when)}) was cancelled.`);
    }
  }
  for (const job of jobs) {
    if (job.loop !== loopId) continue;
    const by = job.task !== undefined ? refById(model, job.task) : 'A callback';
    out.push(`${by} handed \`${job.fn}\` to a worker thread (job ${job.id}${job.line !== undefined ? `, ${place(job)}` : ''})`
      + `${job.thread ? `, which runs it on ${job.thread}` : ''}; the loop does not wait for it.`);
  }
  return out;
}

/** By task id, the step each task took in the tick whose `activity` this is (its last, when it took several). */
function lastStepOfEach(activity: readonly Activity[]): (Step | undefined)[] {
  const last: (Step | undefined)[] = [];
  for (const a of activity) {
    const step = stepOf(a);
    if (step) last[step.task] = step;
  }
  return last;
}

/** Why each task in the next tick's ready queue is there, grouped by cause. */
/**
 * Why each task in the next tick's ready queue is there, grouped by cause; `whole` when one
 * sentence names the whole queue, in its order.
 */
function readySentences(model: TraceModel, index: number, next: Tick, nextReady: readonly boolean[], explained: Set<number>,
  lastHere: readonly (Step | undefined)[], lastNext: readonly (Step | undefined)[]): { told: string[]; whole: boolean } {
  const out: string[] = [];
  /** The ids each sentence names, in order (to know whether one names the whole queue). */
  const named: number[][] = [];
  const loopId = model.ticks[index].loop;
  const created = model.taskOrder.filter((t) => t.loop === loopId && t.created.tick === index);
  const byParent = new Map<number | null, TaskInfo[]>();
  for (const task of created) {
    const siblings = byParent.get(task.parent);
    if (siblings) siblings.push(task);
    else byParent.set(task.parent, [task]);
  }
  let groupsTold = 0;
  for (const [parent, children] of byParent) {
    if (++groupsTold > MAX_TOLD) {
      const rest = [...byParent.values()].slice(MAX_TOLD);
      const count = rest.reduce((sum, group) => sum + group.length, 0);
      out.push(`…and ${count} more task${count > 1 ? 's' : ''} created by ${rest.length} other task${rest.length > 1 ? 's' : ''}.`);
      for (const group of rest) for (const c of group) explained.add(c.id);
      break;
    }
    const lines = new Set(children.map((c) => c.line));
    const sameLine = lines.size === 1 && children[0].line !== null ? atPlace(children[0]) : '';
    const names = children.slice(0, MAX_LISTED + 1).map((c) => `${ref(c)}${!sameLine && c.line !== null ? ` (${place(c)})` : ''}`);
    const subject = parent !== null ? `${refById(model, parent)} created ${listSome(names, children.length)}${sameLine}`
      : `${listSome(names, children.length)} ${children.length > 1 ? 'were' : 'was'} created${sameLine}`;
    const starting = children.filter((c) => nextReady[c.id]);
    const they = children.length > 1 ? 'they take their' : 'it takes its';
    out.push(`${subject}${starting.length === children.length ? `; ${they} first step in tick ${next.n}` : ''}.`);
    named.push(children.map((c) => c.id));
    for (const c of children) explained.add(c.id);
  }

  // Grouped by why they are ready; each group keeps the names it lists and counts the rest (a tick
  // can make 10,000 tasks ready, and this runs on every cursor move).
  type Group = { why: Why; cause: string; waited: string; tasks: string[]; count: number; ids: number[] };
  const groups = new Map<string, Group>();
  let last: Group | undefined;
  const seen: boolean[] = [];
  for (const id of next.ready) {
    if (typeof id !== 'number' || seen[id]) continue;
    seen[id] = true;
    if (explained.has(id)) continue;
    const task = model.taskById(id);
    if (!task) continue;
    const nextStep = lastNext[id];
    const here = lastHere[id];
    // The waker is looked up and made only when it is told (not for the yields of a big tick).
    const kind = nextStep ? model.wakerKind(nextStep) : undefined;
    const by = kind && kind !== 'yield' ? model.wakerOf(nextStep!) : undefined;
    let why: Why;
    let cause = '';
    let waited = '';
    if (task.done?.state === 'cancelled' && nextStep !== undefined && task.done.tick === next.index) {
      why = 'cancelled';
      if (by) cause = ` by ${wokenBy(model, by, index)}`;
    } else if (kind ? kind === 'yield' : here?.reason?.kind === 'yield') {
      why = 'yield';
    } else {
      // Who woke it (protocol 2.1's `by`; older traces do not say), and what it had waited on:
      // "woken by `main()` at line 20 (it was waiting for Event.set())".
      why = by ? 'woken' : 'waited';
      if (by) cause = wokenBy(model, by, index);
      const reason = (here ?? model.lastStepBefore(task, next.index))?.reason;
      waited = reason ? waitedOn(reason, model, true) : '';
    }
    // Ready tasks come in runs of alike ones: the group of the one before, without making a key.
    let group = last && last.why === why && last.cause === cause && last.waited === waited ? last : undefined;
    if (!group) {
      const key = `${why}:${cause}:${waited}`;
      group = groups.get(key);
      if (!group) groups.set(key, (group = { why, cause, waited, tasks: [], count: 0, ids: [] }));
      last = group;
    }
    if (group.count++ <= MAX_LISTED) group.tasks.push(ref(task, id));
    group.ids.push(id);
  }
  for (const { why, cause, waited, tasks, count, ids } of groups.values()) {
    named.push(ids);
    const list = listSome(tasks, count);
    const plural = count > 1;
    const runs = `${plural ? 'they run' : 'it runs'} in tick ${next.n}`;
    if (why === 'cancelled') {
      out.push(`${list} ${plural ? 'were' : 'was'} cancelled${cause}: cancel() wakes a waiting task so that CancelledError is raised `
        + `inside it, in tick ${next.n}.`);
    } else if (why === 'yield') {
      out.push(`${list} yielded: a tick runs only what was in the ready queue when it began, so ${plural ? 'they run' : 'it runs'} `
        + `again in tick ${next.n}${plural ? ', in the order they yielded' : ''}.`);
    } else if (why === 'woken') {
      const had = waited ? ` (${plural ? 'they were' : 'it was'} ${waited})` : '';
      out.push(plural ? `${list} were woken by ${cause}${had}, one after the other; ${runs}, in that order.` : `${list} was woken by ${cause}${had}; ${runs}.`);
    } else {
      out.push(`${list} became ready${waited ? ` (${plural ? 'they were' : 'it was'} ${waited})` : ''}; ${runs}.`);
    }
  }
  const whole = named.length === 1 && named[0].length === next.ready.length && named[0].every((id, i) => next.ready[i] === id);
  return { told: out, whole };
}

/** Why a task is in the next tick's ready queue, as the narration groups them. */
type Why = 'cancelled' | 'yield' | 'woken' | 'waited';

/** What a protocol 2.1 `by` says woke a task, and in which tick when not tick `index`: "`producer()` at line 12". */
function wokenBy(model: TraceModel, by: Waker, index: number): string {
  const when = by.n !== undefined && by.n !== model.ticks[index].n ? ` in tick ${by.n}` : '';
  return `${wakerText(by, model, true)}${when}`;
}

/** The ready queue of `next` (the tick after `index`), and why its tasks stand in that order. */
function queueSentence(model: TraceModel, next: Tick, index: number, lastNext: readonly (Step | undefined)[]): string {
  const queue = next.ready.slice(0, MAX_LISTED + 1).map((e) => entryRef(model, e));
  let text = `the ready queue for tick ${next.n} is, first in, first out: ${listSome(queue, next.ready.length, 'entries')}`;
  const byOf = (id: number) => {
    const step = model.taskById(id) ? lastNext[id] : undefined;
    return step ? model.wakerOf(step) : undefined;
  };
  const tasks = next.ready.filter((e): e is number => typeof e === 'number');
  const first = tasks.length > 1 ? byOf(tasks[0]) : undefined;
  const alike = (b: Waker | undefined) => b !== undefined && b.kind === first!.kind && b.n === first!.n && b.q === first!.q
    && b.task === first!.task && b.timer === first!.timer;
  if (first && first.kind !== 'yield' && tasks.every((id) => alike(byOf(id)))) {
    text += `, in the order they were woken, one after the other, by ${wokenBy(model, first, index)}`;
  }
  return `${text}.`;
}

/**
 * The ticks at the end of a loop in which only asyncio.run's own shutdown work runs: every task of
 * the program has finished, every entry is asyncio's own, and the first one is shutdown work. Told
 * as one (see shutdownParagraphs).
 */
function shutdownTicks(model: TraceModel, loopId: number): number[] {
  const loop = model.loops.get(loopId);
  if (!loop || loop.closedAt === undefined) return [];
  // Asked on every cursor move: worked out once per closed loop (it does not change once closed).
  let known = shutdownCache.get(model);
  if (!known) shutdownCache.set(model, (known = new Map()));
  let ticks = known.get(loopId);
  if (!ticks) known.set(loopId, (ticks = findShutdownTicks(model, loop)));
  return ticks;
}

const shutdownCache = new WeakMap<TraceModel, Map<number, number[]>>();

function findShutdownTicks(model: TraceModel, loop: LoopInfo): number[] {
  const loopId = loop.id;
  const own = (entry: number | CallbackRef) => (typeof entry === 'number'
    ? model.taskById(entry)?.internal === true : entry.line === undefined);
  let start = loop.ticks.length;
  while (start > 0 && model.ticks[loop.ticks[start - 1]].ready.every(own)) start--;
  // Only from the first tick where shutdown work runs, and once no task of the program is left.
  while (start < loop.ticks.length && !model.ticks[loop.ticks[start]].ready.some((e) => shutdownEntry(model, e))) start++;
  const tail = loop.ticks.slice(start);
  if (tail.length === 0) return [];
  const first = tail[0];
  const userLeft = model.taskOrder.some((t) => t.loop === loopId && !t.internal && (!t.done || t.done.tick >= first));
  return userLeft ? [] : tail;
}

function shutdownEntry(model: TraceModel, entry: number | CallbackRef): boolean {
  if (typeof entry !== 'number') return isShutdownWork(entry.fn);
  const task = model.taskById(entry);
  return task !== undefined && isShutdownWork(task.coro);
}

function ticksText(model: TraceModel, indices: number[]): string {
  const first = model.ticks[indices[0]];
  const last = model.ticks[indices[indices.length - 1]];
  return indices.length > 1 ? `ticks ${first.n}–${last.n}` : `tick ${first.n}`;
}

/** asyncio.run's shutdown, told once for all its ticks, from the work that ran in them. */
function shutdownParagraphs(model: TraceModel, indices: number[]): string[] {
  const first = model.ticks[indices[0]];
  const work: string[] = [];
  for (const index of indices) {
    for (const entry of model.ticks[index].ready) {
      const fn = typeof entry === 'number' ? model.taskById(entry)?.coro : entry.fn;
      const words = fn !== undefined ? asyncioWords(fn) : undefined;
      const item = `\`${fn?.split('.').pop()}\`${words ? ` (${words})` : ''}`;
      if (fn !== undefined && !work.includes(item)) work.push(item);
    }
  }
  const printed = printedIn(model, indices[0], indices[indices.length - 1], first.loop);
  return [
    `${capitalize(ticksText(model, indices))}${model.loops.size > 1 ? ` of loop ${first.loop}` : ''}, ${loopTime(first.t)}: `
      + 'asyncio.run shutting down, told once for all these ticks. Every task of the program has finished; '
      + 'the loop runs only asyncio\'s own work now, each piece in a short run of the loop of its own.',
    `It ran ${listOf(work)}.`,
    'Then the loop closed.',
    ...(printed.length > 0 ? [printedSentence(printed)] : []),
  ];
}

/**
 * Like listOf, naming at most MAX_LISTED of `total` items and counting the rest; many items that
 * all read the same are counted once: "the 10000 `worker()` tasks".
 */
function listSome(items: string[], total: number, noun = 'tasks'): string {
  if (total > 2 && items.every((item) => item === items[0])) return `the ${total} ${items[0]} ${noun}`;
  if (total <= MAX_LISTED + 1) return listOf(items.slice(0, total));
  return `${items.slice(0, MAX_LISTED).join(', ')} and ${total - MAX_LISTED} more`;
}

/** "a", "a and b", "a, b and c". */
function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

