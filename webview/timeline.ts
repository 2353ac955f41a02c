// The lanes view: a vis-timeline showing the lanes of lanes.ts. vis-timeline gets slow with many
// groups (it measures every group on every redraw), so it only ever holds one group per lane *slot*
// on screen; a scrollbar of our own says which lane each slot shows. It is fed only the merged
// segments of those lanes in the visible window (plus a margin), recomputed when the window leaves
// that margin or the zoom level changes (throttled while dragging), the lanes scroll or the trace
// grows. The recomputation runs inside vis-timeline's own animation frame, right before it draws, so
// each frame lays out once and shows old and new items never mixed. Also owns the tick cursor (a
// custom time bar), clicks, drags, keyboard navigation and the hover card.
import moment from 'moment';
import { DataSet } from 'vis-data/peer';
import { Timeline, type TimelineOptions } from 'vis-timeline/peer';
import type { TraceModel } from '../src/core/model';
import { el } from './dom';
import {
  blockingSpan, buildLanes, describeSegment, laneLabel, laneSegments, mergeSegments, segmentTarget, segmentText,
  type Lane, type LaneLabel, type Segment,
} from '../src/core/lanes';
import { fromMs, Layout, toMs } from '../src/core/layout';
import type { Axis } from '../src/protocol/panel';
import { Tooltip } from './tooltip';

export interface TimelineCallbacks {
  /** The user picked a tick (click, drag, keyboard). */
  cursor(tick: number): void;
  reveal(line: number, file?: string): void;
  /** The visible window changed (axis units), or `undefined` when it follows the whole trace. */
  window(axis: Axis, window: [number, number] | undefined): void;
}

interface ShownItem {
  lane?: Lane;
  seg?: Segment;
}

interface Slot {
  /** Lane id and label details: the group is rebuilt when this changes. */
  key: string;
  lane: Lane;
}

interface VisItem {
  id: string;
  group?: string;
  /** Test hooks, copied to data-lane / data-kind attributes on the segment element. */
  lane?: string;
  kind?: string;
  start: number;
  end: number;
  type: 'range' | 'background';
  className: string;
  /** An element, or '' for none (vis-timeline would parse any other string as HTML). */
  content?: HTMLElement | '';
}

interface VisGroup {
  id: string;
  content: HTMLElement;
  order: number;
  className: string;
}

/** Lane height in px (matches --lane-height in styles.css). */
const LANE_PX = 24;
/** Text is drawn in segments at least this wide (px). */
const TEXT_PX = 28;
/**
 * While the window is being dragged or zoomed, items are recomputed this long (ms) after the
 * gesture started or they were last recomputed, unless the window leaves what they cover sooner: at
 * a new zoom level most of them are replaced, a frame too long to keep up with the gesture. Once it
 * stops (rangechanged), they are recomputed at once.
 */
const LIVE_REFRESH_MS = 400;

const UNIT_MS: Record<string, number> = {
  millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, weekday: 86_400_000, day: 86_400_000,
  week: 604_800_000, month: 2_592_000_000, year: 31_536_000_000,
};

export class LaneTimeline {
  readonly element: HTMLElement;
  private readonly timeline: Timeline;
  private readonly groups = new DataSet<VisGroup>();
  private readonly items = new DataSet<VisItem>();
  private readonly shown = new Map<string, ShownItem>();
  private readonly slots: Slot[] = [];
  private readonly tooltip: Tooltip;
  private readonly scrollbar = el('div', 'lane-scrollbar');
  private readonly cursorBand = el('div', 'cursor-band');
  private readonly scrollSpacer = el('div', 'lane-scroll-spacer');
  /** Index of the lane in the first slot. */
  private firstLane = 0;
  private slotCount = 1;
  private model: TraceModel;
  private layout: Layout;
  private lanes: Lane[] = [];
  private showInternal = false;
  private virtualClock = true;
  private cursorTick: number | undefined;
  private cursorShown = false;
  /** Follow the whole trace as it grows, until the user pans or zooms. */
  private autoFit = true;
  /** refresh() runs before vis-timeline's next redraw (see scheduleRefresh). */
  private refreshNeeded = false;
  /** Start of the current drag or zoom gesture, or of its last refresh; undefined between gestures. */
  private liveSince?: number;
  /** What the items on hand were computed for: refresh() is skipped while they still fit. */
  private computed?: { version: number; slots: number; unitsPerPx: number; from: number; to: number };
  /** Bumped whenever a slot shows another lane. */
  private slotsVersion = 0;
  /** Slots (vis-timeline groups) were added since the last redraw. */
  private newSlots = false;
  private settingWindow = false;
  private lastDataVersion = -1;
  private wheelRest = 0;
  /**
   * Items handed to vis-timeline, time spent computing them (last refresh) and in the last queued
   * redraw, refresh included (the caller paces redraws on it; the harness reads them).
   */
  readonly stats = { items: 0, refreshes: 0, lastRefreshMs: 0, lastDrawMs: 0 };

  constructor(parent: HTMLElement, model: TraceModel, private axis: Axis, private readonly callbacks: TimelineCallbacks) {
    this.model = model;
    this.layout = new Layout(model, axis, true);
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
    patchVisTimeline(this.timeline, 'probe', ['probe', 'probe-band'], (draw) => {
      const began = performance.now();
      if (this.refreshNeeded && this.newSlots) {
        // A new lane only gets its height in vis-timeline's first redraw, which then redraws
        // everything twice more: draw new lanes once without their items, the items next frame.
        this.newSlots = false;
        draw();
        this.scheduleRefresh();
        return;
      }
      if (this.refreshNeeded) {
        this.refreshNeeded = false;
        this.refresh();
      }
      draw();
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

  setModel(model: TraceModel, session: { showInternal: boolean; virtualClock: boolean }): void {
    this.model = model;
    this.showInternal = session.showInternal;
    this.virtualClock = session.virtualClock;
    this.layout = new Layout(model, this.axis, this.virtualClock);
    this.lastDataVersion = -1;
    this.cursorTick = undefined;
    this.cursorBand.hidden = true;
    this.firstLane = 0;
    this.scrollbar.scrollTop = 0;
    this.clearItems();
    // The lanes of the previous trace go too (until update(): they point into the old model).
    this.lanes = [];
    this.syncSlots();
  }

  setAxis(axis: Axis, window: [number, number] | undefined): void {
    if (axis === this.axis) return;
    this.axis = axis;
    this.layout = new Layout(this.model, axis, this.virtualClock);
    this.clearItems();
    this.restoreWindow(window);
    if (this.cursorTick !== undefined) this.setCursor(this.cursorTick);
    this.scheduleRefresh();
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
    // One step, not a gesture: the items for the new zoom level at once (see LIVE_REFRESH_MS).
    this.scheduleRefresh();
    this.callbacks.window(this.axis, undefined);
  }

  zoom(factor: number): void {
    const [a, b] = this.window();
    const center = this.cursorTick !== undefined ? this.layout.cursorX(this.cursorTick) : (a + b) / 2;
    const mid = center >= a && center <= b ? center : (a + b) / 2;
    this.autoFit = false;
    this.setWindow(mid - (mid - a) * factor, mid + (b - mid) * factor);
    this.scheduleRefresh();
    this.callbacks.window(this.axis, this.window());
  }

  /** The trace grew (or the session changed): sync lanes, then items. Called once per frame at most. */
  update(): void {
    if (this.model.version === this.lastDataVersion) return;
    this.lastDataVersion = this.model.version;
    this.lanes = buildLanes(this.model, this.showInternal);
    this.syncSlots();
    if (this.autoFit) this.fitWindow();
    this.scheduleRefresh();
    if (this.cursorTick !== undefined && !this.cursorShown) this.setCursor(this.cursorTick);
  }

  setCursor(tick: number): void {
    this.cursorTick = tick;
    if (!this.model.ticks[tick]) {
      this.cursorShown = false;
      return;
    }
    this.cursorShown = true;
    const x = this.layout.cursorX(tick);
    this.timeline.setCustomTime(toMs(this.axis, x), 'cursor');
    const tickInfo = this.model.ticks[tick];
    this.timeline.setCustomTimeTitle(`Before tick ${tickInfo.n} (loop ${tickInfo.loop}): drag to move, or use the arrow keys`, 'cursor');
    this.placeCursorBand();
    const [a, b] = this.window();
    const right = this.axis === 'tick' ? x + 1 : x;
    if (!this.autoFit && (x < a || right > b)) {
      const span = b - a;
      const start = x < a ? x - span * 0.1 : right - span * 0.9;
      this.setWindow(start, start + span);
      this.callbacks.window(this.axis, this.window());
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lanes and items

  /** Points the slots (vis-timeline groups) at the lanes from `firstLane` on, and sizes the scrollbar. */
  private syncSlots(): void {
    const height = this.lanesHeight();
    this.slotCount = Math.max(1, Math.ceil(height / LANE_PX));
    const maxFirst = Math.max(0, this.lanes.length - Math.floor(height / LANE_PX));
    this.firstLane = Math.min(this.firstLane, maxFirst);
    this.scrollSpacer.style.height = `${this.lanes.length * LANE_PX}px`;
    this.scrollbar.style.marginTop = `${this.axisHeight()}px`;
    this.scrollbar.hidden = this.lanes.length * LANE_PX <= height;
    const count = Math.min(this.slotCount, this.lanes.length - this.firstLane);
    const added: VisGroup[] = [];
    const changed: VisGroup[] = [];
    for (let k = 0; k < count; k++) {
      const lane = this.lanes[this.firstLane + k];
      const key = `${lane.id}|${lane.kind === 'loop' ? this.model.loops.get(lane.loop)?.thread ?? '' : ''}`;
      if (this.slots[k]?.key === key) continue;
      const group: VisGroup = {
        id: `slot-${k}`, order: k, content: labelElement(lane, laneLabel(lane, this.model)), className: `lane lane-${lane.kind}`,
      };
      if (this.slots[k]) changed.push(group); else added.push(group);
      this.slots[k] = { key, lane };
    }
    const removed: string[] = [];
    while (this.slots.length > count) {
      this.slots.pop();
      removed.push(`slot-${this.slots.length}`);
    }
    if (added.length || changed.length || removed.length) this.slotsVersion++;
    if (added.length) this.newSlots = true;
    if (removed.length) this.groups.remove(removed);
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
    const maxFirst = Math.max(0, this.lanes.length - Math.floor(this.lanesHeight() / LANE_PX));
    const next = Math.max(0, Math.min(maxFirst, Math.round(first)));
    if (next === this.firstLane) return;
    this.firstLane = next;
    if (Math.round(this.scrollbar.scrollTop / LANE_PX) !== next) this.scrollbar.scrollTop = next * LANE_PX;
    this.syncSlots();
    this.scheduleRefresh();
  }

  private clearItems(): void {
    this.shown.clear();
    this.items.clear();
    this.computed = undefined;
    this.stats.items = 0;
  }

  /** Window in axis units. */
  private window(): [number, number] {
    const w = this.timeline.getWindow();
    return [fromMs(this.axis, w.start.valueOf()), fromMs(this.axis, w.end.valueOf())];
  }

  private setWindow(a: number, b: number): void {
    if (!(b > a)) b = a + 1;
    this.settingWindow = true;
    try {
      this.timeline.setWindow(toMs(this.axis, a), toMs(this.axis, b), { animation: false });
    } finally {
      this.settingWindow = false;
    }
  }

  private fitWindow(): void {
    const [a, b] = this.layout.extent();
    const span = b - a > 0 ? b - a : 1;
    const pad = span * 0.02;
    const [wa, wb] = this.window();
    const na = a - pad;
    const nb = b + pad;
    if (Math.abs(wa - na) > span * 1e-6 || Math.abs(wb - nb) > span * 1e-6) this.setWindow(na, nb);
  }

  /**
   * Width of the lanes' drawing area, px. vis-timeline's own figure dates from its last redraw,
   * before the lanes area was resized perhaps (by our scrollbar appearing, say): measured instead.
   * Only called right before vis-timeline redraws, which reads the same layout anyway.
   */
  private centerWidth(): number {
    const internals = this.timeline as unknown as { props?: { left?: { width?: number }; right?: { width?: number } } };
    const width = this.element.clientWidth - (internals.props?.left?.width ?? 200) - (internals.props?.right?.width ?? 0);
    return Math.max(100, width);
  }

  /**
   * Recomputes the items in vis-timeline's next animation frame, just before it draws them (DataSet
   * changes made in a frame of our own that runs after its redraw would show up one frame late:
   * removed items gone, new ones not drawn yet).
   */
  scheduleRefresh(): void {
    this.refreshNeeded = true;
    // Not timeline.redraw(): that also marks every item dirty (all redrawn from scratch).
    (this.timeline as unknown as Internals)._redraw();
  }

  /** Recomputes the items for the lanes and window on screen and hands vis-timeline the difference. */
  refresh(): void {
    const began = performance.now();
    const [a, b] = this.window();
    const span = b - a;
    // Quantised (steps of 2^(1/4)) so that small window changes keep the same merged cells.
    const unitsPerPx = 2 ** (Math.round(Math.log2(span / this.centerWidth()) * 4) / 4);
    // The items on hand were computed with a margin of half a window on each side: while the window
    // stays inside (with a quarter of a window to spare) at the same zoom level, they are the same.
    const last = this.computed;
    if (last && last.version === this.model.version && last.slots === this.slotsVersion && last.unitsPerPx === unitsPerPx
      && a - span * 0.25 >= last.from && b + span * 0.25 <= last.to) return;
    const from = a - span * 0.5;
    const to = b + span * 0.5;
    this.computed = { version: this.model.version, slots: this.slotsVersion, unitsPerPx, from, to };
    const query = { from, to, coarse: this.axis === 'tick' && unitsPerPx > 0.5 };
    const next = new Map<string, VisItem>();
    const nextShown = new Map<string, ShownItem>();
    this.slots.forEach(({ lane }, k) => {
      const segments = mergeSegments(laneSegments(lane, this.model, this.layout, query), unitsPerPx);
      for (const seg of segments) {
        const always = seg.info.kind === 'done' || seg.info.kind === 'blocking';
        const showText = always || (!seg.merged && (seg.end - seg.start) / unitsPerPx >= TEXT_PX);
        const id = `${k}|${lane.id}|${seg.cls}|${seg.start}|${seg.end}|${showText ? 't' : ''}`;
        if (next.has(id)) continue;
        next.set(id, {
          id, group: `slot-${k}`, lane: lane.id, kind: seg.info.kind, start: 0, end: 0, type: 'range', className: seg.cls,
        });
        nextShown.set(id, { lane, seg });
      }
    });
    // Blocking events also shade the whole height; bands closer than two pixels are merged.
    const bands: [number, number][] = [];
    for (const blocking of this.model.blocking) {
      const [s, e] = blockingSpan(blocking, this.model, this.layout, query.coarse);
      const end = Math.max(e, s + 2 * unitsPerPx);
      if (end >= from && s <= to) bands.push([s, end]);
    }
    bands.sort((x, y) => x[0] - y[0]);
    const mergedBands: [number, number][] = [];
    for (const band of bands) {
      const last = mergedBands[mergedBands.length - 1];
      if (last && band[0] <= last[1] + 2 * unitsPerPx) last[1] = Math.max(last[1], band[1]);
      else mergedBands.push([...band]);
    }
    for (const [s, end] of mergedBands) {
      const id = `band|${s}|${end}`;
      next.set(id, { id, start: toMs(this.axis, s), end: toMs(this.axis, end), type: 'background', className: 'blocking-band' });
      nextShown.set(id, {});
    }

    const removed: string[] = [];
    for (const id of this.shown.keys()) if (!nextShown.has(id)) removed.push(id);
    const added: VisItem[] = [];
    for (const [id, item] of next) {
      if (this.shown.has(id)) continue;
      const shown = nextShown.get(id)!;
      if (shown.seg) {
        const seg = shown.seg;
        item.start = toMs(this.axis, seg.start);
        item.end = toMs(this.axis, seg.end);
        // Most segments are too narrow for words: no element at all for those (fewer nodes to lay
        // out). Text only ever goes in through textContent, never as markup.
        const text = id.endsWith('|t') ? segmentText(seg, this.virtualClock) : '';
        item.content = text ? el('span', 'seg-text', text) : '';
      }
      added.push(item);
    }
    for (const id of removed) this.shown.delete(id);
    for (const [id, shown] of nextShown) this.shown.set(id, shown);
    if (removed.length) this.items.remove(removed);
    if (added.length) this.items.add(added);
    this.stats.items = this.shown.size;
    this.stats.refreshes++;
    this.stats.lastRefreshMs = performance.now() - began;
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
    if (!parent || !toScreen || this.axis !== 'tick' || g === undefined || !this.model.ticks[g]) {
      this.cursorBand.hidden = true;
      return;
    }
    if (this.cursorBand.parentElement !== parent) parent.appendChild(this.cursorBand);
    const left = toScreen(toMs('tick', g));
    const right = toScreen(toMs('tick', g + 1));
    this.cursorBand.hidden = false;
    this.cursorBand.style.left = `${left}px`;
    this.cursorBand.style.width = `${Math.max(1, right - left)}px`;
  }

  // -------------------------------------------------------------------------------------------
  // Axis labels

  private axisLabel(ms: number, scale: string, step: number): string {
    if (this.axis === 'tick') {
      const x = ms / toMs('tick', 1);
      const g = Math.round(x);
      if (Math.abs(x - g) > 1e-6 || g < 0) return '';
      return String(g + 1);
    }
    const seconds = fromMs('time', ms);
    const stepSeconds = fromMs('time', (UNIT_MS[scale] ?? 1) * step);
    const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepSeconds) - 1e-9)));
    return `${seconds.toFixed(decimals)} s`;
  }

  // -------------------------------------------------------------------------------------------
  // Interaction

  private wireEvents(): void {
    const timeline = this.timeline;
    timeline.on('rangechange', (props: { byUser?: boolean }) => {
      if (props.byUser && !this.settingWindow) this.autoFit = false;
      const now = performance.now();
      this.liveSince ??= now;
      const [a, b] = this.window();
      const covered = this.computed !== undefined && a >= this.computed.from && b <= this.computed.to;
      if (now - this.liveSince > LIVE_REFRESH_MS || !covered) {
        this.liveSince = now;
        this.scheduleRefresh();
      }
    });
    timeline.on('rangechanged', (props: { byUser?: boolean }) => {
      this.liveSince = undefined;
      this.scheduleRefresh();
      if (props.byUser && !this.settingWindow) this.callbacks.window(this.axis, this.window());
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
      this.syncSlots();
      this.scheduleRefresh();
    }).observe(this.element);
    timeline.on('click', (props: { what?: string; item?: string; group?: string; time?: Date; event?: Event }) => {
      this.element.focus({ preventScroll: true });
      if (props.what === 'group-label') {
        const lane = props.group?.startsWith('slot-') ? this.slots[Number(props.group.slice(5))]?.lane : undefined;
        const task = lane?.task;
        if (task?.line) this.callbacks.reveal(task.line, task.file);
        return;
      }
      if (props.time && props.what !== 'custom-time') {
        const tick = this.layout.tickAt(fromMs(this.axis, props.time.valueOf()));
        if (tick !== undefined) this.pick(tick);
      }
      const seg = props.item ? this.shown.get(props.item)?.seg : undefined;
      const target = seg && segmentTarget(seg);
      if (target) this.callbacks.reveal(target.line, target.file);
    });
    timeline.on('timechange', (props: { id: string; time: Date }) => {
      if (props.id !== 'cursor') return;
      const tick = this.layout.tickAt(fromMs(this.axis, props.time.valueOf()));
      if (tick !== undefined && tick !== this.cursorTick) {
        this.cursorTick = tick;
        this.callbacks.cursor(tick);
      }
    });
    timeline.on('timechanged', (props: { id: string }) => {
      if (props.id === 'cursor' && this.cursorTick !== undefined) this.setCursor(this.cursorTick);
    });
    timeline.on('itemover', (props: { item: string; event: MouseEvent }) => {
      const seg = this.shown.get(props.item)?.seg;
      if (seg) this.tooltip.show(describeSegment(seg, this.model), props.event.clientX, props.event.clientY);
    });
    timeline.on('itemout', () => this.tooltip.hide());
    this.element.addEventListener('mouseleave', () => this.tooltip.hide());
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  private pick(tick: number): void {
    this.setCursor(tick);
    this.callbacks.cursor(tick);
  }

  private onKey(event: KeyboardEvent): void {
    const count = this.model.ticks.length;
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
function labelElement(lane: Lane, info: LaneLabel): HTMLElement {
  const label = el('div', `lane-label lane-${lane.kind}`);
  label.dataset.lane = lane.id;
  label.append(el('span', 'lane-name', info.name));
  if (info.detail || lane.kind === 'loop') label.append(el('span', 'lane-detail', info.detail));
  label.title = info.title;
  if (info.internal) label.classList.add('lane-internal');
  return label;
}

// ---------------------------------------------------------------------------------------------
// vis-timeline patches (v8.5). vis-timeline measures every new item right after creating it:
// Group.add draws an item in range immediately (one forced layout per item), and a range item
// reads two computed styles and two offset sizes. With thousands of items per zoom that is most of
// the time. Our items have a fixed height and clipped, non-wrapping text, so:
//  - Group.add only registers the item; the next redraw draws it (batched per group);
//  - RangeItem and BackgroundItem sizes come from the CSS (16 px high) and an estimate of the text
//    width (a blocking band read them right after inserting itself: one forced layout per band).
// It also redraws more than once per change, each time forcing layouts between its writes:
//  - every DataSet add/update/remove redraws the whole ItemSet at once, although it also queues the
//    same redraw for the next animation frame: only the queued one is kept;
//  - each group reads its offsetTop/offsetWidth twice per redraw, and the size of its label, right
//    after its items were written (a forced layout of every lane per redraw): the top is the sum of
//    the heights of the groups above it, the width that of the centre panel, both already known, and
//    the label is measured again only when it changed or the panel was resized;
//  - the queued redraw goes through `redraw`, which runs our refresh first, in the same frame,
//    before vis-timeline reads any layout.

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
  groups?: Record<string, object>;
  items?: Record<string, object>;
  itemsData?: { on(event: string, listener: Listener, id: string): void; off(event: string, listener: Listener): void };
  itemListeners: Record<string, Listener>;
  _onAdd(ids: string[]): void;
  _onUpdate(ids: string[]): void;
  _onRemove(ids: string[]): void;
}
type Internals = { itemSet?: ItemSetInternals; _origRedraw(): void; _redraw(): void };
interface PatchedPrototype { loopscopePatched?: boolean; [name: string]: unknown }

const patched = (proto: PatchedPrototype): boolean => Object.prototype.hasOwnProperty.call(proto, 'loopscopePatched');

function patchVisTimeline(timeline: Timeline, groupId: string, itemIds: string[], redraw: (draw: () => void) => void): void {
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
      proto._getDomComponentsSizes = function sizes(this: { overflow: boolean; whiteSpace: boolean; dom: { content: HTMLElement } }) {
        this.overflow = false;
        this.whiteSpace = false;
        return { content: { width: (this.dom.content.textContent?.length ?? 0) * CHAR_PX + 6 }, box: { height: ITEM_HEIGHT_PX } };
      };
    }
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
