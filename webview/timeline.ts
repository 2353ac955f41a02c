// The lanes view: a vis-timeline showing the lanes the host sends. vis-timeline gets slow with many
// groups (it measures every group on every redraw), so it only ever holds one group per lane *slot*
// on screen; a scrollbar of our own says which lane each slot shows. The host owns the trace: this
// asks it for the merged segments of the lanes in the slots, over the visible window plus a margin
// (a view request), again when the window leaves that margin or the zoom level changes (at most one
// request in flight; throttled while dragging), the lanes scroll or the trace grows. An answer is
// applied inside vis-timeline's own animation frame, right before it draws, so each frame lays out
// once and shows old and new items never mixed. Also owns the tick cursor (a custom time bar),
// clicks, drags, keyboard navigation and the hover card (its text asked of the host).
//
// vis-timeline also gets slow with many items: each redraw (every frame of a pan or zoom) moves
// every item with its own style writes, and items come and go with their own DOM and bookkeeping.
// So the first slot holds one vis-timeline item, the *strip*, spanning what the answer covers, and
// the segments of every lane on screen are drawn on one canvas inside it, tall enough to reach down
// over all the slots (segmentCanvas.ts: an element per segment made a dense window over a thousand
// elements to style and lay out): a frame of a pan moves one element, a zoom scales it, and an
// answer draws the canvas anew. It is drawn again at the strip's real width when a gesture
// settles. Hover and clicks find the segment under the mouse from where each was drawn.
import moment from 'moment';
import { DataSet } from 'vis-data/peer';
import { Timeline, type TimelineOptions } from 'vis-timeline/peer';
import {
  fromAxisMs, rangeAround, scrolledToCursor, stillCovers, toAxisMs, unpackSegments,
  type Axis, type LaneRow, type SegmentRow, type TraceShape, type ViewAnswer, type ViewRequest,
} from '../src/protocol/panel';
import { el } from './dom';
import { CANVAS_PAD_PX, SEGMENT_PX, SegmentLooks, clearCanvas, paintLane, paintPending, segmentAtX, type Painted } from './segmentCanvas';
import { Tooltip } from './tooltip';

export interface TimelineCallbacks {
  /** The user picked a tick (keyboard). */
  cursor(tick: number): void;
  /** The user picked the tick at `x` (a click, a drag of the cursor bar). */
  cursorAt(axis: Axis, x: number): void;
  reveal(line: number, file?: string): void;
  /** The visible window changed (axis units), or `undefined` when it follows the whole trace. */
  window(axis: Axis, window: [number, number] | undefined): void;
  /** Asks the host for what is on screen. */
  view(request: ViewRequest): void;
  /** Asks the host for the hover text of segment `index` of lane `lane` of answer `seq`. */
  tooltip(seq: number, lane: number, index: number): void;
}

/** The strip: its vis-timeline item, the canvas the lanes' segments are drawn on and what they are. */
interface Strip {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  /** The axis range the strip spans (that of the answer it shows). */
  from: number;
  to: number;
  /** The answer its segments come from (the host finds a segment's hover text by it). */
  seq: number;
  /** Per slot: the lane id and its segments. */
  lanes: { lane: string; segments: SegmentRow[] }[];
  /**
   * Where the segments were drawn: per slot, and the top of each slot's row (css px); undefined
   * until drawn. Those beyond `near` (axis units) wait (see paintStrip).
   */
  painted?: { width: number; tops: number[]; lanes: Painted[]; near: [number, number] };
  /** The strip got new segments this frame: they are drawn at its real width (see stripScaled). */
  fresh: boolean;
}

interface Slot {
  /** Lane id and label: the group is rebuilt when this changes. */
  key: string;
  lane: LaneRow;
}

interface VisItem {
  id: string;
  group?: string;
  start: number;
  end: number;
  type: 'range' | 'background';
  className: string;
  /** An element, or '' for none (vis-timeline would parse any other string as HTML). */
  content?: HTMLElement | '';
  /** A strip keeps its real width however wide it gets, and its content at its left edge. */
  limitSize?: boolean;
  align?: 'left';
}

interface VisGroup {
  id: string;
  content: HTMLElement;
  order: number;
  className: string;
}

/** How far a press may move and still be a click, not a drag (vis-timeline's pan threshold). */
const PAN_THRESHOLD_PX = 5;
/** Lane height in px (matches --lane-height in styles.css). */
const LANE_PX = 24;
/** Text is drawn in segments at least this wide (px). */
const TEXT_PX = 28;
/**
 * While the window is being dragged or zoomed, items are asked for again only when the window
 * leaves what they cover (they stay right, merged for the zoom they were asked for): replacing most
 * of them is a frame too long to keep up with the gesture. Once it stops (rangechanged, after every
 * wheel step too), they are asked for at the new zoom when no other change came for this long (ms).
 */
const SETTLE_MS = 150;
/** The frame that shows a new answer draws its segments within this share of the window's width of it (see paintStrip). */
const NEAR_MARGIN = 0.15;
/** At the latest this long after that frame, the others are drawn (ms). */
const PENDING_MS = 200;

const UNIT_MS: Record<string, number> = {
  millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, weekday: 86_400_000, day: 86_400_000,
  week: 604_800_000, month: 2_592_000_000, year: 31_536_000_000,
};

/** What a view request covered: its answer is still good while the window stays inside at this zoom. */
interface Covered {
  version: number;
  slots: number;
  unitsPerPx: number;
  from: number;
  to: number;
  axis: Axis;
}

export class LaneTimeline {
  readonly element: HTMLElement;
  private readonly timeline: Timeline;
  private readonly groups = new DataSet<VisGroup>();
  private readonly items = new DataSet<VisItem>();
  /** The strip (see the top of this file), once an answer came. */
  private strip?: Strip;
  /** Blocking bands on screen, by id. */
  private readonly bands = new Set<string>();
  private readonly slots: Slot[] = [];
  private readonly tooltip: Tooltip;
  private readonly scrollbar = el('div', 'lane-scrollbar');
  private readonly cursorBand = el('div', 'cursor-band');
  private readonly scrollSpacer = el('div', 'lane-scroll-spacer');
  /** Index of the lane in the first slot. */
  private firstLane = 0;
  private slotCount = 1;
  /** Lanes wholly on screen, as of the last syncSlots. */
  private visibleLanes = 1;
  private shape: TraceShape = { version: -1, ticks: 0, firstTick: 0, lanes: 0, extent: { tick: [0, 1], time: [0, 1] } };
  private cursorTick: number | undefined;
  /** The tick of the last moment shown (cursorTick moves as soon as the user picks a tick, before its moment). */
  private momentTick: number | undefined;
  private cursorX?: Record<Axis, number>;
  /** Follow the whole trace as it grows, until the user pans or zooms. */
  private autoFit = true;
  /** An answer waits to be applied before vis-timeline's next redraw (see scheduleRedraw), with what it covers. */
  private answer?: { answer: ViewAnswer; covers: Covered };
  /** The request in flight, and whether the view changed since it was sent. */
  private inFlight?: { seq: number; covers: Covered };
  private stale = false;
  private nextSeq = 1;
  /** The request once the window stopped changing (see SETTLE_MS). */
  private settle?: ReturnType<typeof setTimeout>;
  /**
   * The user is panning or zooming (from vis-timeline's first rangechange to SETTLE_MS after its
   * last rangechanged; the element then has class `moving`): the strip is scaled, not drawn anew.
   */
  private moving = false;
  /** What the items on hand were asked for. */
  private covered?: Covered;
  /** Bumped whenever a slot shows another lane. */
  private slotsVersion = 0;
  /** Slots (vis-timeline groups) were added since the last redraw. */
  private newSlots = false;
  private settingWindow = false;
  /** How each segment class looks (from styles.css). */
  private readonly looks: SegmentLooks;
  /** The idle callback that draws the segments a new answer left pending (see paintStrip). */
  private pendingPaint?: number;
  private wheelRest = 0;
  /** The segment under the mouse, whose hover text was asked for. */
  private hovered?: { slot: number; index: number; seq: number; x: number; y: number };
  /**
   * Segments in the last answer, view requests sent, times the strip was drawn anew, time spent
   * applying the last answer and in the last redraw, answer included (the harness reads them).
   */
  readonly stats = { items: 0, requests: 0, paints: 0, lastApplyMs: 0, lastDrawMs: 0 };

  constructor(parent: HTMLElement, private axis: Axis, private readonly callbacks: TimelineCallbacks) {
    const row = el('div', 'timeline-row');
    this.element = el('div', 'timeline');
    this.element.id = 'timeline';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label',
      'Timeline of the event loop. Left and Right arrows move the tick cursor, Home and End jump, '
      + 'Up and Down scroll the lanes, plus and minus zoom, F fits the whole run.');
    this.scrollbar.appendChild(this.scrollSpacer);
    this.scrollbar.setAttribute('aria-hidden', 'true');
    row.append(this.element, this.scrollbar);
    parent.appendChild(row);
    this.tooltip = new Tooltip(document.body);
    this.looks = new SegmentLooks(this.element, () => {
      if (this.strip) this.strip.painted = undefined;
      this.scheduleRedraw();
    });

    const options: TimelineOptions = {
      height: '100%',
      stack: false,
      selectable: false,
      editable: false,
      showCurrentTime: false,
      showMajorLabels: false,
      showTooltips: false,
      orientation: { axis: 'top', item: 'top' },
      margin: { item: { horizontal: 0, vertical: 4 }, axis: 0 },
      groupOrder: 'order',
      dataAttributes: ['lane', 'kind'],
      verticalScroll: false,
      horizontalScroll: true,
      zoomKey: 'ctrlKey',
      zoomMin: 10,
      moment: ((date: moment.MomentInput) => moment(date).utc()) as unknown as TimelineOptions['moment'],
      format: { minorLabels: (date: moment.Moment, scale: string, step: number) => this.axisLabel(date.valueOf(), scale, step) },
    } as TimelineOptions;
    this.timeline = new Timeline(this.element, this.items as never, this.groups as never, options);
    // vis-timeline fits (or resets to options.start/end) on its first redraw and stays hidden until
    // then; this view sets the window itself, so skip that step.
    (this.timeline as unknown as { initialFitDone: boolean }).initialFitDone = true;
    // A throwaway lane, segment and band, to reach vis-timeline's Group, RangeItem and BackgroundItem classes.
    this.groups.add({ id: 'probe', content: el('span'), order: -1, className: '' });
    this.items.add([
      { id: 'probe', group: 'probe', start: 0, end: 1, type: 'range', className: '', content: el('span') },
      { id: 'probe-band', start: 0, end: 1, type: 'background', className: '' },
    ]);
    patchVisTimeline(this.timeline, 'probe', ['probe', 'probe-band'], (content) => this.stripScaled(content), (draw) => {
      const began = performance.now();
      if (this.answer && this.newSlots) {
        // A new lane only gets its height in vis-timeline's first redraw, which then redraws
        // everything twice more: draw new lanes once without their items, the items next frame.
        this.newSlots = false;
        draw();
        this.scheduleRedraw();
        return;
      }
      if (this.answer) this.apply();
      draw();
      // After vis-timeline's redraw: it measures the panel's width, which sets the strip's width.
      this.paintStrip();
      if (this.strip) this.strip.fresh = false;
      this.stats.lastDrawMs = performance.now() - began;
    });
    this.items.remove(['probe', 'probe-band']);
    this.groups.remove('probe');
    this.timeline.addCustomTime(0, 'cursor');
    this.timeline.setCustomTimeTitle('Tick cursor: drag it, or use the arrow keys', 'cursor');
    this.wireEvents();
  }

  // -------------------------------------------------------------------------------------------
  // Inputs

  /** A new trace: nothing of the previous one stays on screen. */
  reset(): void {
    this.shape = { version: -1, ticks: 0, firstTick: 0, lanes: 0, extent: { tick: [0, 1], time: [0, 1] } };
    this.cursorTick = undefined;
    this.momentTick = undefined;
    this.cursorX = undefined;
    this.cursorBand.hidden = true;
    this.firstLane = 0;
    this.scrollbar.scrollTop = 0;
    this.answer = undefined;
    this.inFlight = undefined;
    this.stale = false;
    this.clearItems();
    this.syncSlots();
  }

  setAxis(axis: Axis, window: [number, number] | undefined): void {
    if (axis === this.axis) return;
    this.axis = axis;
    this.clearItems();
    this.restoreWindow(window);
    this.placeCursor(false);
    this.request();
  }

  /** Use a saved window, or follow the whole trace when there is none. */
  restoreWindow(window: [number, number] | undefined): void {
    this.autoFit = !window;
    if (window) this.setWindow(window[0], window[1]);
    else this.fitWindow();
  }

  fit(): void {
    this.autoFit = true;
    this.fitWindow();
    // One step, not a gesture: the items for the new zoom level at once (see SETTLE_MS).
    this.request();
    this.callbacks.window(this.axis, undefined);
  }

  zoom(factor: number): void {
    const [a, b] = this.window();
    const center = this.cursorX ? this.cursorX[this.axis] : (a + b) / 2;
    const mid = center >= a && center <= b ? center : (a + b) / 2;
    this.autoFit = false;
    this.setWindow(mid - (mid - a) * factor, mid + (b - mid) * factor);
    this.request();
    this.callbacks.window(this.axis, this.window());
  }

  /** The trace grew (or is new): resize the lanes, then ask for what is on screen. */
  setShape(shape: TraceShape): void {
    if (shape.version === this.shape.version) return;
    this.shape = shape;
    this.syncSlots();
    if (this.autoFit) this.fitWindow();
    this.request();
  }

  /**
   * The cursor tick and where it sits on each axis; `view`, the lanes of the window to scroll to
   * when the host saw the cursor leave this one (MomentInfo.view).
   */
  setCursor(tick: number | undefined, x: Record<Axis, number> | undefined, title?: string, view?: { request: ViewRequest; answer: ViewAnswer },
    loopLanes?: [number, number]): void {
    // A cursor moved to a tick of a loop none of whose lanes are on screen brings that loop's lanes
    // into view, as it brings its tick into the window.
    const lanesMoved = tick !== this.momentTick && loopLanes !== undefined && !this.showsAnyLane(loopLanes) && this.scrollLanesTo(loopLanes[0]);
    this.momentTick = tick;
    this.cursorTick = tick;
    this.cursorX = x;
    if (title) this.timeline.setCustomTimeTitle(title, 'cursor');
    this.placeCursor(true, view);
    // Asks for the scrolled lanes unless placeCursor did (or took them with the moment); one on its way marks itself stale.
    if (lanesMoved) this.request();
  }

  /** Whether any lane of [first, end) is on screen (as of the last syncSlots: no layout read at each step). */
  private showsAnyLane([first, end]: [number, number]): boolean {
    return end > this.firstLane && first < this.firstLane + this.visibleLanes;
  }

  /** Scrolls the lanes so that lane `index` is in view. */
  revealLane(index: number): void {
    if (!this.showsAnyLane([index, index + 1])) this.scrollToLane(index);
  }

  /** The host's answer to a view request. */
  receive(answer: ViewAnswer): void {
    if (this.inFlight?.seq !== answer.seq) return; // an answer to a request from before a reset
    this.covered = this.inFlight.covers;
    this.answer = { answer, covers: this.inFlight.covers };
    this.inFlight = undefined;
    this.scheduleRedraw();
    if (this.stale) this.request();
  }

  /** The host's hover text for the segment under the mouse. */
  showTooltip(seq: number, lines: string[]): void {
    const hovered = this.hovered;
    if (hovered && hovered.seq === seq && this.strip?.seq === seq) this.tooltip.show(lines, hovered.x, hovered.y);
  }

  private placeCursor(scroll: boolean, view?: { request: ViewRequest; answer: ViewAnswer }): void {
    const x = this.cursorX?.[this.axis];
    if (x === undefined) {
      this.cursorBand.hidden = true;
      return;
    }
    this.timeline.setCustomTime(toAxisMs(this.axis, x), 'cursor');
    this.placeCursorBand();
    if (!scroll || this.autoFit) return;
    const next = scrolledToCursor(this.axis, this.window(), x);
    if (!next) return;
    this.setWindow(next[0], next[1]);
    if (!view || !this.adopt(view)) this.request();
    this.callbacks.window(this.axis, this.window());
  }

  // -------------------------------------------------------------------------------------------
  // Lanes and items

  /** Points the slots (vis-timeline groups) at the lanes from `firstLane` on, and sizes the scrollbar. */
  private syncSlots(): void {
    const height = this.lanesHeight();
    const lanes = this.shape.lanes;
    this.slotCount = Math.max(1, Math.ceil(height / LANE_PX));
    this.visibleLanes = Math.floor(height / LANE_PX);
    const maxFirst = Math.max(0, lanes - Math.floor(height / LANE_PX));
    this.firstLane = Math.min(this.firstLane, maxFirst);
    this.scrollSpacer.style.height = `${lanes * LANE_PX}px`;
    this.scrollbar.style.marginTop = `${this.axisHeight()}px`;
    this.scrollbar.hidden = lanes * LANE_PX <= height;
    const count = Math.min(this.slotCount, lanes - this.firstLane);
    const removed: string[] = [];
    while (this.slots.length > count) {
      this.slots.pop();
      removed.push(`slot-${this.slots.length}`);
    }
    if (removed.length) {
      this.slotsVersion++;
      this.groups.remove(removed);
    }
  }

  /** Labels the slots with the lanes of an answer (new slots are added, changed ones relabelled). */
  private labelSlots(lanes: LaneRow[]): void {
    const added: VisGroup[] = [];
    const changed: VisGroup[] = [];
    lanes.forEach((lane, k) => {
      const key = `${lane.id}|${lane.name}|${lane.detail}|${lane.title}`;
      if (this.slots[k]?.key === key) return;
      const group: VisGroup = { id: `slot-${k}`, order: k, content: labelElement(lane), className: `lane lane-${lane.kind}` };
      if (this.slots[k]) changed.push(group); else added.push(group);
      this.slots[k] = { key, lane };
    });
    if (added.length) this.newSlots = true;
    if (changed.length) this.groups.update(changed);
    if (added.length) this.groups.add(added);
  }

  /** Height of the lanes area (the timeline minus its axis), px. */
  private lanesHeight(): number {
    return Math.max(LANE_PX, this.element.clientHeight - this.axisHeight());
  }

  private axisHeight(): number {
    const internals = this.timeline as unknown as { props?: { top?: { height?: number } } };
    return internals.props?.top?.height || 22;
  }

  /** Scrolls the lanes so that `first` is the top lane. */
  private scrollToLane(first: number): void {
    if (this.scrollLanesTo(first)) this.request();
  }

  /** scrollToLane without asking the host for the lanes: whether the top lane changed. */
  private scrollLanesTo(first: number): boolean {
    const maxFirst = Math.max(0, this.shape.lanes - Math.floor(this.lanesHeight() / LANE_PX));
    const next = Math.max(0, Math.min(maxFirst, Math.round(first)));
    if (next === this.firstLane) return false;
    this.firstLane = next;
    this.slotsVersion++;
    if (Math.round(this.scrollbar.scrollTop / LANE_PX) !== next) this.scrollbar.scrollTop = next * LANE_PX;
    this.syncSlots();
    return true;
  }

  private clearItems(): void {
    this.strip = undefined;
    this.bands.clear();
    this.items.clear();
    this.covered = undefined;
    this.stats.items = 0;
  }

  /** Window in axis units. */
  private window(): [number, number] {
    const w = this.timeline.getWindow();
    return [fromAxisMs(this.axis, w.start.valueOf()), fromAxisMs(this.axis, w.end.valueOf())];
  }

  private setWindow(a: number, b: number): void {
    if (!(b > a)) b = a + 1;
    this.settingWindow = true;
    try {
      this.timeline.setWindow(toAxisMs(this.axis, a), toAxisMs(this.axis, b), { animation: false });
    } finally {
      this.settingWindow = false;
    }
  }

  private fitWindow(): void {
    const [a, b] = this.shape.extent[this.axis];
    const span = b - a > 0 ? b - a : 1;
    const pad = span * 0.02;
    const [wa, wb] = this.window();
    const na = a - pad;
    const nb = b + pad;
    if (Math.abs(wa - na) > span * 1e-6 || Math.abs(wb - nb) > span * 1e-6) this.setWindow(na, nb);
  }

  /** Width of the lanes' drawing area, px (measured: vis-timeline's figure dates from its last redraw). */
  private centerWidth(): number {
    const internals = this.timeline as unknown as { props?: { left?: { width?: number }; right?: { width?: number } } };
    const width = this.element.clientWidth - (internals.props?.left?.width ?? 200) - (internals.props?.right?.width ?? 0);
    return Math.max(100, width);
  }

  /** vis-timeline's throttled redraw (not timeline.redraw(): that also marks every item dirty). */
  private scheduleRedraw(): void {
    (this.timeline as unknown as Internals)._redraw();
  }

  /**
   * Asks the host for the lanes and window on screen, unless the items on hand still cover them
   * (see wanted). One request at a time: a change while one is in flight asks again once it is
   * answered.
   */
  request(): void {
    if (this.shape.lanes === 0) return;
    if (this.inFlight) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const wanted = this.wanted();
    if (!wanted) return;
    const seq = this.nextSeq++;
    this.inFlight = { seq, covers: wanted.covers };
    this.stats.requests++;
    this.callbacks.view({ seq, ...wanted.request });
  }

  /**
   * The view request for the lanes and window on screen, or undefined while the items on hand
   * still cover them (a margin of half a window on each side, with a quarter of a window to spare,
   * at the same zoom level).
   */
  private wanted(): { request: Omit<ViewRequest, 'seq'>; covers: Covered } | undefined {
    const window = this.window();
    // Quantised (steps of 2^(1/4)) so that small window changes keep the same merged cells.
    const unitsPerPx = 2 ** (Math.round(Math.log2((window[1] - window[0]) / this.centerWidth()) * 4) / 4);
    const last = this.covered;
    if (last && last.version === this.shape.version && last.slots === this.slotsVersion && last.unitsPerPx === unitsPerPx
      && last.axis === this.axis && stillCovers(last, window)) return undefined;
    const covers: Covered = { version: this.shape.version, slots: this.slotsVersion, unitsPerPx, axis: this.axis, ...rangeAround(this.axis, window) };
    return {
      covers,
      request: {
        axis: this.axis, from: covers.from, to: covers.to, unitsPerPx, firstLane: this.firstLane,
        laneCount: Math.min(this.slotCount, this.shape.lanes - this.firstLane), textPx: TEXT_PX,
        // While it follows the whole trace the window never scrolls to the cursor.
        ...(this.autoFit ? {} : { window }),
      },
    };
  }

  /**
   * Takes the lanes the host sent with the moment that moved the cursor out of the window, when
   * they answer the very request this would send now: the jump is then drawn in one frame, lanes
   * with the rest of the moment. An answer on its way is for the window left behind.
   */
  private adopt({ request, answer }: { request: ViewRequest; answer: ViewAnswer }): boolean {
    const wanted = this.shape.lanes > 0 ? this.wanted() : undefined;
    if (!wanted || answer.seq !== request.seq || answer.version !== this.shape.version) return false;
    const w = wanted.request;
    if (request.axis !== w.axis || request.from !== w.from || request.to !== w.to || request.unitsPerPx !== w.unitsPerPx
      || request.firstLane !== w.firstLane || request.laneCount !== w.laneCount || request.textPx !== w.textPx) return false;
    this.inFlight = undefined;
    this.stale = false;
    this.covered = wanted.covers;
    this.answer = { answer, covers: wanted.covers };
    this.scheduleRedraw();
    return true;
  }

  /** Shows an answer: the strip spans what it covers and holds its lanes' segments; bands are diffed. */
  private apply(): void {
    const { answer, covers } = this.answer!;
    this.answer = undefined;
    const began = performance.now();
    this.labelSlots(answer.lanes.map((l) => l.lane));
    const added: VisItem[] = [];
    const moved: Partial<VisItem>[] = [];
    const removed: string[] = [];
    const start = toAxisMs(this.axis, covers.from);
    const end = toAxisMs(this.axis, covers.to);
    let strip = this.strip;
    if (answer.lanes.length === 0) {
      if (strip) removed.push('strip');
      strip = this.strip = undefined;
    } else if (!strip) {
      const canvas = el('canvas', 'lane-canvas');
      const element = el('div', 'lane-segments');
      element.append(canvas);
      strip = this.strip = { element, canvas, from: covers.from, to: covers.to, seq: answer.seq, lanes: [], fresh: true };
      added.push({
        id: 'strip', group: 'slot-0', start, end, type: 'range', className: 'lane-strip', content: element, limitSize: false, align: 'left',
      });
    } else if (strip.from !== covers.from || strip.to !== covers.to) {
      moved.push({ id: 'strip', start, end });
    }
    if (strip) {
      strip.from = covers.from;
      strip.to = covers.to;
      strip.seq = answer.seq;
      strip.lanes = answer.lanes.map(({ lane, segments }) => ({ lane: lane.id, segments: unpackSegments(segments, answer.strings) }));
      strip.fresh = true;
    }
    const bands = new Set(answer.bands.map(([s, e]) => `band|${s}|${e}`));
    for (const id of this.bands) if (!bands.has(id)) removed.push(id);
    for (const [s, e] of answer.bands) {
      const id = `band|${s}|${e}`;
      if (!this.bands.has(id)) added.push({ id, start: toAxisMs(this.axis, s), end: toAxisMs(this.axis, e), type: 'background', className: 'blocking-band' });
    }
    this.bands.clear();
    for (const id of bands) this.bands.add(id);
    if (removed.length) this.items.remove(removed);
    if (moved.length) this.items.update(moved as VisItem[]);
    if (added.length) this.items.add(added);
    if (!this.moving) this.element.classList.remove('moving');
    this.stats.items = strip?.lanes.reduce((n, lane) => n + lane.segments.length, 0) ?? 0;
    this.stats.lastApplyMs = performance.now() - began;
  }

  /**
   * Draws the strip when it got new segments, or when its width or its slots' rows changed since it
   * was drawn, unless a gesture scales it (see stripScaled). Only the segments in or near the window
   * (NEAR_MARGIN): the others are most of the canvas's pixels, and a browser that rasterizes them
   * holds the frame up; they are drawn once the page is idle, or in the first frame whose window
   * reaches past the near ones.
   */
  private paintStrip(): void {
    const strip = this.strip;
    const internals = this.timeline as unknown as {
      body?: { util?: { toScreen(time: number): number } };
      itemSet?: { groups: Record<string, { top: number } | undefined>; options: { margin: { axis: number; item: { vertical: number } } } };
    };
    const toScreen = internals.body?.util?.toScreen;
    if (!strip || !toScreen) return;
    const width = toScreen(toAxisMs(this.axis, strip.to)) - toScreen(toAxisMs(this.axis, strip.from));
    // Each slot's row, down from the strip's top: vis-timeline puts the first group's item
    // margin.axis below its top, the others' half an item margin below theirs.
    const groups = internals.itemSet?.groups ?? {};
    const margin = internals.itemSet?.options.margin ?? { axis: 0, item: { vertical: 4 } };
    const first = (groups['slot-0']?.top ?? 0) + margin.axis;
    const tops = strip.lanes.map((_, k) => {
      const top = groups[`slot-${k}`]?.top;
      return top === undefined ? k * LANE_PX : top + (k === 0 ? margin.axis : margin.item.vertical / 2) - first;
    });
    const [a, b] = this.window();
    const near: [number, number] = [a - (b - a) * NEAR_MARGIN, b + (b - a) * NEAR_MARGIN];
    const painted = strip.painted;
    const changed = !painted || Math.abs(painted.width - width) > 0.5 || painted.tops.join() !== tops.join();
    if (!strip.fresh && (!changed || this.moving)) {
      if (painted && (near[0] < painted.near[0] || near[1] > painted.near[1])) this.paintPending();
      return;
    }
    const ctx = clearCanvas(strip.canvas, width, tops.length ? tops[tops.length - 1] + SEGMENT_PX : SEGMENT_PX);
    const perUnit = width / (strip.to - strip.from || 1);
    const nearPx: [number, number] = [(near[0] - strip.from) * perUnit, (near[1] - strip.from) * perUnit];
    strip.painted = {
      width, tops, near,
      lanes: strip.lanes.map(({ segments }, k) => paintLane(ctx, this.looks, segments, strip.from, strip.to, width, tops[k], nearPx)),
    };
    this.stats.paints++;
    if (this.pendingPaint === undefined && strip.painted.lanes.some((lane) => lane.pending.length)) {
      this.pendingPaint = requestIdleCallback(() => {
        this.pendingPaint = undefined;
        this.paintPending();
      }, { timeout: PENDING_MS });
    }
  }

  /** Draws the segments the strip's last drawing left pending. */
  private paintPending(): void {
    const strip = this.strip;
    const painted = strip?.painted;
    if (!strip || !painted) return;
    const ctx = strip.canvas.getContext('2d')!;
    strip.lanes.forEach(({ segments }, k) => {
      if (painted.lanes[k].pending.length) paintPending(ctx, this.looks, segments, painted.tops[k], painted.lanes[k]);
    });
    painted.near = [-Infinity, Infinity];
  }

  /**
   * Whether the strip holding `content` keeps the width it was laid out at and is scaled to its
   * place instead: while the user pans or zooms, unless it got new segments this frame. A zoom
   * frame then moves and scales one element per lane, with no layout or paint of its segments;
   * their text looks stretched until the gesture settles.
   */
  private stripScaled(content: unknown): boolean {
    return this.moving && this.strip !== undefined && this.strip.element === content && !this.strip.fresh;
  }

  /** The segment drawn under a mouse event on the strip's canvas, its slot and its row. */
  private segmentAt(event: MouseEvent | undefined): { strip: Strip; seg: SegmentRow; slot: number; index: number } | undefined {
    const strip = this.strip;
    const painted = strip?.painted;
    if (!event || !strip || !painted || event.target !== strip.canvas) return undefined;
    const box = strip.canvas.getBoundingClientRect();
    // The canvas may be scaled (a zoom in progress): its box is where it is drawn on screen.
    const x = ((event.clientX - box.left) / box.width) * painted.width;
    const y = (event.clientY - box.top) * (strip.canvas.offsetHeight / box.height) - CANVAS_PAD_PX;
    const slot = painted.tops.findIndex((top) => y >= top && y <= top + SEGMENT_PX);
    const index = slot >= 0 ? segmentAtX(painted.lanes[slot], x) : -1;
    const seg = strip.lanes[slot]?.segments[index];
    return seg ? { strip, seg, slot, index } : undefined;
  }

  /**
   * Every segment drawn, where (client px, its box) and what it is: the segments are pixels of a
   * canvas, so tests find them here, by the same record hover and clicks use.
   */
  drawnSegments(): { lane: string; kind: string; cls: string; text: string; index: number; left: number; right: number; top: number; bottom: number }[] {
    const strip = this.strip;
    const painted = strip?.painted;
    if (!strip || !painted || !strip.canvas.isConnected) return [];
    const box = strip.canvas.getBoundingClientRect();
    const kx = box.width / painted.width;
    const ky = box.height / strip.canvas.offsetHeight;
    return strip.lanes.flatMap(({ lane, segments }, k) => painted.lanes[k].order.map((index) => {
      const seg = segments[index];
      const top = box.top + (CANVAS_PAD_PX + painted.tops[k]) * ky;
      return {
        lane, kind: seg.kind, cls: seg.cls, text: seg.text ?? '', index,
        left: box.left + painted.lanes[k].left[index] * kx, right: box.left + painted.lanes[k].right[index] * kx, top, bottom: top + SEGMENT_PX * ky,
      };
    }));
  }

  /**
   * The column of the cursor tick (tick axis): a div of ours behind the items, next to the cursor
   * bar, so moving the cursor never makes vis-timeline redraw its items.
   */
  private placeCursorBand(): void {
    const internals = this.timeline as unknown as {
      dom?: { backgroundVertical?: HTMLElement };
      body?: { util?: { toScreen(time: number): number } };
    };
    const parent = internals.dom?.backgroundVertical;
    const toScreen = internals.body?.util?.toScreen;
    const g = this.cursorTick;
    if (!parent || !toScreen || this.axis !== 'tick' || g === undefined) {
      this.cursorBand.hidden = true;
      return;
    }
    if (this.cursorBand.parentElement !== parent) parent.appendChild(this.cursorBand);
    const left = toScreen(toAxisMs('tick', g));
    const right = toScreen(toAxisMs('tick', g + 1));
    this.cursorBand.hidden = false;
    this.cursorBand.style.left = `${left}px`;
    this.cursorBand.style.width = `${Math.max(1, right - left)}px`;
  }

  // -------------------------------------------------------------------------------------------
  // Axis labels

  private axisLabel(ms: number, scale: string, step: number): string {
    if (this.axis === 'tick') {
      const x = ms / toAxisMs('tick', 1);
      const g = Math.round(x);
      if (Math.abs(x - g) > 1e-6 || g < 0) return '';
      return String(this.shape.firstTick + g + 1);
    }
    const seconds = fromAxisMs('time', ms);
    const stepSeconds = fromAxisMs('time', (UNIT_MS[scale] ?? 1) * step);
    const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepSeconds) - 1e-9)));
    return `${seconds.toFixed(decimals)} s`;
  }

  // -------------------------------------------------------------------------------------------
  // Interaction

  private wireEvents(): void {
    const timeline = this.timeline;
    timeline.on('rangechange', (props: { byUser?: boolean }) => {
      if (props.byUser && !this.settingWindow) this.autoFit = false;
      if (props.byUser) {
        // A change the panel makes itself (setWindow: the cursor scrolled into view) does not cancel
        // the request a gesture is owed.
        clearTimeout(this.settle);
        this.settle = undefined;
        if (!this.moving) this.element.classList.add('moving');
        this.moving = true;
      }
      // A window the panel sets itself is asked for by whoever set it, once (see setWindow's callers).
      if (this.settingWindow) return;
      const [a, b] = this.window();
      if (this.covered === undefined || a < this.covered.from || b > this.covered.to) this.request();
    });
    timeline.on('rangechanged', (props: { byUser?: boolean }) => {
      // vis-timeline says so 200 ms after any change; this view asked at once for the windows it
      // set itself (a step that scrolled, a zoom button, fit).
      if (!props.byUser) return;
      clearTimeout(this.settle);
      this.settle = setTimeout(() => {
        this.settle = undefined;
        this.moving = false;
        // The strips' real widths (see stripScaled), whether or not new segments are asked for.
        this.scheduleRedraw();
        this.request();
        // The stripes come back with the answer (its new segments styled once), or now if none is asked for.
        if (!this.inFlight) this.element.classList.remove('moving');
      }, SETTLE_MS);
      this.callbacks.window(this.axis, this.window());
    });
    timeline.on('changed', () => this.placeCursorBand());
    // Plain vertical wheel scrolls the lanes (ours, not vis-timeline's); Shift+wheel or a sideways
    // swipe pans, Ctrl+wheel zooms (both handled by vis-timeline).
    this.element.addEventListener('wheel', (event) => {
      if (event.ctrlKey || event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) return;
      event.stopPropagation();
      // All lanes on screen: let the page scroll (the narrow layout scrolls as a whole).
      if (this.scrollbar.hidden) return;
      event.preventDefault();
      const lines = event.deltaMode === 1 ? event.deltaY : event.deltaMode === 2 ? event.deltaY * this.slotCount : event.deltaY / LANE_PX;
      this.wheelRest += lines;
      const whole = Math.trunc(this.wheelRest);
      if (whole !== 0) {
        this.wheelRest -= whole;
        this.scrollToLane(this.firstLane + whole);
      }
    }, { capture: true, passive: false });
    this.scrollbar.addEventListener('scroll', () => this.scrollToLane(this.scrollbar.scrollTop / LANE_PX));
    new ResizeObserver(() => {
      const slots = this.slotCount;
      this.syncSlots();
      if (this.slotCount !== slots) this.slotsVersion++;
      this.request();
    }).observe(this.element);
    // A drag of the lanes ends with the browser's click where the button is let go: that click
    // picks nothing. A press that moved less than vis-timeline's pan threshold is a click.
    let pressedAt = { x: 0, y: 0 };
    this.element.addEventListener('pointerdown', (event) => {
      pressedAt = { x: event.clientX, y: event.clientY };
    }, { capture: true });
    timeline.on('click', (props: { what?: string; item?: string; group?: string; time?: Date; event?: MouseEvent }) => {
      this.element.focus({ preventScroll: true });
      const released = props.event;
      if (released && Math.hypot(released.clientX - pressedAt.x, released.clientY - pressedAt.y) > PAN_THRESHOLD_PX) return;
      if (props.what === 'group-label') {
        const lane = props.group?.startsWith('slot-') ? this.slots[Number(props.group.slice(5))]?.lane : undefined;
        if (lane?.line) this.callbacks.reveal(lane.line, lane.file);
        return;
      }
      if (props.time && props.what !== 'custom-time') this.pickAt(fromAxisMs(this.axis, props.time.valueOf()));
      const target = this.segmentAt(props.event)?.seg.target;
      if (target) this.callbacks.reveal(target.line, target.file);
    });
    timeline.on('timechange', (props: { id: string; time: Date }) => {
      if (props.id === 'cursor') this.pickAt(fromAxisMs(this.axis, props.time.valueOf()));
    });
    timeline.on('timechanged', (props: { id: string }) => {
      if (props.id === 'cursor') this.placeCursor(false);
    });
    // Segments are not vis-timeline items (see the top of this file): their hover is ours.
    this.element.addEventListener('mousemove', (event) => {
      const found = this.segmentAt(event);
      const hovered = this.hovered;
      if (found && hovered && found.slot === hovered.slot && found.index === hovered.index && found.strip.seq === hovered.seq) return;
      if (!found) {
        if (hovered) this.hideTooltip();
        return;
      }
      this.hovered = { slot: found.slot, index: found.index, seq: found.strip.seq, x: event.clientX, y: event.clientY };
      this.callbacks.tooltip(found.strip.seq, found.slot, found.index);
    });
    this.element.addEventListener('mouseleave', () => this.hideTooltip());
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  private hideTooltip(): void {
    this.hovered = undefined;
    this.tooltip.hide();
  }

  /**
   * The tick under x: by tick, the tick whose column it is (at once; the cursor bar sits at the right
   * edge of its tick's column, after it ran, so a bar dropped on an edge means the column to its
   * left); by time, the host knows.
   */
  private pickAt(x: number): void {
    if (this.axis === 'time') {
      this.callbacks.cursorAt('time', x);
      return;
    }
    if (this.shape.ticks === 0) return;
    const tick = Math.min(this.shape.ticks - 1, Math.max(0, Math.ceil(x) - 1));
    if (tick !== this.cursorTick) this.pick(tick);
  }

  private pick(tick: number): void {
    this.cursorTick = tick;
    this.callbacks.cursor(tick);
  }

  private onKey(event: KeyboardEvent): void {
    const count = this.shape.ticks;
    const current = this.cursorTick ?? count - 1;
    const big = event.shiftKey ? 10 : 1;
    let tick: number | undefined;
    switch (event.key) {
      case 'ArrowLeft': tick = current - big; break;
      case 'ArrowRight': tick = current + big; break;
      case 'PageUp': tick = current - 100; break;
      case 'PageDown': tick = current + 100; break;
      case 'Home': tick = 0; break;
      case 'End': tick = count - 1; break;
      case '+': case '=': this.zoom(0.5); break;
      case '-': case '_': this.zoom(2); break;
      case 'f': case 'F': this.fit(); break;
      case 'ArrowUp': this.scrollToLane(this.firstLane - 1); break;
      case 'ArrowDown': this.scrollToLane(this.firstLane + 1); break;
      default: return;
    }
    event.preventDefault();
    if (tick !== undefined && count > 0) this.pick(Math.max(0, Math.min(count - 1, tick)));
  }

  destroy(): void {
    this.timeline.destroy();
  }
}

/** The label at the left of a lane (class `lane-label`, full text in its tooltip). */
function labelElement(lane: LaneRow): HTMLElement {
  const label = el('div', `lane-label lane-${lane.kind}`);
  label.dataset.lane = lane.id;
  label.append(el('span', 'lane-name', lane.name));
  if (lane.detail || lane.kind === 'loop') label.append(el('span', 'lane-detail', lane.detail));
  label.title = lane.title;
  if (lane.internal) label.classList.add('lane-internal');
  return label;
}

// ---------------------------------------------------------------------------------------------
// vis-timeline patches (v8.5). vis-timeline measures every new item right after creating it:
// Group.add draws an item in range immediately (one forced layout per item), and a range item
// reads two computed styles and two offset sizes. With thousands of items per zoom that is most of
// the time. Our items have a fixed height and clipped, non-wrapping text, so:
//  - Group.add only registers the item; the next redraw draws it (batched per group);
//  - RangeItem and BackgroundItem sizes come from the CSS (16 px high) and an estimate of the text
//    width (a blocking band read them right after inserting itself: one forced layout per band);
//  - an item's content element is compared with the one it had by identity, not by serializing
//    both (outerHTML: a strip's whole subtree, on every move).
// It also redraws more than once per change, each time forcing layouts between its writes:
//  - every DataSet add/update/remove redraws the whole ItemSet at once, although it also queues the
//    same redraw for the next animation frame: only the queued one is kept;
//  - each group reads its offsetTop/offsetWidth twice per redraw, and the size of its label, right
//    after its items were written (a forced layout of every lane per redraw): the top is the sum of
//    the heights of the groups above it, the width that of the centre panel, both already known, and
//    the label is measured again only when it changed or the panel was resized;
//  - each group reads the height of a hidden marker element first thing in every redraw, to notice
//    web fonts that changed item heights: ours have a fixed height, so it is read only once;
//  - the item set reads its own width (and that of its background) after all items are written,
//    a forced layout of every item per redraw: it is the width of the centre panel, already known;
//  - the queued redraw goes through `redraw`, which applies the host's answer first, in the same
//    frame, before vis-timeline reads any layout.

const ITEM_HEIGHT_PX = 16;
const CHAR_PX = 6.5;

interface VisGroupInternals {
  itemSet: {
    groupIds: string[];
    groups: Record<string, { height: number }>;
    body: { domProps: { center: { width: number }; root: { width: number } } };
  };
  dom: { inner: HTMLElement };
  props: { label: { width: number; height: number } };
  top: number;
  right: number;
  width: number;
  height: number;
  /** The label was measured with the panel this wide (undefined: measure it). */
  labelMeasuredAt?: number;
}
type Listener = (event: string, params: { items: string[] }) => void;
interface ItemSetInternals {
  id: string;
  dom?: { frame?: HTMLElement };
  body?: { domProps: { center: { width: number } } };
  groups?: Record<string, object>;
  items?: Record<string, object>;
  itemsData?: { on(event: string, listener: Listener, id: string): void; off(event: string, listener: Listener): void };
  itemListeners: Record<string, Listener>;
  _onAdd(ids: string[]): void;
  _onUpdate(ids: string[]): void;
  _onRemove(ids: string[]): void;
}
interface ScaledItem {
  data: { content?: unknown };
  dom: { box: HTMLElement };
  left: number;
  width: number;
  /** The box width its content was last laid out at, px. */
  laidOutWidth?: number;
}
type Internals = { itemSet?: ItemSetInternals; _origRedraw(): void; _redraw(): void };
interface PatchedPrototype { loopscopePatched?: boolean; [name: string]: unknown }

const patched = (proto: PatchedPrototype): boolean => Object.prototype.hasOwnProperty.call(proto, 'loopscopePatched');

function patchVisTimeline(
  timeline: Timeline, groupId: string, itemIds: string[], scaled: (content: unknown) => boolean, redraw: (draw: () => void) => void,
): void {
  const internals = timeline as unknown as Internals;
  const itemSet = internals.itemSet;
  const group = itemSet?.groups?.[groupId];
  if (group) {
    const proto = Object.getPrototypeOf(group) as PatchedPrototype;
    if (!patched(proto) && typeof proto.add === 'function') {
      proto.loopscopePatched = true;
      proto.add = function add(this: { items: Record<string, unknown>; stackDirty: boolean }, item: {
        id: string; setParent(group: unknown): void;
      }): void {
        this.items[item.id] = item;
        item.setParent(this);
        this.stackDirty = true;
      };
      if (typeof proto._didMarkerHeightChange === 'function') {
        const markerHeightChanged = proto._didMarkerHeightChange as (this: unknown) => boolean;
        proto._didMarkerHeightChange = function markerHeight(this: { markerRead?: boolean }): boolean {
          if (this.markerRead) return false;
          this.markerRead = true;
          return markerHeightChanged.call(this);
        };
      }
      if (typeof proto._calculateGroupSizeAndPosition === 'function') {
        proto._calculateGroupSizeAndPosition = function sizeAndPosition(this: VisGroupInternals): void {
          const { groupIds, groups, body } = this.itemSet;
          let top = 0;
          for (const id of groupIds) {
            const other = groups[id];
            if (other === (this as unknown)) break;
            if (other) top += other.height;
          }
          this.top = top;
          this.right = 0;
          this.width = body.domProps.center.width;
        };
      }
      const setData = proto.setData;
      if (typeof setData === 'function' && typeof proto._didResize === 'function') {
        proto.setData = function setLabel(this: VisGroupInternals, data: unknown): void {
          setData.call(this, data);
          this.labelMeasuredAt = undefined;
        };
        proto._didResize = function didResize(this: VisGroupInternals, resized: boolean, height: number): boolean {
          if (this.height !== height) {
            this.height = height;
            resized = true;
          }
          const panel = this.itemSet.body.domProps.root.width;
          if (this.labelMeasuredAt !== panel) {
            this.labelMeasuredAt = panel;
            const label = this.props.label;
            const width = this.dom.inner.clientWidth;
            const labelHeight = this.dom.inner.clientHeight;
            if (label.width !== width || label.height !== labelHeight) resized = true;
            label.width = width;
            label.height = labelHeight;
          }
          return resized;
        };
      }
    }
  }
  for (const id of itemIds) {
    const item = itemSet?.items?.[id];
    if (!item) continue;
    const proto = Object.getPrototypeOf(item) as PatchedPrototype;
    if (!patched(proto) && typeof proto._getDomComponentsSizes === 'function') {
      proto.loopscopePatched = true;
      // Whether the content changed, by identity: comparing elements serializes them (outerHTML),
      // a strip's whole subtree on every move.
      proto._contentToString = (content: unknown) => content;
      proto._getDomComponentsSizes = function sizes(this: { overflow: boolean; whiteSpace: boolean; dom: { content: HTMLElement } }) {
        this.overflow = false;
        this.whiteSpace = false;
        return { content: { width: (this.dom.content.textContent?.length ?? 0) * CHAR_PX + 6 }, box: { height: ITEM_HEIGHT_PX } };
      };
    }
    // A range item (not a band: BackgroundItem has a copy of RangeItem's repositionX) that `scaled`
    // names keeps the width it was last laid out at, scaled to the one it should have.
    const repositionX = proto.repositionX;
    if (id === itemIds[0] && !Object.prototype.hasOwnProperty.call(proto, 'loopscopeScaled') && typeof repositionX === 'function') {
      proto.loopscopeScaled = true;
      proto.repositionX = function reposition(this: ScaledItem, limitSize?: boolean): void {
        (repositionX as (this: ScaledItem, limitSize?: boolean) => void).call(this, limitSize);
        if (!this.laidOutWidth || !scaled(this.data.content)) {
          this.laidOutWidth = this.width;
          return;
        }
        this.dom.box.style.width = `${this.laidOutWidth}px`;
        this.dom.box.style.transform = `translateX(${this.left}px) scaleX(${this.width / this.laidOutWidth})`;
      };
    }
  }
  if (itemSet?.dom?.frame && itemSet.body) {
    const body = itemSet.body;
    const centerWidth = { get: () => body.domProps.center.width, configurable: true };
    Object.defineProperty(itemSet.dom.frame, 'offsetWidth', centerWidth);
    const background = (itemSet.groups?.__background__ as { dom?: { background?: HTMLElement } } | undefined)?.dom?.background;
    if (background) Object.defineProperty(background, 'offsetWidth', centerWidth);
  }
  const data = itemSet?.itemsData;
  if (itemSet && data && itemSet.itemListeners) {
    for (const [event, listener] of Object.entries(itemSet.itemListeners)) data.off(event, listener);
    itemSet.itemListeners = {
      add: (_event, params) => itemSet._onAdd(params.items),
      update: (_event, params) => itemSet._onUpdate(params.items),
      remove: (_event, params) => itemSet._onRemove(params.items),
    };
    for (const [event, listener] of Object.entries(itemSet.itemListeners)) data.on(event, listener, itemSet.id);
  }
  // vis-timeline's throttled redraw (one per animation frame), through our hook. Changes the hook
  // makes before drawing ask for a redraw again: that is this one, so they are not scheduled anew.
  if (typeof internals._origRedraw === 'function') {
    let scheduled = false;
    internals._redraw = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        let drawn = false;
        try {
          redraw(() => {
            drawn = true;
            scheduled = false;
            internals._origRedraw();
          });
        } finally {
          // A hook that threw must not stop every later redraw.
          if (!drawn) scheduled = false;
        }
      });
    };
  }
}
