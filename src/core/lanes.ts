// What each lane shows, for every view (the panel, `loopscope lanes`). A lane is a loop, a task or
// an executor worker thread; its segments are computed from the TraceModel for a window of the axis
// (see layout.ts for positions), then segments narrower than a few pixels are merged.
import { firstIndex } from './model';
import type { JobInfo, Step, TaskInfo, Tick, TraceModel } from './model';
import type { BlockingEvent, CallbackEvent, ReasonKind, WaitReason } from '../protocol/events';
import type { LaneRow } from '../protocol/panel';
import {
  atPlace, distinctNames, duration, fullTaskName, libraryOf, loopTime, ownerNote, place, reasonText, shortPlace, shortReason, stepPlaces, taskName,
  wakerText,
} from './describe';
import type { Layout, Span } from './layout';

export type LaneKind = 'loop' | 'task' | 'library' | 'worker';

export interface Lane {
  id: string;
  kind: LaneKind;
  loop: number;
  task?: TaskInfo;
  /** A task lane's label: its name, told apart from the other lanes' (describe.ts distinctNames). */
  name?: string;
  /** A library lane: the tasks of one library (protocol 2.1 `task.lib`), drawn as one lane. */
  lib?: string;
  tasks?: TaskInfo[];
  thread?: string;
  /** Jobs run on this worker thread, in start order (worker lanes). */
  jobs?: JobInfo[];
}

export type SegmentInfo =
  | { kind: 'running'; task: TaskInfo; step: Step }
  | { kind: 'ready'; task: TaskInfo; prev?: Step; next?: Step }
  /** `reason`: the wait reason during this segment (it may change while the task stays suspended). */
  | { kind: 'suspended'; task: TaskInfo; prev: Step; next?: Step; reason?: WaitReason }
  | { kind: 'done'; task: TaskInfo }
  | { kind: 'wait'; tick: Tick; seconds: number }
  | { kind: 'callback'; tick: number; callback: CallbackEvent }
  | { kind: 'blocking'; blocking: BlockingEvent & { tick: number } }
  | { kind: 'job'; job: JobInfo };

export interface Segment {
  start: number;
  end: number;
  /** CSS classes: `seg seg-<state>` plus details (`reason-<category>`, `marker-<state>`, ...). */
  cls: string;
  info: SegmentInfo;
  /** How many segments were merged into this one (zoomed out). */
  merged?: number;
}

// ---------------------------------------------------------------------------------------------
// Lanes

/**
 * Lanes in display order: per loop, the loop lane, the program's tasks (creation order), one lane
 * per library whose tasks ran on the loop (aiohttp's connection handlers: the program did not
 * write them), its worker threads. `showInternal`: every task in a lane of its own, asyncio's
 * internal ones too.
 */
export function buildLanes(model: TraceModel, showInternal: boolean): Lane[] {
  const loopIds = new Set<number>(model.loops.keys());
  for (const task of model.taskOrder) loopIds.add(task.loop);
  const workers = new Map<string, Lane>();
  for (const job of model.jobs.values()) {
    if (!job.thread || job.startWall === undefined) continue;
    let lane = workers.get(job.thread);
    if (!lane) {
      lane = { id: `worker:${job.thread}`, kind: 'worker', loop: job.loop, thread: job.thread, jobs: [] };
      workers.set(job.thread, lane);
    }
    lane.jobs!.push(job);
  }
  for (const lane of workers.values()) lane.jobs!.sort((a, b) => a.startWall! - b.startWall!);

  const shown: TaskInfo[] = [];
  const libraries = new Map<string, Lane>();
  for (const task of model.taskOrder) {
    if (showInternal || (!task.internal && !task.lib)) shown.push(task);
    else if (!task.internal) {
      const id = `library:${task.loop}:${task.lib}`;
      const lane = libraries.get(id);
      if (lane) lane.tasks!.push(task);
      else libraries.set(id, { id, kind: 'library', loop: task.loop, lib: task.lib, tasks: [task] });
    }
  }
  const names = distinctNames(shown, LABEL_CHARS);
  const lanes: Lane[] = [];
  for (const loop of [...loopIds].sort((a, b) => a - b)) {
    lanes.push({ id: `loop:${loop}`, kind: 'loop', loop });
    for (const task of shown) {
      if (task.loop === loop) lanes.push({ id: `task:${task.id}`, kind: 'task', loop, task, name: names.get(task.id) });
    }
    for (const lane of libraries.values()) if (lane.loop === loop) lanes.push(lane);
    for (const lane of workers.values()) if (lane.loop === loop) lanes.push(lane);
  }
  return lanes;
}

/** Whether a task is drawn in `lane`: its own, or its library's. */
export function laneHolds(lane: Lane, task: number): boolean {
  return lane.task?.id === task || (lane.tasks?.some((t) => t.id === task) ?? false);
}

/** Characters of a lane's name that its label shows (the panel's label column, `loopscope lanes`). */
export const LABEL_CHARS = 26;

/** What the label at the left of a lane says: its name, a detail, the full text for its tooltip, where a click goes. */
export type LaneLabel = Omit<LaneRow, 'id' | 'kind'>;

export function laneLabel(lane: Lane, model: TraceModel): LaneLabel {
  if (lane.kind === 'loop') {
    const info = model.loops.get(lane.loop);
    return {
      name: `Loop ${lane.loop}`, detail: info?.thread ?? '', internal: false,
      title: info ? `Event loop ${lane.loop}: ${info.cls} on thread ${info.thread}` : `Event loop ${lane.loop}`,
    };
  }
  if (lane.kind === 'task' && lane.task) {
    const task = lane.task;
    const where = task.line !== null ? `, created${atPlace(task)}` : '';
    const lib = libraryOf(task);
    return {
      name: lane.name ?? taskName(task), detail: `${lib ? `${lib} ` : ''}#${task.id}`, internal: lib !== undefined,
      title: `${fullTaskName(task)}${ownerNote(task)}${where}`,
      line: task.line ?? undefined, file: task.file,
    };
  }
  if (lane.kind === 'library' && lane.tasks) {
    const count = lane.tasks.length;
    return {
      name: lane.lib!, detail: `${count} task${count > 1 ? 's' : ''}`, internal: true,
      title: `${count} task${count > 1 ? 's' : ''} of ${lane.lib}, in one lane: it runs when any of them runs `
        + '(loopscope.showInternalTasks gives each its own lane)',
    };
  }
  return { name: lane.thread ?? 'worker', detail: '', title: `Executor worker thread ${lane.thread ?? ''}`, internal: false };
}

// ---------------------------------------------------------------------------------------------
// Segments

export interface SegmentQuery {
  from: number;
  to: number;
  /** Zoomed out so far that a tick is under a pixel or two: skip slot matching. */
  coarse: boolean;
}

export function laneSegments(lane: Lane, model: TraceModel, layout: Layout, q: SegmentQuery): Segment[] {
  const out: Segment[] = [];
  if (lane.kind === 'task' && lane.task) taskSegments(lane.task, model, layout, q, out);
  else if (lane.kind === 'library' && lane.tasks) librarySegments(lane.tasks, model, layout, q, out);
  else if (lane.kind === 'loop') loopSegments(lane.loop, model, layout, q, out);
  else if (lane.jobs) jobSegments(lane.jobs, layout, q, out);
  return out;
}

function push(out: Segment[], q: SegmentQuery, span: Span, cls: string, info: SegmentInfo): void {
  const [start, end] = span;
  if (end < q.from || start > q.to) return;
  if (end <= start && (info.kind === 'ready' || info.kind === 'suspended' || info.kind === 'wait')) return;
  out.push({ start, end: Math.max(start, end), cls, info });
}

/** Colour family of a wait reason; drives the `reason-*` CSS class of suspended segments. */
export type ReasonCategory = 'timer' | 'yield' | 'await' | 'sync' | 'io' | 'executor' | 'other';

export function reasonCategory(kind: ReasonKind | string | undefined): ReasonCategory {
  switch (kind) {
    case 'sleep': case 'timeout': case 'wait_for': return 'timer';
    case 'yield': return 'yield';
    case 'task': case 'gather': case 'wait': case 'taskgroup': case 'shield': return 'await';
    case 'queue_get': case 'queue_put': case 'queue_join': case 'lock': case 'semaphore':
    case 'event': case 'condition': case 'barrier': return 'sync';
    case 'io_read': case 'io_write': case 'io_connect': case 'io_accept': case 'subprocess': return 'io';
    case 'executor': return 'executor';
    default: return 'other';
  }
}

function suspendedClass(reason: WaitReason | undefined): string {
  return `seg seg-suspended reason-${reasonCategory(reason?.kind ?? 'future')}`;
}

function taskSegments(task: TaskInfo, model: TraceModel, layout: Layout, q: SegmentQuery, out: Segment[]): void {
  const steps = task.steps;
  const span = (step: Step): Span => layout.stepSpan(step, q.coarse);
  // First step that may reach into the window; its predecessor's suspension may too.
  const key = layout.axis === 'tick' ? (s: Step) => s.tick + 1 : (s: Step) => model.endOf(s);
  const first = Math.max(0, firstIndex(steps, (s) => key(s) >= q.from) - 1);

  const created = creationX(task, model, layout, q.coarse);
  const doneX = task.done ? doneXOf(task, layout, q.coarse) : undefined;
  const end = doneX ?? layout.loopEnd(task.loop);

  let j = first;
  for (; j < steps.length; j++) {
    const step = steps[j];
    const [a, b] = span(step);
    const prev = j > 0 ? steps[j - 1] : undefined;
    const gapStart = prev ? span(prev)[1] : Math.min(created, a);
    if (gapStart > q.to) break;
    gap(task, prev, step, gapStart, a, model, layout, q, out);
    push(out, q, [a, b], 'seg seg-running', { kind: 'running', task, step });
  }
  if (j === steps.length) {
    const last = steps[steps.length - 1];
    if (!last) gap(task, undefined, undefined, created, end, model, layout, q, out);
    // Suspended after its last step (a step that ends inside asyncio has no `to` but a reason).
    else if (last.to !== null || (!task.done && last.reason)) gap(task, last, undefined, span(last)[1], end, model, layout, q, out);
  }
  if (task.done && doneX !== undefined) {
    push(out, q, [doneX, doneX], `seg marker marker-${task.done.state}`, { kind: 'done', task });
  }
}

/** A library's lane: the steps of its tasks (when the library's code ran), in order. */
function librarySegments(tasks: TaskInfo[], model: TraceModel, layout: Layout, q: SegmentQuery, out: Segment[]): void {
  const all: Segment[] = [];
  for (const task of tasks) taskSegments(task, model, layout, q, all);
  for (const seg of all) if (seg.info.kind === 'running') out.push(seg);
  out.sort((a, b) => a.start - b.start);
}

/**
 * The time between two steps (or creation and the first step): suspended, then ready. Ready from
 * where protocol 2.1's `by` says the task was put in the ready queue (by the handle that did it);
 * without `by`, from the start of the tick whose ready list holds it, the one fact the trace
 * gives. A wait reason that changed while it stayed suspended (protocol 2.1 `reason`) starts a new
 * suspended segment after the tick it changed in.
 */
function gap(task: TaskInfo, prev: Step | undefined, next: Step | undefined, x0: number, x1: number,
  model: TraceModel, layout: Layout, q: SegmentQuery, out: Segment[]): void {
  if (x1 <= x0) return;
  // Put back in the ready queue by its own step (a yield): ready all along.
  const kind = next ? model.wakerKind(next) : undefined;
  if (!prev || (kind ? kind === 'yield' : prev.reason?.kind === 'yield')) {
    push(out, q, [x0, x1], 'seg seg-ready', { kind: 'ready', task, prev, next });
    return;
  }
  const by = next ? model.wakerOf(next) : undefined;
  const woken = by ? layout.wakeX(by, task.loop) : undefined;
  const wake = next ? Math.min(x1, Math.max(x0, woken ?? layout.tickStart(next.tick))) : x1;
  let start = x0;
  let reason = prev.reason;
  for (const change of model.reasonChangesAfter(prev)) {
    const x = layout.axis === 'tick' ? layout.afterX(change.tick) : change.t;
    if (x >= wake) break;
    if (x > start) {
      push(out, q, [start, x], suspendedClass(reason), { kind: 'suspended', task, prev, next, reason });
      start = x;
    }
    reason = change.reason;
  }
  push(out, q, [start, wake], suspendedClass(reason), { kind: 'suspended', task, prev, next, reason });
  if (next) push(out, q, [wake, x1], 'seg seg-ready', { kind: 'ready', task, prev, next });
}

/** Where a task entered the ready queue: inside its parent's step of the creation tick when there is one. */
function creationX(task: TaskInfo, model: TraceModel, layout: Layout, coarse: boolean): number {
  if (layout.axis === 'time') return task.created.t;
  const c = task.created.tick;
  if (c < 0) return model.loops.get(task.loop)?.ticks[0] ?? 0;
  const parent = task.parent !== null ? model.tasks.get(task.parent) : undefined;
  if (parent) {
    const i = firstIndex(parent.steps, (s) => s.tick >= c);
    const step = parent.steps[i];
    if (step && step.tick === c) return layout.stepSpan(step, coarse)[1];
  }
  return c + 1;
}

function doneXOf(task: TaskInfo, layout: Layout, coarse: boolean): number {
  const done = task.done!;
  if (layout.axis === 'time') return done.t;
  const last = task.steps[task.steps.length - 1];
  if (last && last.tick === done.tick) return layout.stepSpan(last, coarse)[1];
  return done.tick >= 0 ? done.tick + 1 : 0;
}

function loopSegments(loopId: number, model: TraceModel, layout: Layout, q: SegmentQuery, out: Segment[]): void {
  const loop = model.loops.get(loopId);
  if (!loop) return;
  const ticks = model.ticks;
  const start = layout.axis === 'tick'
    ? firstIndex(loop.ticks, (g) => g + 1 >= q.from)
    : Math.max(0, firstIndex(loop.ticks, (g) => ticks[g].t >= q.from) - 1);
  for (let i = start; i < loop.ticks.length; i++) {
    const g = loop.ticks[i];
    const tick = ticks[g];
    const wait = layout.waitSpan(g);
    if ((wait ? wait[0] : layout.handlesStart(g)) > q.to) break;
    if (wait) {
      const io = tick.io !== undefined && tick.io.length > 0;
      push(out, q, wait, io ? 'seg seg-wait seg-io' : 'seg seg-wait', { kind: 'wait', tick, seconds: layout.waitSeconds(tick) });
    }
    for (const act of model.callbacksAt(g)) {
      push(out, q, layout.callbackSpan(act, q.coarse), callbackClass(act.callback.kind),
        { kind: 'callback', tick: g, callback: act.callback });
    }
  }
  for (const blocking of model.blocking) {
    if (blocking.loop !== loopId) continue;
    push(out, q, blockingSpan(blocking, model, layout, q.coarse), 'seg seg-blocking', { kind: 'blocking', blocking });
  }
  out.sort((a, b) => a.start - b.start);
}

const callbackClasses = new Map<string, string>();

/**
 * The class of a callback segment, one string per kind: a tick can run hundreds of callbacks, and
 * mergeSegments keys its weights by class (a string built anew each time is hashed anew).
 */
function callbackClass(kind: string): string {
  let cls = callbackClasses.get(kind);
  if (cls === undefined) {
    cls = `seg seg-callback cb-${kind}`;
    callbackClasses.set(kind, cls);
  }
  return cls;
}

/** Where a blocking event sits: the step or callback that blocked, else its whole tick. */
export function blockingSpan(blocking: BlockingEvent & { tick: number }, model: TraceModel, layout: Layout,
  coarse = false): Span {
  if (blocking.tick < 0) return layout.axis === 'time' ? [blocking.t, blocking.t + blocking.dur] : [0, 0];
  const task = blocking.what === 'step' && blocking.task !== undefined ? model.tasks.get(blocking.task) : undefined;
  if (task) {
    const step = task.steps[firstIndex(task.steps, (s) => s.tick >= blocking.tick)];
    if (step && step.tick === blocking.tick) return layout.stepSpan(step, coarse);
  }
  if (blocking.what === 'callback') {
    const act = model.callbacksAt(blocking.tick).find((a) => a.callback.fn === blocking.fn);
    if (act) return layout.callbackSpan(act, coarse);
  }
  return layout.axis === 'time' ? [blocking.t, blocking.t + blocking.dur] : layout.tickSpan(blocking.tick);
}

function jobSegments(jobs: JobInfo[], layout: Layout, q: SegmentQuery, out: Segment[]): void {
  for (const job of jobs) {
    const start = layout.wallX(job.startWall!, job);
    const end = job.endWall !== undefined ? layout.wallX(job.endWall, job) : layout.loopEnd(job.loop);
    const cls = job.ok === false ? 'seg seg-job seg-job-error' : 'seg seg-job';
    push(out, q, [start, Math.max(start, end)], cls, { kind: 'job', job });
  }
}

/** The words drawn inside a segment wide enough to hold them (computed only for those). */
export function segmentText(seg: Segment, virtualClock: boolean): string {
  const info = seg.info;
  switch (info.kind) {
    case 'running': return shortPlace({ line: info.step.from, file: info.step.fromFile });
    case 'ready': return '';
    case 'suspended': return shortReason(info.reason);
    case 'done': return info.task.done?.state === 'ok' ? '✓' : info.task.done?.state === 'exception' ? '✗' : '⊘';
    case 'wait': {
      const { tick, seconds } = info;
      if (tick.io && tick.io.length > 0) return `I/O fd ${tick.io.map((r) => r.fd).join(', ')}`;
      if (seconds <= 0) return '';
      return virtualClock ? `+${duration(seconds)}` : `wait ${duration(seconds)}`;
    }
    case 'callback': return info.callback.fn;
    case 'blocking': return seg.merged ? `⚠ ×${seg.merged}` : `⚠ ${duration(info.blocking.dur)}`;
    case 'job': return info.job.fn;
  }
}

// ---------------------------------------------------------------------------------------------
// Merging

/** Segments narrower than this many pixels are merged with their neighbours. */
const MERGE_PX = 8;
/** A merged run is cut after this many pixels, so zoomed-out lanes still show where states change. */
const MERGED_MAX_PX = 10;
/** Done markers take this many pixels (a bar and a glyph), blocking bars at least this many. */
const MARKER_PX = 14;
const BLOCKING_PX = 6;

/**
 * Merges runs of segments narrower than MERGE_PX into cells of MERGED_MAX_PX (aligned on a fixed
 * grid, so panning keeps the same cells), each coloured by the state that covers most of it
 * (running counts double: activity is what one looks for zoomed out).
 */
export function mergeSegments(segments: Segment[], unitsPerPx: number): Segment[] {
  const out: Segment[] = [];
  const small = MERGE_PX * unitsPerPx;
  const cellWidth = MERGED_MAX_PX * unitsPerPx;
  let lastBlocking: Segment | undefined;
  let run: { cell: number; start: number; end: number; count: number; first: Segment; weights: Map<string, number> } | undefined;
  const flush = (): void => {
    if (!run) return;
    if (run.count === 1) {
      out.push({ ...run.first, end: Math.max(run.first.end, run.first.start + unitsPerPx) });
    } else {
      let best = '';
      let bestWeight = -1;
      for (const [cls, weight] of run.weights) if (weight > bestWeight) { best = cls; bestWeight = weight; }
      out.push({
        start: run.start, end: Math.max(run.end, run.start + unitsPerPx), cls: `${best} seg-dense`,
        info: run.first.info, merged: run.count,
      });
    }
    run = undefined;
  };
  for (const seg of segments) {
    const kind = seg.info.kind;
    if (kind === 'done' || kind === 'blocking') {
      flush();
      const end = Math.max(seg.end, seg.start + (kind === 'done' ? MARKER_PX : BLOCKING_PX) * unitsPerPx);
      // Blocking events a few pixels apart become one bar ("⚠ ×N" when zoomed out).
      if (kind === 'blocking' && lastBlocking && seg.start <= lastBlocking.end + 2 * unitsPerPx) {
        lastBlocking.end = Math.max(lastBlocking.end, end);
        lastBlocking.merged = (lastBlocking.merged ?? 1) + 1;
        continue;
      }
      const copy = { ...seg, end };
      out.push(copy);
      if (kind === 'blocking') lastBlocking = copy;
      continue;
    }
    const width = seg.end - seg.start;
    if (width >= small) {
      flush();
      out.push(seg);
      continue;
    }
    const cell = Math.floor(seg.start / cellWidth);
    if (run && run.cell === cell && seg.start <= run.end + unitsPerPx) {
      run.end = Math.max(run.end, seg.end);
      run.count++;
    } else {
      flush();
      run = { cell, start: seg.start, end: seg.end, count: 1, first: seg, weights: new Map() };
    }
    const weight = Math.max(width, unitsPerPx * 0.1) * (kind === 'running' ? 2 : 1);
    run.weights.set(seg.cls, (run.weights.get(seg.cls) ?? 0) + weight);
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hover text and click targets

function tickName(model: TraceModel, g: number): string {
  const tick = model.ticks[g];
  if (!tick) return '';
  const loops = model.loops.size > 1 ? `loop ${tick.loop}, ` : '';
  return `${loops}tick ${tick.n} · ${loopTime(tick.t)}`;
}

/** Lines of plain text describing a segment, for the hover tooltip. */
export function describeSegment(seg: Segment, model: TraceModel): string[] {
  const info = seg.info;
  const lines: string[] = [];
  if (seg.merged) {
    lines.push(info.kind === 'blocking' ? `${seg.merged} blocking events here; zoom in (Ctrl+wheel) to tell them apart`
      : `${seg.merged} short segments merged here; zoom in (Ctrl+wheel) for detail`);
  }
  switch (info.kind) {
    case 'running': {
      const { task, step } = info;
      lines.unshift(`${taskName(task)} — running${ownerNote(task)}`);
      lines.push(`step: ${stepPlaces(step, task)}`);
      lines.push(`took ${duration(model.durationOf(step))} · ${tickName(model, step.tick)}`);
      break;
    }
    case 'ready': {
      const { task, prev, next } = info;
      lines.unshift(`${taskName(task)} — ready`);
      lines.push(prev ? `in the ready queue, resumes${atPlace({ line: prev.to, file: prev.file })}` : 'in the ready queue, waiting for its first step');
      const by = next ? model.wakerOf(next) : undefined;
      if (by) lines.push(`woken by ${wakerText(by, model)}${by.n !== undefined ? ` in tick ${by.n}` : ''}`);
      if (next) lines.push(`runs in ${tickName(model, next.tick)}`);
      break;
    }
    case 'suspended': {
      const { task, prev, next, reason } = info;
      lines.unshift(`${taskName(task)} — suspended${atPlace({ line: prev.to, file: prev.file })}`);
      if (reason) lines.push(reasonText(reason, model));
      if (next) lines.push(`waited ${duration(Math.max(0, model.startOf(next) - model.endOf(prev)))} of loop time`);
      else if (!task.done) lines.push('still waiting');
      break;
    }
    case 'done': {
      const { task } = info;
      const done = task.done!;
      if (done.state === 'ok') lines.unshift(`${taskName(task)} — finished`, `result: ${done.result ?? 'None'}`);
      else if (done.state === 'cancelled') lines.unshift(`${taskName(task)} — cancelled`);
      else {
        lines.unshift(`${taskName(task)} — raised ${done.error?.type ?? 'an exception'}`);
        if (done.error?.message) lines.push(done.error.message);
        if (done.error?.line) lines.push(`at ${place(done.error)}`);
      }
      lines.push(loopTime(done.t));
      break;
    }
    case 'wait': {
      const { tick, seconds } = info;
      if (tick.io && tick.io.length > 0) {
        lines.unshift('I/O ready');
        for (const io of tick.io) lines.push(`fd ${io.fd} ${io.events}${io.peer ? ` (${io.peer})` : ''}`);
      } else lines.unshift('The loop waited for timers or I/O');
      if (tick.jump > 0) lines.push(`virtual clock jumped ${duration(tick.jump)}`);
      if (tick.waited > 0) lines.push(`waited ${duration(tick.waited)} of real time`);
      else if (seconds > 0 && tick.jump === 0) lines.push(`waited ${duration(seconds)}`);
      lines.push(`before ${tickName(model, tick.index)}`);
      break;
    }
    case 'callback': {
      const { callback, tick } = info;
      lines.unshift(`callback ${callback.fn}${callback.line ? ` (${place(callback)})` : ''}`);
      lines.push(`${callbackKindText(callback.kind)}${callback.timer !== undefined ? ` #${callback.timer}` : ''}`);
      lines.push(`took ${duration(callback.dur)} · ${tickName(model, tick)}`);
      break;
    }
    case 'blocking': {
      const { blocking } = info;
      const task = blocking.task !== undefined ? model.tasks.get(blocking.task) : undefined;
      lines.unshift(`⚠ Blocked the event loop for ${duration(blocking.dur)}`);
      lines.push(`in ${blocking.fn}${atPlace(blocking)}`
        + (blocking.sampled ? ' (sampled while blocked)' : ''));
      if (task) lines.push(`during a step of ${taskName(task)}`);
      lines.push('nothing else on this loop could run meanwhile');
      break;
    }
    case 'job': {
      const { job } = info;
      lines.unshift(`executor job #${job.id}: ${job.fn}${job.line ? ` (${place(job)})` : ''}`);
      if (job.thread) lines.push(`on thread ${job.thread}`);
      if (job.endWall !== undefined && job.startWall !== undefined) lines.push(`took ${duration(job.endWall - job.startWall)}`);
      else lines.push('still running');
      if (job.error) lines.push(job.error);
      const task = job.task !== undefined ? model.tasks.get(job.task) : undefined;
      if (task) lines.push(`submitted by ${taskName(task)}`);
      break;
    }
  }
  return lines;
}

export function callbackKindText(kind: string): string {
  switch (kind) {
    case 'soon': return 'call_soon';
    case 'timer': return 'timer';
    case 'io': return 'I/O callback';
    case 'threadsafe': return 'call_soon_threadsafe';
    default: return kind;
  }
}

/** The source line a click on the segment reveals. */
export function segmentTarget(seg: Segment): { line: number; file?: string } | undefined {
  const info = seg.info;
  const at = (line: number | null | undefined, file?: string) =>
    typeof line === 'number' && line >= 1 ? { line, file } : undefined;
  switch (info.kind) {
    case 'running': return at(info.step.from, info.step.fromFile) ?? at(info.step.to, info.step.file);
    case 'ready': return info.prev ? at(info.prev.to, info.prev.file) : at(info.task.line, info.task.file);
    case 'suspended': return at(info.prev.to, info.prev.file);
    case 'done': {
      const error = info.task.done?.error;
      if (error?.line) return at(error.line, error.file);
      const last = info.task.steps[info.task.steps.length - 1];
      return at(last?.from, last?.fromFile) ?? at(info.task.line, info.task.file);
    }
    case 'callback': return at(info.callback.line, info.callback.file);
    case 'blocking': return at(info.blocking.line, info.blocking.file);
    case 'job': return at(info.job.line, info.job.file);
    default: return undefined;
  }
}
