// The host side of the panel: answers the webview's requests (src/protocol/panel.ts) from the trace
// the host owns. The panel never holds events: it asks for the lanes and segments in view, at the
// zoom's level of detail, and for the rows of a side list in view; this says when the trace grew
// and what the cursor tick looks like (header, narration, side lists). Pure: the extension's panel
// (src/extension/panel.ts) and the webview harness in tests both wire it to their transport.
import { asyncioWords, basename, duration, libraryOf, loopTime, place, reasonText, taskName } from './describe';
import {
  blockingSpan, buildLanes, callbackKindText, describeSegment, laneHolds, laneLabel, laneSegments, mergeSegments, segmentTarget,
  segmentText, type Lane, type Segment,
} from './lanes';
import { Layout } from './layout';
import type { TaskSnapshot, TraceModel } from './model';
import { nextTickOfLoop, stateAfter, type StateAfterTick } from './moment';
import { narrateTickParagraphs } from './narrate';
import type { ReadyEntry } from '../protocol/events';
import {
  heldWindow, packSegments, rangeAround, scrolledToCursor, stillCovers,
  type Axis, type HeaderInfo, type HostMessage, type LaneRow, type MomentInfo, type SegmentRow, type SessionInfo, type SideList,
  type SideListInfo, type SideRow, type StatusInfo, type TraceShape, type ViewAnswer, type ViewRequest, type WebviewMessage,
} from '../protocol/panel';

/** What the panel shows: a trace, its session, the cursor and the run state. */
export interface PanelSource {
  readonly model: TraceModel;
  readonly info: SessionInfo;
  /** Index of the cursor tick in `model`. */
  readonly cursor: number;
  status(): StatusInfo;
  /** When `model` is a window of a bigger trace: where its ticks are in the whole trace. */
  readonly window?: { firstTick: number; ticks: number; loopTicks(loop: number): number };
}

/** Rows of each side list sent with a moment until the panel says how many it shows; the rest on request. */
const FIRST_ROWS = 50;
/** How long after a moment is sent the next tick's narration is prepared (see prepareNext), ms. */
export const PREPARE_AFTER_MS = 20;
/** View answers kept for hover requests (one may be in flight while the next answer arrives). */
const KEPT_ANSWERS = 2;

/** The lists of the cursor tick, kept to answer row requests. */
interface Lists {
  tick: number | undefined;
  version: number;
  state?: StateAfterTick;
  rows: Record<SideList, { count: number; row: (index: number) => SideRow }>;
}

export class PanelServer {
  axis: Axis = 'tick';
  private source?: PanelSource;
  /** The model shown: a window that moved is shown anew. */
  private model?: TraceModel;
  private layouts?: Record<Axis, Layout>;
  private lanes: Lane[] = [];
  private lanesVersion = -1;
  private answers: { seq: number; lanes: { lane: Lane; segments: Segment[] }[] }[] = [];
  private lists?: Lists;
  private sent = { version: -1, moment: '' };
  /** Narrations kept (see narration()): the cursor tick's, and the next one's once prepared. */
  private narrated: { model: TraceModel; tick: number; paragraphs: string[] }[] = [];
  /** The last cursor tick a moment was sent for, and the preparation of the next narration. */
  private lastTick?: number;
  private preparing?: ReturnType<typeof setTimeout>;
  private cursorSeq = 0;
  /** The panel's last view request, its window moved along as the cursor scrolls it (see viewAfterMove). */
  private viewport?: ViewRequest;
  /** Numbers (negatively) the views sent with a moment. */
  private unasked = 0;
  /** Rows of each list the panel shows at most, as it said (a moment sends that many). */
  private shownRows: Partial<Record<SideList, number>> = {};

  constructor(private readonly send: (message: HostMessage) => void) {}

  /** Shows `source` from scratch: after a (re)load of the webview, or a new visualization. */
  show(source: PanelSource): void {
    this.source = source;
    this.model = source.model;
    const virtualClock = source.info.clock !== 'real';
    this.layouts = { tick: new Layout(source.model, 'tick', virtualClock), time: new Layout(source.model, 'time', virtualClock) };
    this.lanesVersion = -1;
    this.answers = [];
    this.lists = undefined;
    this.sent = { version: -1, moment: '' };
    this.narrated = [];
    this.lastTick = undefined;
    this.viewport = undefined;
    clearTimeout(this.preparing);
    this.send({ type: 'reset', session: source.info });
    this.send({ type: 'axis', axis: this.axis });
    this.update();
  }

  /** The trace grew, the cursor moved or the run state changed: tells the webview what is new. */
  update(): void {
    const source = this.source;
    if (!source) return;
    const model = source.model;
    if (model !== this.model) {
      this.show(source);
      return;
    }
    if (model.version !== this.sent.version) {
      this.sent.version = model.version;
      this.send({ type: 'shape', shape: this.shape() });
    }
    const moment = this.moment();
    // The same moment is not sent twice (a status that did not change, a cursor set to where it is).
    const key = JSON.stringify(moment);
    if (key !== this.sent.moment) {
      this.sent.moment = key;
      const view = this.viewAfterMove(moment);
      this.send({ type: 'moment', moment: view ? { ...moment, view } : moment });
    }
    if (moment.tick !== undefined && moment.tick !== this.lastTick) this.prepareNext(model, moment.tick, moment.tick < (this.lastTick ?? -1) ? -1 : 1);
    this.lastTick = moment.tick;
  }

  /**
   * Stepping goes mostly one tick at a time, the same way: once a moment is sent, the narration of
   * the next tick that way is made while the panel draws it and the user reads, so the step there
   * does not wait for it (narrating a tick of 10,000 ready tasks takes a few ms). Not at once: the
   * transport may write the moment in a later task of this process (the webview harness's does),
   * and the work would hold it back.
   */
  private prepareNext(model: TraceModel, tick: number, direction: 1 | -1): void {
    clearTimeout(this.preparing);
    const next = tick + direction;
    if (next < 0 || next >= model.ticks.length) return;
    this.preparing = setTimeout(() => {
      this.preparing = undefined;
      if (this.source?.model === model) this.narration(model, next);
    }, PREPARE_AFTER_MS);
  }

  /**
   * When the cursor left the panel's window: the view the panel asks for once it scrolled there,
   * answered now, so that the panel draws the jump in one frame instead of two (the moment, then
   * the lanes a round trip later). The panel checks it is the request it would send.
   */
  private viewAfterMove(moment: MomentInfo): MomentInfo['view'] {
    const viewport = this.viewport;
    const x = viewport && moment.x?.[viewport.axis];
    if (!viewport?.window || x === undefined || viewport.axis !== this.axis) return undefined;
    const scrolled = scrolledToCursor(viewport.axis, viewport.window, x);
    if (!scrolled) return undefined;
    const window = heldWindow(viewport.axis, scrolled);
    if (stillCovers(viewport, window)) {
      this.viewport = { ...viewport, window };
      return undefined;
    }
    const request: ViewRequest = { ...viewport, seq: -++this.unasked, window, ...rangeAround(viewport.axis, window) };
    this.viewport = request;
    return { request, answer: this.view(request) };
  }

  /** Handles what it can answer; returns the messages the owner acts on (a click's tick as setCursor). */
  receive(message: WebviewMessage): WebviewMessage | undefined {
    switch (message.type) {
      case 'ready':
        if (this.source) this.show(this.source);
        return message;
      case 'axis':
        this.axis = message.axis;
        return message;
      case 'setCursor':
      case 'setCursorAt': {
        // The moment after the owner moved the cursor (or left it where it was) says this move was seen.
        this.cursorSeq = message.seq ?? this.cursorSeq;
        queueMicrotask(() => this.update());
        if (message.type === 'setCursor') return message;
        const tick = this.layouts?.[message.axis].tickAt(message.x);
        return tick !== undefined ? { type: 'setCursor', tick } : undefined;
      }
      case 'view':
        this.viewport = message.request.window ? message.request : undefined;
        if (this.source) this.send({ type: 'view', answer: this.view(message.request) });
        return undefined;
      case 'rows': {
        const list = this.lists;
        if (!list) return undefined;
        const { count, row } = list.rows[message.list];
        const rows: SideRow[] = [];
        for (let i = message.from; i < Math.min(count, message.to); i++) rows.push(row(i));
        this.send({ type: 'rows', list: message.list, tick: list.tick, from: message.from, rows });
        return undefined;
      }
      case 'shownRows':
        this.shownRows = message.rows;
        return undefined;
      case 'tooltip': {
        const segment = this.answers.find((a) => a.seq === message.seq)?.lanes[message.lane]?.segments[message.index];
        if (segment && this.source) this.send({ type: 'tooltip', seq: message.seq, lines: describeSegment(segment, this.source.model) });
        return undefined;
      }
      default:
        return message;
    }
  }

  /** The index of a task's lane (to scroll to it), when the task has one. */
  laneOfTask(task: number): number | undefined {
    const index = this.currentLanes().findIndex((lane) => laneHolds(lane, task));
    return index >= 0 ? index : undefined;
  }

  /** The lanes of loop `loop`, [first, end) (buildLanes puts a loop's lanes next to each other). */
  private lanesOfLoop(loop: number): [number, number] | undefined {
    const lanes = this.currentLanes();
    const first = lanes.findIndex((lane) => lane.loop === loop);
    if (first < 0) return undefined;
    let end = first + 1;
    while (end < lanes.length && lanes[end].loop === loop) end++;
    return [first, end];
  }

  private currentLanes(): Lane[] {
    const source = this.source;
    if (!source) return [];
    if (this.lanesVersion !== source.model.version) {
      this.lanes = buildLanes(source.model, source.info.showInternal);
      this.lanesVersion = source.model.version;
    }
    return this.lanes;
  }

  private shape(): TraceShape {
    const model = this.source!.model;
    return {
      version: model.version, ticks: model.ticks.length, firstTick: this.source!.window?.firstTick ?? 0, lanes: this.currentLanes().length,
      extent: { tick: this.layouts!.tick.extent(), time: this.layouts!.time.extent() },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Lanes and segments

  private view(request: ViewRequest): ViewAnswer {
    const model = this.source!.model;
    const layout = this.layouts![request.axis];
    const lanes = this.currentLanes().slice(request.firstLane, request.firstLane + request.laneCount);
    const { from, to, unitsPerPx } = request;
    const query = { from, to, coarse: request.axis === 'tick' && unitsPerPx > 0.5 };
    const kept = lanes.map((lane) => ({ lane, segments: mergeSegments(laneSegments(lane, model, layout, query), unitsPerPx) }));
    this.answers = [{ seq: request.seq, lanes: kept }, ...this.answers].slice(0, KEPT_ANSWERS);
    const virtualClock = this.source!.info.clock !== 'real';
    const strings = new Map([['', 0]]);
    // Places to a sixteenth of a pixel: the digits beyond were most of the bytes sent.
    const scale = 10 ** Math.min(12, Math.max(0, Math.ceil(-Math.log10(unitsPerPx / 16))));
    const place = (x: number) => Math.round(x * scale) / scale;
    return {
      seq: request.seq,
      version: model.version,
      lanes: kept.map(({ lane, segments }) => ({
        lane: laneRow(lane, model),
        segments: packSegments(segments.map((seg) => {
          const always = seg.info.kind === 'done' || seg.info.kind === 'blocking';
          const wide = !seg.merged && (seg.end - seg.start) / unitsPerPx >= request.textPx;
          const row: SegmentRow = { start: place(seg.start), end: place(seg.end), cls: seg.cls, kind: seg.info.kind };
          const text = always || wide ? segmentText(seg, virtualClock) : '';
          if (text) row.text = text;
          const target = segmentTarget(seg);
          if (target) row.target = target;
          return row;
        }), strings),
      })),
      strings: [...strings.keys()],
      bands: blockingBands(model, layout, query, unitsPerPx),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The cursor tick

  private moment(): MomentInfo {
    const source = this.source!;
    const model = source.model;
    const count = model.ticks.length;
    const tick = count > 0 ? Math.min(Math.max(0, source.cursor), count - 1) : undefined;
    // One moment for every list, the header and the narration: the loop just after the cursor tick.
    const state = tick !== undefined ? stateAfter(model, tick) : undefined;
    this.lists = this.listsOf(model, tick, state);
    const lists = {} as Record<SideList, SideListInfo>;
    for (const name of ['ready', 'timers', 'tasks', 'output', 'blocking'] as const) {
      lists[name] = this.listInfo(name, state);
    }
    const info = tick !== undefined ? model.ticks[tick] : undefined;
    return {
      tick,
      cursorSeq: this.cursorSeq,
      x: tick !== undefined ? { tick: this.layouts!.tick.afterX(tick), time: this.layouts!.time.afterX(tick) } : undefined,
      cursorTitle: info ? `After tick ${info.n} (loop ${info.loop}): drag to move, or use the arrow keys` : undefined,
      header: headerInfo(model, source, tick),
      narration: tick !== undefined ? this.narration(model, tick) : [],
      lists,
      loopLanes: info ? this.lanesOfLoop(info.loop) : undefined,
    };
  }

  /**
   * The narration of a tick, kept while the trace grows (a live run, a trace file being read) once
   * what comes later cannot change it: its loop ran two more ticks.
   */
  private narration(model: TraceModel, tick: number): string[] {
    const kept = this.narrated.find((k) => k.model === model && k.tick === tick);
    if (kept) return kept.paragraphs;
    const paragraphs = narrateTickParagraphs(model, tick);
    const next = nextTickOfLoop(model, tick);
    if (next !== undefined && nextTickOfLoop(model, next) !== undefined) this.narrated = [{ model, tick, paragraphs }, ...this.narrated].slice(0, 2);
    return paragraphs;
  }

  private listInfo(name: SideList, state: StateAfterTick | undefined): SideListInfo {
    const { count, row } = this.lists!.rows[name];
    // The output list shows its end: its first rows are its last ones.
    const first = this.shownRows[name] ?? FIRST_ROWS;
    const from = name === 'output' ? Math.max(0, count - first) : 0;
    const rows: SideRow[] = [];
    for (let i = from; i < Math.min(count, from + first); i++) rows.push(row(i));
    const model = this.source!.model;
    switch (name) {
      case 'ready': {
        const title = state?.next ? `Ready queue for tick ${state.next.n}` : 'Ready queue';
        const empty = !state ? 'No tick yet.' : state.next ? 'Empty: the loop will wait for timers or I/O.' : 'The loop ran no further tick.';
        return { count, rows, from, title, badge: state ? String(count) : '', empty };
      }
      case 'timers':
        return { count, rows, from, badge: state ? String(count) : '', empty: 'No pending timers.' };
      case 'tasks':
        return { count, rows, from, badge: state ? String(state.tasks.filter((s) => s.state !== 'done').length) : '', empty: 'No tasks.' };
      case 'output':
        return { count, rows, from, badge: count ? String(count) : '', empty: state ? 'Nothing printed through this tick.' : 'Nothing printed.' };
      case 'blocking':
        return { count, rows, from, badge: count ? String(count) : '', empty: 'Nothing blocked the loop.', warn: model.blocking.length > 0 };
    }
  }

  private listsOf(model: TraceModel, tick: number | undefined, state: StateAfterTick | undefined): Lists {
    const ready = state?.ready ?? [];
    const timers = state?.timers ?? [];
    const tasks = grouped(state?.tasks ?? []);
    const outputs = state ? state.outputCount : model.output.length;
    return {
      tick, version: model.version, state,
      rows: {
        ready: { count: ready.length, row: (i) => readyRow(model, state!, ready[i]) },
        timers: { count: timers.length, row: (i) => timerRow(model, state!, timers[i]) },
        tasks: { count: tasks.length, row: (i) => taskRow(model, tasks[i]) },
        output: { count: outputs, row: (i) => outputRow(model, i) },
        blocking: { count: model.blocking.length, row: (i) => blockingRow(model, i, tick) },
      },
    };
  }
}

/** The program's tasks first, then each library's together (in the order they came). */
function grouped(tasks: TaskSnapshot[]): TaskSnapshot[] {
  let libraries: Map<string, TaskSnapshot[]> | undefined;
  const own: TaskSnapshot[] = [];
  for (const snapshot of tasks) {
    const lib = libraryOf(snapshot.task);
    if (!lib) {
      own.push(snapshot);
      continue;
    }
    libraries ??= new Map();
    const group = libraries.get(lib);
    if (group) group.push(snapshot); else libraries.set(lib, [snapshot]);
  }
  return libraries ? own.concat(...libraries.values()) : tasks;
}

function laneRow(lane: Lane, model: TraceModel): LaneRow {
  return { id: lane.id, kind: lane.kind, ...laneLabel(lane, model) };
}

/** Blocking events shade the whole height; bands closer than two pixels are merged. */
function blockingBands(model: TraceModel, layout: Layout, query: { from: number; to: number; coarse: boolean },
  unitsPerPx: number): [number, number][] {
  const bands: [number, number][] = [];
  for (const blocking of model.blocking) {
    const [s, e] = blockingSpan(blocking, model, layout, query.coarse);
    const end = Math.max(e, s + 2 * unitsPerPx);
    if (end >= query.from && s <= query.to) bands.push([s, end]);
  }
  bands.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const band of bands) {
    const last = merged[merged.length - 1];
    if (last && band[0] <= last[1] + 2 * unitsPerPx) last[1] = Math.max(last[1], band[1]);
    else merged.push([...band]);
  }
  return merged;
}

// ---------------------------------------------------------------------------------------------
// The header and the side lists' rows

export function headerInfo(model: TraceModel, source: PanelSource, g: number | undefined): HeaderInfo {
  const session = source.info;
  const status = source.status();
  const start = model.start;
  const scenarioPath = session.scenario || start?.scenario;
  const tick = g !== undefined ? model.ticks[g] : undefined;
  const loop = tick ? model.loops.get(tick.loop) : undefined;
  const outcome = status.outcome ?? model.end?.outcome ?? (status.running ? (status.paused ? 'paused' : 'running') : undefined);
  const error = model.end?.error;
  const internal = model.internalErrors[0];
  const window = source.window;
  const first = window?.firstTick ?? 0;
  return {
    scenario: scenarioPath ? basename(scenarioPath) : undefined,
    scenarioPath,
    python: session.python || start?.python,
    clock: session.clock ?? start?.clock,
    replay: session.replay,
    mode: session.mode,
    outcome,
    message: status.message,
    error: error ? { text: `${error.type}: ${error.message}`, line: error.line ?? undefined, file: error.file } : undefined,
    // Which loop, when there are several (the loop lane names it too).
    loop: model.loops.size <= 1 ? undefined : loop ? `Loop ${loop.id} · ${loop.thread}` : tick ? `Loop ${tick.loop}` : undefined,
    tick: tick && loop ? {
      n: tick.n, of: window ? window.loopTicks(loop.id) : loop.ticks.length,
      global: first + tick.index, total: window ? window.ticks : model.ticks.length,
    } : undefined,
    loopTime: tick ? `${loopTime(tick.t)}${tick.jump > 0 ? ` (clock +${duration(tick.jump)})` : ''}` : undefined,
    running: status.running,
    paused: status.paused,
    atStart: g === undefined || first + g <= 0,
    atEnd: g === undefined || first + g >= (window ? window.ticks : model.ticks.length) - 1,
    warning: internal ? `Tracer problem (${model.internalErrors.length}): ${internal.message}` : undefined,
    placeholder: placeholder(model, status),
  };
}

/** What the lanes area says while there is nothing to draw. */
function placeholder(model: TraceModel, status: StatusInfo): string {
  if (model.ticks.length > 0) return '';
  const error = model.end?.error;
  if (error) return `${error.type}: ${error.message}`;
  if (model.end || (status.outcome && !status.running)) return 'The program ended without running an asyncio event loop.';
  if (status.running || model.start) return 'Waiting for the first tick of the event loop…';
  return 'Nothing traced yet. Run a scenario to watch its event loop here.';
}

/** An entry of the ready queue the loop runs next (the next tick's ready list). */
function readyRow(model: TraceModel, state: StateAfterTick, entry: ReadyEntry): SideRow {
  if (typeof entry === 'number') {
    const task = model.taskById(entry);
    if (!task) return { cls: 'entry entry-task', dot: 'state-ready', name: `task #${entry}` };
    const snap = state.tasks.find((s) => s.task.id === entry);
    const started = task.steps.length > 0 && task.steps[0].tick <= state.tick.index;
    const lib = libraryOf(task);
    const where = snap && place(snap);
    return {
      cls: `entry entry-task${task.internal ? ' internal' : ''}`, dot: 'state-ready', name: taskName(task),
      line: snap?.line ?? task.line ?? undefined, file: snap?.file ?? task.file,
      detail: `${lib ? `${lib} · ` : ''}${started ? (where ? `resumes at ${where}` : 'resumes') : 'first step'}`,
    };
  }
  const timer = entry.timer !== undefined ? model.timerInfo(entry.timer) : undefined;
  const wakes = timer?.task !== undefined ? model.taskById(timer.task) : undefined;
  // asyncio's own callbacks by what they do ('gather noticed a child finished'), their names after.
  const words = asyncioWords(entry.fn);
  return {
    cls: 'entry entry-callback', dot: `cb-${entry.kind}`, name: words ?? entry.fn, line: entry.line, file: entry.file,
    detail: `${words ? `${entry.fn} · ` : ''}${callbackKindText(entry.kind)}${entry.timer !== undefined ? ` #${entry.timer}` : ''}${wakes ? `: wakes ${taskName(wakes)}` : ''}`,
  };
}

function timerRow(model: TraceModel, state: StateAfterTick, timer: StateAfterTick['timers'][number]): SideRow {
  // Due already: its handle is in the ready queue for the next tick.
  const firing = state.next !== undefined && timer.ended === state.next.index && !timer.cancelled;
  const task = timer.task !== undefined ? model.taskById(timer.task) : undefined;
  return {
    cls: `entry timer${firing ? ' firing' : ''}`, when: loopTime(timer.when),
    name: task ? `wakes ${taskName(task)}` : timer.fn, line: timer.line, file: timer.file,
    nameTitle: `${timer.fn}${timer.line ? ` (${place(timer)})` : ''}`,
    detail: `${firing ? `fires in tick ${state.next!.n}` : `in ${duration(Math.max(0, timer.when - state.tick.t))}`} · timer #${timer.id}`,
  };
}

function taskRow(model: TraceModel, snap: TaskSnapshot): SideRow {
  const state = snap.state === 'done' ? snap.doneState ?? 'done' : snap.state;
  let detail: string;
  if (snap.state === 'done') {
    const done = snap.task.done;
    detail = done?.state === 'exception' ? `raised ${done.error?.type ?? 'an exception'}` : done?.state === 'cancelled' ? 'cancelled' : 'finished';
  } else if (snap.state === 'suspended') detail = reasonText(snap.reason, model);
  else if (snap.state === 'ready') detail = 'ready';
  else detail = 'created, not started';
  const lib = libraryOf(snap.task);
  if (lib) detail = `${lib} · ${detail}`;
  return {
    cls: `entry task state-${snap.state}${snap.task.internal ? ' internal' : ''}`, dot: `state-${state}`,
    name: taskName(snap.task), line: snap.line ?? undefined, file: snap.file, detail, title: detail,
  };
}

function outputRow(model: TraceModel, i: number): SideRow {
  const out = model.output[i];
  const task = out.task !== undefined ? model.taskById(out.task) : undefined;
  const tag = task ? taskName(task) : out.thread ?? (out.stream === 'stderr' ? 'stderr' : '');
  return {
    cls: `out-line stream-${out.stream}`, name: '', tag, text: out.text,
    line: typeof out.line === 'number' && out.line >= 1 ? out.line : undefined, file: out.file,
    title: typeof out.line === 'number' ? `${tag ? `${tag}, ` : ''}${place(out)}: click to show` : undefined,
  };
}

function blockingRow(model: TraceModel, i: number, cursor: number | undefined): SideRow {
  const blocking = model.blocking[i];
  const task = blocking.task !== undefined ? model.taskById(blocking.task) : undefined;
  const where = place(blocking);
  return {
    cls: `entry blocking${cursor !== undefined && blocking.tick > cursor ? ' later' : ''}`, dot: 'state-blocking',
    name: `⚠ ${duration(blocking.dur)} in ${blocking.fn}`, nameTitle: 'Go to this tick and show the line',
    line: blocking.line ?? undefined, file: blocking.file, tick: blocking.tick >= 0 ? blocking.tick : undefined,
    detail: [where, `tick ${blocking.n}`, task ? taskName(task) : ''].filter(Boolean).join(' · '),
  };
}
