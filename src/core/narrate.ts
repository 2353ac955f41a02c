// "Explain this tick": a few plain sentences about one tick of a loop, built only from the trace:
// why the loop woke up, what each entry of the ready queue did, and what that made ready for the
// next tick. Nothing here is written per example; it restates events in words, the way describe.ts
// does for hovers. Shared by the webview (#narration), the extension and tests: no vscode, no DOM.
import type { CallbackRef, WaitReason } from '../protocol/events';
import { displayName, duration, seconds, shortReason } from './describe';
import type { Step, TaskInfo, TaskSnapshot, TimerInfo, TraceModel } from './model';

/** Lists longer than this name their first items and say how many more. */
const MAX_LISTED = 6;
const MAX_PRINTED = 3;
/** A tick that runs more entries than this tells the first ones and counts the rest. */
const MAX_TOLD = 8;

/**
 * The narration of global tick `index` (see model.ts): one paragraph per line, `\n`-separated
 * (show it with `white-space: pre-line`). Empty for an index with no tick.
 */
export function narrateTick(model: TraceModel, index: number): string {
  return narrateTickParagraphs(model, index).join('\n');
}

export function narrateTickParagraphs(model: TraceModel, index: number): string[] {
  const before = model.stateBefore(index);
  if (!before) return [];
  const tick = before.tick;
  const loop = model.loops.get(tick.loop);
  // The next tick of the same loop (the global next may belong to another loop).
  const nextIndex = loop?.ticks[tick.n];
  const after = nextIndex !== undefined ? model.stateBefore(nextIndex) : undefined;
  const next = after?.tick;
  const paragraphs: string[] = [header(model, index)];

  // Tasks whose waking up is already explained (by their timer), so "became ready" skips them.
  const explained = new Set<number>();
  const nextReady = new Set<number>();
  for (const entry of next?.ready ?? []) if (typeof entry === 'number') nextReady.add(entry);
  const runsNext = (id: number) => (next && nextReady.has(id) ? `, so it became ready and will run in tick ${next.n}` : '');

  // What ran, in ready-queue order. Steps are matched to their task's entry in the order they ran.
  const steps = new Map<number, Step[]>();
  for (const a of before.ran) {
    if (!a.step) continue;
    const queue = steps.get(a.step.task);
    if (queue) queue.push(a.step);
    else steps.set(a.step.task, [a.step]);
  }
  const reasons = new Map(before.tasks.map((s) => [s.task.id, s.reason]));
  const ran: string[] = [];
  for (const entry of tick.ready) {
    if (typeof entry === 'number') {
      const task = model.tasks.get(entry);
      if (task) ran.push(stepSentence(model, task, steps.get(entry)?.shift(), index));
    } else {
      ran.push(callbackSentence(model, entry, reasons, index, runsNext, explained));
    }
  }
  const told = collapseRepeats(ran);
  paragraphs.push(...told.slice(0, MAX_TOLD));
  if (told.length > MAX_TOLD) paragraphs.push(`…and ${told.length - MAX_TOLD} more (${tick.ready.length} entries in the ready queue in all).`);
  for (const b of model.blocking) {
    if (b.tick === index && b.what !== 'step') {
      paragraphs.push(`The ${b.what === 'tick' ? 'tick' : `callback \`${b.fn}\``} held the loop for ${duration(b.dur)}`
        + `${b.line !== null ? ` at line ${b.line}` : ''}: nothing else could run meanwhile (blocking).`);
    }
  }

  const printed = model.output.filter((o) => o.tick === index && (o.loop === undefined || o.loop === tick.loop));
  if (printed.length > 0) {
    const shown = printed.slice(0, MAX_PRINTED).map((o) => `“${o.text}”`);
    const more = printed.length - shown.length;
    paragraphs.push(`Printed: ${shown.join(', ')}${more > 0 ? ` and ${more} more line${more > 1 ? 's' : ''}` : ''}.`);
  }

  const timers = timerAndJobSentences(model, index, tick.loop);
  paragraphs.push(...timers.slice(0, MAX_TOLD));
  if (timers.length > MAX_TOLD) paragraphs.push(`…and ${timers.length - MAX_TOLD} more timers and jobs.`);
  if (next && after) paragraphs.push(...readySentences(model, index, after.tasks, next.n, nextReady, explained));
  if (next && next.ready.length > 1) {
    const queue = next.ready.slice(0, MAX_LISTED + 1)
      .map((e) => (typeof e === 'number' ? taskRef(model.tasks.get(e), e) : `\`${e.fn}\``));
    paragraphs.push(`Ready queue for tick ${next.n}, first in, first out: ${listSome(queue, next.ready.length)}.`);
  }
  if (!next && loop?.closedAt !== undefined) paragraphs.push('This was the loop\'s last tick; then the loop closed.');
  return paragraphs;
}

function header(model: TraceModel, index: number): string {
  const tick = model.ticks[index];
  let text = `Tick ${tick.n}${model.loops.size > 1 ? ` of loop ${tick.loop}` : ''}, t=${seconds(tick.t)}.`;
  if (tick.jump > 0) text += ` Nothing was ready, so the virtual clock jumped ${seconds(tick.jump)} s ahead to the next timer.`;
  else if (tick.waited >= 0.001) text += ` The loop waited ${duration(tick.waited)} for a timer, I/O or another thread.`;
  if (tick.io && tick.io.length > 0) {
    const ready = tick.io.map((io) => `socket ${io.fd}${io.peer ? ` (${io.peer})` : ''} ${ioWord(io.events)}`);
    text += ` The operating system reported ${listOf(ready)}.`;
  }
  // Executor jobs that ended while the loop was between its previous tick and this one.
  const loop = model.loops.get(tick.loop);
  const previous = loop && tick.n > 1 ? model.ticks[loop.ticks[tick.n - 2]] : undefined;
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

/** `Task-3 \`download('cat.jpg', 1)\``, or the program's own name for the task. */
function taskRef(task: TaskInfo | undefined, id?: number): string {
  if (!task) return `task ${id ?? '?'}`;
  const name = displayName(task);
  if (name === task.name) return `\`${name}\``;
  // The call with its arguments reads best, unless it holds shortened reprs of objects.
  const label = task.label.length <= 40 && !/[<>]|\.\.\./.test(task.label) ? task.label : name;
  return `${task.name} \`${label}\`${task.internal ? ' (asyncio\'s own task)' : ''}`;
}

function stepSentence(model: TraceModel, task: TaskInfo, step: Step | undefined, index: number): string {
  const who = taskRef(task);
  const done = task.done && task.done.tick === index ? task.done : undefined;
  if (!step) return done ? `${who} ${doneText(done, null)}.` : `${who} was in the ready queue but took no step.`;
  const first = task.steps[0] === step;
  let text = first
    ? `${who} started${step.from !== null ? ` at line ${step.from}` : ''}`
    : `${who} resumed${step.from !== null ? ` at line ${step.from}` : ''}`;
  // A finished task is known from its `done` event: `to` is also null while a task waits only in
  // asyncio's own frames.
  if (done) text += ` and ${doneText(done, step.from)}`;
  else if (step.reason?.kind === 'yield') {
    text += ` and yielded${step.to !== null ? ` at line ${step.to}` : ''} (${step.reason.text})`;
  } else {
    text += ` and is now suspended${step.to !== null ? ` at line ${step.to}` : ''}: ${step.reason?.text ?? 'waiting'}`;
  }
  text += '.';
  const blocking = model.blocking.find((b) => b.tick === index && b.what === 'step' && b.task === task.id);
  if (blocking) {
    text += ` This step held the loop for ${duration(blocking.dur)}${blocking.line !== null ? `, busy at line ${blocking.line}` : ''}:`
      + ' it never reached an await, so nothing else could run meanwhile (blocking).';
  }
  return text;
}

function doneText(done: NonNullable<TaskInfo['done']>, from: number | null): string {
  if (done.state === 'ok') return `finished${done.result !== undefined && done.result !== 'None' ? `, returning ${done.result}` : ''}`;
  if (done.state === 'cancelled') {
    return `was cancelled: CancelledError was raised${from !== null ? ` at line ${from}` : ''}, and the task ended cancelled`;
  }
  const error = done.error;
  return `raised ${error?.type ?? 'an exception'}${error?.line ? ` at line ${error.line}` : ''}`
    + `${error?.message ? ` (“${error.message}”)` : ''}: the task ended, and the exception is kept in it for whoever awaits it`;
}

function findTimer(model: TraceModel, id: number): TimerInfo | undefined {
  // Timer ids are handed out in order, so the list is sorted by id.
  let low = 0;
  let high = model.timers.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (model.timers[mid].id < id) low = mid + 1;
    else high = mid;
  }
  return model.timers[low]?.id === id ? model.timers[low] : model.timers.find((t) => t.id === id);
}

function callbackSentence(model: TraceModel, entry: CallbackRef, reasons: Map<number, WaitReason | undefined>, index: number,
  runsNext: (id: number) => string, explained: Set<number>): string {
  const own = entry.line !== undefined;
  const where = entry.line !== undefined ? ` (line ${entry.line}${entry.file ? ` of ${entry.file}` : ''})` : '';
  if (entry.timer !== undefined) {
    const timer = findTimer(model, entry.timer);
    const task = timer?.task !== undefined ? model.tasks.get(timer.task) : undefined;
    if (task) {
      explained.add(task.id);
      const reason = reasons.get(task.id);
      return `The timer of ${taskRef(task)} fired${late(model, index, timer)}: ${timerPurpose(reason, timer!)}${runsNext(task.id)}.`;
    }
    if (own) {
      return `The call_later timer${timer?.line !== undefined ? ` set at line ${timer.line}` : ''} fired${late(model, index, timer)}`
        + ` and ran \`${entry.fn}\`${where}.`;
    }
    return `asyncio's timer \`${entry.fn}\` fired.`;
  }
  switch (entry.kind) {
    case 'io': return `The I/O callback \`${entry.fn}\` ran, because the socket it watches was ready.`;
    case 'threadsafe': return `\`${entry.fn}\`${where} ran: another thread scheduled it with call_soon_threadsafe.`;
    default:
      return own ? `Callback \`${entry.fn}\`${where} ran; it was scheduled with call_soon.`
        : `asyncio's internal callback \`${entry.fn}\` ran.`;
  }
}

/** ", 800 ms late" when the timer fired noticeably after its time: something held the loop. */
function late(model: TraceModel, index: number, timer: TimerInfo | undefined): string {
  const delay = timer ? model.ticks[index].t - timer.when : 0;
  return delay >= 0.01 ? ` ${duration(delay)} late (it was due at t=${seconds(timer!.when)})` : '';
}

/** What the timer that woke a task was for, when its wait reason says so. */
function timerPurpose(reason: WaitReason | undefined, timer: TimerInfo): string {
  const at = timer.line !== undefined ? ` at line ${timer.line}` : '';
  if (reason?.kind === 'sleep' && (reason.timer === undefined || reason.timer === timer.id)) {
    return `its asyncio.sleep(${reason.delay ?? ''})${at} is over`;
  }
  if ((reason?.kind === 'wait_for' || reason?.kind === 'timeout') && typeof reason.deadline === 'number'
    && Math.abs(reason.deadline - timer.when) < 0.001) {
    return `its deadline (t=${seconds(reason.deadline)})${at} passed`;
  }
  return `it was set${at} to run \`${timer.fn}\``;
}

/** "X ran." three times in a row reads as "X ran (3 times)." */
function collapseRepeats(sentences: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < sentences.length;) {
    let j = i + 1;
    while (j < sentences.length && sentences[j] === sentences[i]) j++;
    out.push(j - i > 1 ? `${sentences[i].replace(/\.$/, '')} (${j - i} times).` : sentences[i]);
    i = j;
  }
  return out;
}

function timerAndJobSentences(model: TraceModel, index: number, loopId: number): string[] {
  const out: string[] = [];
  for (const timer of model.timers) {
    if (timer.loop !== loopId) continue;
    // Timers that wake a task are told by that task's wait reason; plain call_later ones are not.
    if (timer.scheduled === index && timer.task === undefined) {
      out.push(`A timer was set for \`${timer.fn}\` at t=${seconds(timer.when)}${timer.line !== undefined ? ` (line ${timer.line})` : ''}.`);
    }
    if (timer.cancelled && timer.ended === index) {
      const task = timer.task !== undefined ? model.tasks.get(timer.task) : undefined;
      out.push(`The timer ${task ? `of ${taskRef(task)}` : `for \`${timer.fn}\``} (due at t=${seconds(timer.when)}) was cancelled.`);
    }
  }
  for (const job of model.jobs.values()) {
    if (job.submitted !== index || job.loop !== loopId) continue;
    const by = job.task !== undefined ? taskRef(model.tasks.get(job.task), job.task) : 'A callback';
    out.push(`${by} handed \`${job.fn}\` to a worker thread (job ${job.id}${job.line !== undefined ? `, line ${job.line}` : ''})`
      + `${job.thread ? `, which runs it on ${job.thread}` : ''}; the loop does not wait for it.`);
  }
  return out;
}

/** Why each task in the next tick's ready queue is there, grouped by cause. */
function readySentences(model: TraceModel, index: number, afterTasks: TaskSnapshot[], nextN: number,
  nextReady: Set<number>, explained: Set<number>): string[] {
  const out: string[] = [];
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
    const sameLine = lines.size === 1 && children[0].line !== null ? ` at line ${children[0].line}` : '';
    const names = children.slice(0, MAX_LISTED + 1).map((c) => `${taskRef(c)}${!sameLine && c.line !== null ? ` (line ${c.line})` : ''}`);
    const subject = parent !== null ? `${taskRef(model.tasks.get(parent), parent)} created ${listSome(names, children.length)}${sameLine}`
      : `${listSome(names, children.length)} ${children.length > 1 ? 'were' : 'was'} created${sameLine}`;
    const starting = children.filter((c) => nextReady.has(c.id));
    const they = children.length > 1 ? 'they take their' : 'it takes its';
    out.push(`${subject}${starting.length === children.length ? `; ${they} first step in tick ${nextN}` : ''}.`);
    for (const c of children) explained.add(c.id);
  }

  const groups = new Map<string, { text: (list: string, plural: boolean) => string; tasks: string[] }>();
  const add = (key: string, text: (list: string, plural: boolean) => string, task: string) => {
    const group = groups.get(key) ?? { text, tasks: [] };
    group.tasks.push(task);
    groups.set(key, group);
  };
  const reasons = new Map(afterTasks.map((s) => [s.task.id, s.reason]));
  for (const id of nextReady) {
    if (explained.has(id)) continue;
    const task = model.tasks.get(id);
    const reason = reasons.get(id);
    const ref = taskRef(task, id);
    // Binary searches: a big tick readies thousands of tasks with hundreds of steps each.
    const ranHere = task !== undefined && model.resumeTick(task, index - 1) === index;
    const awaited = [reason?.task, ...(reason?.children ?? []), ...(reason?.tasks ?? [])]
      .filter((t): t is number => t !== undefined && model.tasks.get(t)?.done?.tick === index);
    const nextStep = task !== undefined ? model.resumeTick(task, index) : undefined;
    const cancelled = task?.done?.state === 'cancelled' && nextStep !== undefined && task.done.tick === nextStep;
    if (cancelled) {
      add('cancelled', (list, plural) => `${list} ${plural ? 'were' : 'was'} cancelled: cancel() wakes a waiting task `
        + `so that CancelledError is raised inside it, in tick ${nextN}.`, ref);
    } else if (reason?.kind === 'yield' && ranHere) {
      add('yield', (list, plural) => `${list} yielded, so ${plural ? 'they' : 'it'} went to the back of the ready queue `
        + `and will run again in tick ${nextN}.`, ref);
    } else if (awaited.length > 0) {
      const on = listOf(awaited.map((t) => taskRef(model.tasks.get(t), t)));
      add(`task:${awaited.join(',')}`, (list, plural) => `${list} ${plural ? 'were' : 'was'} waiting on ${on}, so `
        + `${plural ? 'they' : 'it'} became ready and will run in tick ${nextN}.`, ref);
    } else {
      const kind = reason?.kind ?? 'none';
      add(`kind:${kind}`, (list, plural) => `${list} became ready (${wakeCause(reason, plural)}); `
        + `${plural ? 'they' : 'it'} will run in tick ${nextN}.`, ref);
    }
  }
  for (const group of groups.values()) out.push(group.text(listSome(group.tasks, group.tasks.length), group.tasks.length > 1));
  return out;
}

/** What ended a wait of this kind: a fact about the awaitable, not about any one program. */
function wakeCause(reason: WaitReason | undefined, plural: boolean): string {
  const its = plural ? 'their' : 'its';
  switch (reason?.kind) {
    case undefined: return `${plural ? 'they were' : 'it was'} scheduled`;
    // A sleep whose timer fired is told with the timer; this one was woken before its time.
    case 'sleep': return `woken before ${its} sleep timer fired`;
    case 'gather': return `the gather ${plural ? 'they' : 'it'} awaited completed`;
    case 'lock': return 'the lock was released';
    case 'semaphore': return 'a semaphore slot was released';
    case 'event': return 'the event was set';
    case 'condition': return `${plural ? 'they were' : 'it was'} notified`;
    case 'queue_get': return 'an item was put in the queue';
    case 'queue_put': return 'room was made in the queue';
    case 'queue_join': return 'every queue item was marked done';
    case 'executor': return 'the worker thread finished';
    case 'io_read': return 'data arrived';
    case 'io_write': return 'the socket can take more data';
    case 'io_connect': return 'the connection was made';
    case 'io_accept': return 'a connection came in';
    default: return `done waiting: ${shortReason(reason)}`;
  }
}

/** Like listOf, naming at most MAX_LISTED of `total` items and counting the rest. */
function listSome(items: string[], total: number): string {
  if (total <= MAX_LISTED + 1) return listOf(items.slice(0, total));
  return `${items.slice(0, MAX_LISTED).join(', ')} and ${total - MAX_LISTED} more`;
}

/** "a", "a and b", "a, b and c". */
function listOf(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
