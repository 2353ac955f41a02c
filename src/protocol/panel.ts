// Messages between the extension host (src/extension/panel.ts, src/core/panelServer.ts) and the
// webview (webview/main.ts). The host owns the trace; the panel holds no events. It asks for what
// is on screen (the lanes in view and their segments for the visible window, at the zoom's level
// of detail; the rows of a side list in view; a segment's hover text) and the host answers; the
// host says when the trace grew or the cursor moved. Every answer is plain, already worded data.

import type { ClockMode } from './events';

export type Axis = 'tick' | 'time';
export type RunMode = 'record' | 'live';

export interface SessionInfo {
  scenario: string;
  /** Shown in the header, e.g. "Python 3.11.7". */
  python: string;
  clock: ClockMode;
  mode: RunMode;
  /** A saved trace being replayed rather than a live run. */
  replay: boolean;
  showInternal: boolean;
}

export interface StatusInfo {
  running: boolean;
  paused: boolean;
  /** Final outcome once the run ended: completed, exception, limit, ... */
  outcome?: string;
  /** A sentence about the outcome or a problem, shown in the header. */
  message?: string;
}

/** What the header and toolbar show. */
export interface HeaderInfo {
  scenario?: string;
  scenarioPath?: string;
  python?: string;
  clock?: ClockMode;
  replay?: boolean;
  mode?: RunMode;
  /** completed / exception / running / paused / ... */
  outcome?: string;
  message?: string;
  /** The uncaught exception, when the run ended with one. */
  error?: { text: string; line?: number; file?: string };
  loop?: string;
  tick?: { n: number; of: number; global: number; total: number };
  loopTime?: string;
  running: boolean;
  paused: boolean;
  atStart: boolean;
  atEnd: boolean;
  /** A problem of the tracer (internal errors), as one sentence. */
  warning?: string;
  /** Placeholder over the lanes while there is nothing to draw (empty: none). */
  placeholder: string;
}

/** The shape of the trace as the panel needs it to lay out its axis and scrollbar. */
export interface TraceShape {
  /** Bumped whenever the trace grew: answers for an older version are redrawn. */
  version: number;
  ticks: number;
  /** The trace's number of the first of these ticks (0 unless this is a window of a bigger trace). */
  firstTick: number;
  lanes: number;
  /** The whole run on each axis, for "fit". */
  extent: Record<Axis, [number, number]>;
}

export interface LaneRow {
  id: string;
  kind: 'loop' | 'task' | 'library' | 'worker';
  name: string;
  detail: string;
  title: string;
  internal: boolean;
  /** Where a click on the label goes. */
  line?: number;
  file?: string;
}

export interface SegmentRow {
  start: number;
  end: number;
  /** CSS classes: `seg seg-<state>` plus details (`reason-<category>`, `marker-<state>`, ...). */
  cls: string;
  kind: 'running' | 'ready' | 'suspended' | 'done' | 'wait' | 'callback' | 'blocking' | 'job';
  /** Words drawn inside, when wide enough. */
  text?: string;
  /** The source line a click reveals. */
  target?: { line: number; file?: string };
}

/** The webview's request for what is on screen. */
export interface ViewRequest {
  /** Echoed in the answer. */
  seq: number;
  axis: Axis;
  /** The axis range to cover (the visible window and a margin). */
  from: number;
  to: number;
  /** Zoom: axis units per pixel (segments narrower than a few pixels are merged). */
  unitsPerPx: number;
  /** Lanes [firstLane, firstLane + laneCount). */
  firstLane: number;
  laneCount: number;
  /** Segments at least this many pixels wide get their words. */
  textPx: number;
  /**
   * The window on screen, when the panel scrolls it to keep the cursor in view (absent while it
   * follows the whole trace): with it the host sends the lanes of the next window with the moment
   * that moves the cursor out of this one (MomentInfo.view).
   */
  window?: [number, number];
}

export interface ViewAnswer {
  /** The request's; negative for a view the host sent with a moment. */
  seq: number;
  version: number;
  /** Each lane's segments packed (see packSegments): a view of 2,000 segments as objects was 250 KB. */
  lanes: { lane: LaneRow; segments: number[] }[];
  /** The strings the packed segments refer to, each once; the first is ''. */
  strings: string[];
  /** Blocking events shade the whole height here (axis ranges). */
  bands: [number, number][];
}

/**
 * A packed segment is SEGMENT_FIELDS numbers: start, end, target line (0: none), then indexes into
 * the answer's strings of cls, kind, text and target file ('' for none).
 */
const SEGMENT_FIELDS = 7;

/** Packs segments for a ViewAnswer, adding their strings to `strings` (shared by the answer's lanes). */
export function packSegments(rows: SegmentRow[], strings: Map<string, number>): number[] {
  const id = (text: string) => {
    let index = strings.get(text);
    if (index === undefined) strings.set(text, index = strings.size);
    return index;
  };
  const packed = new Array<number>(rows.length * SEGMENT_FIELDS);
  let at = 0;
  for (const row of rows) {
    packed[at++] = row.start;
    packed[at++] = row.end;
    packed[at++] = row.target?.line ?? 0;
    packed[at++] = id(row.cls);
    packed[at++] = id(row.kind);
    packed[at++] = id(row.text ?? '');
    packed[at++] = id(row.target?.file ?? '');
  }
  return packed;
}

export function unpackSegments(packed: number[], strings: string[]): SegmentRow[] {
  const rows: SegmentRow[] = [];
  for (let at = 0; at + SEGMENT_FIELDS <= packed.length; at += SEGMENT_FIELDS) {
    const row: SegmentRow = { start: packed[at], end: packed[at + 1], cls: strings[packed[at + 3]], kind: strings[packed[at + 4]] as SegmentRow['kind'] };
    const text = strings[packed[at + 5]];
    if (text) row.text = text;
    const line = packed[at + 2];
    if (line) {
      const file = strings[packed[at + 6]];
      row.target = file ? { line, file } : { line };
    }
    rows.push(row);
  }
  return rows;
}

export type SideList = 'ready' | 'timers' | 'tasks' | 'output' | 'blocking';

/** One row of a side list; `tick` makes its name a "go to that tick" button. */
export interface SideRow {
  cls: string;
  dot?: string;
  name: string;
  nameTitle?: string;
  /** The name is a link to this line. */
  line?: number;
  file?: string;
  tick?: number;
  detail?: string;
  /** Timers: the fire time before the name. */
  when?: string;
  /** Output: the tag (task or thread) and the text printed. */
  tag?: string;
  text?: string;
  title?: string;
}

export interface SideListInfo {
  count: number;
  /** The list's heading when it says more than its name: `Ready queue for tick 5`. */
  title?: string;
  badge: string;
  /** Shown when the list is empty. */
  empty: string;
  /** Rows [from, from + rows.length) (the rest on request): the first ones, or the last ones of the output. */
  from: number;
  rows: SideRow[];
  /** Set on the blocking section when there is a warning. */
  warn?: boolean;
}

/** Everything the panel shows about the cursor tick, besides the lanes. */
export interface MomentInfo {
  /** Global tick index (undefined before the first tick). */
  tick?: number;
  /** The last of the panel's own cursor moves the host had seen (an older moment is passed over). */
  cursorSeq: number;
  /** Where the cursor sits on each axis. */
  x?: Record<Axis, number>;
  /** Tooltip of the cursor bar. */
  cursorTitle?: string;
  header: HeaderInfo;
  narration: string[];
  lists: Record<SideList, SideListInfo>;
  /**
   * The cursor left the window of the panel's last view request: the view the panel asks for once
   * it scrolled to the cursor (see scrolledToCursor), answered already, so that a jump is drawn in
   * one frame. The panel uses it only when it is the very request it would send.
   */
  view?: { request: ViewRequest; answer: ViewAnswer };
  /**
   * The lanes of the cursor tick's loop, [first, end) (a loop's lanes are next to each other): a
   * panel that shows none of them when the cursor moves there scrolls to the first.
   */
  loopLanes?: [number, number];
}

// ---------------------------------------------------------------------------------------------
// The panel's window, which the host follows to send the next one's lanes with a moment (both
// compute it here, so that they agree to the bit).

/**
 * Axis milliseconds per tick and per loop second: the panel's timeline keeps its window on whole
 * ones (0.1 ms resolution: vis-timeline rounds to 1 ms).
 */
export const AXIS_MS: Record<Axis, number> = { tick: 10, time: 10_000 };

export function toAxisMs(axis: Axis, x: number): number {
  return x * AXIS_MS[axis];
}

export function fromAxisMs(axis: Axis, ms: number): number {
  return ms / AXIS_MS[axis];
}

/**
 * The window after the cursor moved to `x`, scrolled to show it near the edge it went past, or
 * undefined while it is in view. By tick the cursor's tick is the column left of x.
 */
export function scrolledToCursor(axis: Axis, [a, b]: [number, number], x: number): [number, number] | undefined {
  const left = axis === 'tick' ? x - 1 : x;
  if (left >= a && x <= b) return undefined;
  const span = b - a;
  const start = left < a ? left - span * 0.1 : x - span * 0.9;
  return [start, start + span];
}

/** `window` as the timeline holds it once set: its ends on whole axis milliseconds (a Date's). */
export function heldWindow(axis: Axis, [a, b]: [number, number]): [number, number] {
  return [fromAxisMs(axis, Math.trunc(toAxisMs(axis, a))), fromAxisMs(axis, Math.trunc(toAxisMs(axis, b)))];
}

/**
 * Whether what a view request covered still serves `window`: a margin of half a window on each
 * side was asked for, and a quarter of a window of it is still to spare.
 */
export function stillCovers(covered: { from: number; to: number }, [a, b]: [number, number]): boolean {
  const span = b - a;
  return a - span * 0.25 >= covered.from && b + span * 0.25 <= covered.to;
}

/**
 * The axis range to ask for with `window`: half a window more on each side, on whole axis
 * milliseconds (the strips that hold the answer's segments span exactly this).
 */
export function rangeAround(axis: Axis, [a, b]: [number, number]): { from: number; to: number } {
  const span = b - a;
  return { from: fromAxisMs(axis, Math.floor(toAxisMs(axis, a - span * 0.5))), to: fromAxisMs(axis, Math.ceil(toAxisMs(axis, b + span * 0.5))) };
}

export type HostMessage =
  | { type: 'reset'; session: SessionInfo }
  | { type: 'shape'; shape: TraceShape }
  | { type: 'moment'; moment: MomentInfo }
  | { type: 'view'; answer: ViewAnswer }
  | { type: 'rows'; list: SideList; tick: number | undefined; from: number; rows: SideRow[] }
  | { type: 'tooltip'; seq: number; lines: string[] }
  | { type: 'axis'; axis: Axis }
  /** Scroll the timeline to a lane and select it. */
  | { type: 'revealLane'; lane: number };

export type PanelCommand =
  | 'stepForward' | 'stepBack' | 'continue' | 'pause' | 'restart' | 'stop' | 'goToTick' | 'goToTime'
  | 'toggleMode';

export type WebviewMessage =
  | { type: 'ready' }
  /** `seq` numbers the panel's cursor moves: the moment sent back says which it has seen (MomentInfo.cursorSeq). */
  | { type: 'setCursor'; tick: number; seq?: number }
  /** The tick at `x` on `axis` (a click or a drag of the cursor bar). */
  | { type: 'setCursorAt'; axis: Axis; x: number; seq?: number }
  | { type: 'reveal'; line: number; file?: string }
  | { type: 'command'; command: PanelCommand }
  | { type: 'axis'; axis: Axis }
  | { type: 'view'; request: ViewRequest }
  | { type: 'rows'; list: SideList; from: number; to: number }
  /** How many rows of each list the panel shows at most: a moment sends that many of each. */
  | { type: 'shownRows'; rows: Partial<Record<SideList, number>> }
  /** The hover text of segment `index` of lane `lane` (a lane index) in view answer `seq`. */
  | { type: 'tooltip'; seq: number; lane: number; index: number };

const PANEL_COMMANDS: ReadonlySet<string> = new Set<PanelCommand>([
  'stepForward', 'stepBack', 'continue', 'pause', 'restart', 'stop', 'goToTick', 'goToTime', 'toggleMode',
]);
const SIDE_LISTS: ReadonlySet<string> = new Set<SideList>(['ready', 'timers', 'tasks', 'output', 'blocking']);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isSeq(value: unknown): value is number | undefined {
  return value === undefined || isCount(value);
}

function isAxis(value: unknown): value is Axis {
  return value === 'tick' || value === 'time';
}

/** At most this many lanes or rows per request: a request cannot make the host build an unbounded answer. */
const MAX_PER_REQUEST = 1000;

function parseViewRequest(value: unknown): ViewRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (!isCount(r.seq) || !isAxis(r.axis) || !isNumber(r.from) || !isNumber(r.to) || !(r.to as number >= (r.from as number))) return undefined;
  if (!isNumber(r.unitsPerPx) || !((r.unitsPerPx as number) > 0) || !isCount(r.firstLane) || !isCount(r.laneCount)) return undefined;
  if (r.laneCount > MAX_PER_REQUEST || !isNumber(r.textPx)) return undefined;
  const window = r.window;
  const isWindow = Array.isArray(window) && window.length === 2 && isNumber(window[0]) && isNumber(window[1]) && window[1] > window[0];
  if (window !== undefined && !isWindow) return undefined;
  return {
    seq: r.seq, axis: r.axis, from: r.from, to: r.to, unitsPerPx: r.unitsPerPx as number,
    firstLane: r.firstLane, laneCount: r.laneCount, textPx: r.textPx, ...(isWindow ? { window: [window[0], window[1]] as [number, number] } : {}),
  };
}

/** Every message from the webview is checked against this schema before the host acts on it. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready': return { type: 'ready' };
    case 'setCursor':
      return isCount(message.tick) && isSeq(message.seq) ? { type: 'setCursor', tick: message.tick, seq: message.seq } : undefined;
    case 'setCursorAt':
      return isAxis(message.axis) && isNumber(message.x) && isSeq(message.seq)
        ? { type: 'setCursorAt', axis: message.axis, x: message.x, seq: message.seq } : undefined;
    case 'reveal':
      if (!isCount(message.line) || message.line < 1) return undefined;
      if (message.file !== undefined && typeof message.file !== 'string') return undefined;
      return { type: 'reveal', line: message.line, file: message.file as string | undefined };
    case 'command':
      return typeof message.command === 'string' && PANEL_COMMANDS.has(message.command)
        ? { type: 'command', command: message.command as PanelCommand } : undefined;
    case 'axis':
      return isAxis(message.axis) ? { type: 'axis', axis: message.axis } : undefined;
    case 'view': {
      const request = parseViewRequest(message.request);
      return request ? { type: 'view', request } : undefined;
    }
    case 'rows':
      return typeof message.list === 'string' && SIDE_LISTS.has(message.list) && isCount(message.from) && isCount(message.to)
        && message.to >= message.from && message.to - message.from <= MAX_PER_REQUEST
        ? { type: 'rows', list: message.list as SideList, from: message.from, to: message.to } : undefined;
    case 'shownRows': {
      const rows = message.rows;
      if (typeof rows !== 'object' || rows === null) return undefined;
      const entries = Object.entries(rows);
      return entries.every(([list, n]) => SIDE_LISTS.has(list) && isCount(n) && n <= MAX_PER_REQUEST)
        ? { type: 'shownRows', rows: Object.fromEntries(entries) } : undefined;
    }
    case 'tooltip':
      // A negative seq: a view the host sent with a moment.
      return isNumber(message.seq) && Number.isInteger(message.seq) && isCount(message.lane) && isCount(message.index)
        ? { type: 'tooltip', seq: message.seq, lane: message.lane, index: message.index } : undefined;
    default: return undefined;
  }
}
