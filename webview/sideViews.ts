// The views beside the lanes, all about the cursor tick, as the host words them (MomentInfo): the
// ready queue in FIFO order, pending timers, tasks, the output so far and blocking warnings. Also
// holds the slot for the "Explain this tick" narration (#narration), filled elsewhere.
// Each list scrolls by itself over every row, but only the rows in view are in the DOM (see
// VirtualRows), and the panel holds only those rows: the host sends the first ones with the moment
// and the others when they scroll into view. Moving the cursor costs the same with 10 tasks or 10,000.
import type { MomentInfo, SideList, SideListInfo, SideRow } from '../src/protocol/panel';
import { place } from '../src/core/describe';
import { el, setChildren } from './dom';

export interface SideActions {
  reveal(line: number, file?: string): void;
  cursor(tick: number): void;
  /** A section was opened or closed (to persist). */
  toggled(section: string, open: boolean): void;
  /** Rows [from, to) of a list are needed. */
  rows(list: SideList, from: number, to: number): void;
  /** How many rows of each list are drawn at most (so the host sends no more with a moment). */
  shownRows(rows: Partial<Record<SideList, number>>): void;
}

/** Row heights (px), fixed by styles.css (`.side-body > .entry`, `.out-line`): two lines, one line. */
const ENTRY_PX = 30;
const OUTPUT_PX = 14;
/** Rows kept in the DOM beyond each end of the view, so that a scroll shows them at once. */
const OVERSCAN = 4;
/** Rows asked for beyond those missing, so that a scroll asks the host once per few screens. */
const FETCH_MORE = 40;

interface Section {
  key: SideList;
  details: HTMLDetailsElement;
  title: HTMLElement;
  /** The heading when the host sends none. */
  name: string;
  count: HTMLElement;
  body: HTMLElement;
  /** Where the rows go (the body itself, or a wrapper inside it). */
  rows: HTMLElement;
  list: VirtualRows;
  /** The rows the host sent for the current tick, by index. */
  known: Map<number, SideRow>;
  /** The elements drawn for rows, by index and content: a row the next moment sends unchanged keeps its element. */
  drawn: Map<string, HTMLElement>;
  /** Rows asked for and not yet sent: [from, to). */
  asked?: [number, number];
}

/**
 * The rows of one list, of which only those in view (plus OVERSCAN) are in the DOM; an empty
 * spacer before and after stands for the others. Every row is `rowPx` high. `fromEnd`: the
 * scroller is a column-reverse box that keeps the end of the list in view (the output), so its
 * scroll offset counts from the end. `row` gives undefined for a row not at hand yet (drawn empty).
 */
class VirtualRows {
  private count = 0;
  private row: (index: number) => Node | undefined = () => undefined;
  /** Called with the rows in the DOM that `row` did not have. */
  private missing: (from: number, to: number) => void = () => undefined;
  /** Scroll offset from the near end, and the scroller's height, as last reported (never read back: no forced layout). */
  private offset = 0;
  private viewPx = window.innerHeight;
  /**
   * The scroller's max-height: the rows the host sends fill it. The observer does not report a
   * closed section or one skipped out of view, whose viewPx can be stale (larger).
   */
  maxPx = Infinity;
  private first = -1;
  private last = -1;
  private readonly before: HTMLElement;
  private readonly after: HTMLElement;

  constructor(scroller: HTMLElement, private readonly rows: HTMLElement, private readonly rowPx: number,
    private readonly fromEnd = false) {
    const tag = rows.tagName === 'DIV' ? 'div' : 'li';
    this.before = el(tag, 'spacer');
    this.after = el(tag, 'spacer');
    this.before.setAttribute('aria-hidden', 'true');
    this.after.setAttribute('aria-hidden', 'true');
    scroller.addEventListener('scroll', () => {
      this.offset = Math.abs(scroller.scrollTop);
      this.draw(false);
    }, { passive: true });
    // Reported after layout, before paint: a list that grew past its max-height is redrawn in the same frame.
    new ResizeObserver((entries) => {
      this.viewPx = entries[entries.length - 1].contentRect.height;
      this.draw(false);
    }).observe(scroller);
  }

  set(count: number, row: (index: number) => Node | undefined, missing: (from: number, to: number) => void): void {
    this.count = count;
    this.row = row;
    this.missing = missing;
    this.draw(true);
  }

  /** Draws the rows in view again (some arrived). */
  redraw(): void {
    this.draw(true);
  }

  /** Rows in the DOM when the scroller is `px` high. */
  rowsDrawn(px: number): number {
    return Math.ceil(px / this.rowPx) + 1 + 2 * OVERSCAN;
  }

  /** The list shows something else (an empty-list line): forget the rows. */
  clear(): void {
    this.count = 0;
    this.first = this.last = -1;
  }

  private draw(changed: boolean): void {
    if (this.count === 0) return;
    // A shorter list brings the scroll offset back within it (the scroll event for that comes later).
    const offset = Math.min(this.offset, Math.max(0, this.count * this.rowPx - this.viewPx));
    const skip = Math.max(0, Math.floor(offset / this.rowPx) - OVERSCAN);
    const near = Math.min(this.count, skip);
    const far = Math.min(this.count, near + this.rowsDrawn(Math.min(this.viewPx, this.maxPx)));
    const [first, last] = this.fromEnd ? [this.count - far, this.count - near] : [near, far];
    if (!changed && first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const nodes: Node[] = [];
    if (first > 0) {
      this.before.style.height = `${first * this.rowPx}px`;
      nodes.push(this.before);
    }
    const numbered = this.rows instanceof HTMLOListElement;
    let lacking: [number, number] | undefined;
    for (let i = first; i < last; i++) {
      let node = this.row(i);
      if (!node) {
        lacking = lacking ? [lacking[0], i + 1] : [i, i + 1];
        node = el(this.before.tagName === 'DIV' ? 'div' : 'li', 'pending');
        (node as HTMLElement).style.height = `${this.rowPx}px`;
      }
      // Keeps the FIFO position of an ordered list's items (read out by screen readers).
      if (numbered && node instanceof HTMLLIElement) node.value = i + 1;
      nodes.push(node);
    }
    if (last < this.count) {
      this.after.style.height = `${(this.count - last) * this.rowPx}px`;
      nodes.push(this.after);
    }
    setChildren(this.rows, nodes);
    if (lacking) this.missing(lacking[0], lacking[1]);
  }
}

export class SideViews {
  readonly element = el('aside', 'side');
  /** The "Explain this tick" narration under its heading; hidden while empty. */
  readonly narration = el('section', 'narration');
  private readonly narrationLines = el('div', 'narration-lines');
  private readonly sections = new Map<SideList, Section>();
  /** The tick whose lists are shown. */
  private tick: number | undefined;
  /** The rows last reported to the host by shownRows (JSON). */
  private reportedRows = '';

  constructor(parent: HTMLElement, private readonly actions: SideActions, closed: readonly string[]) {
    this.element.id = 'side';
    this.element.setAttribute('aria-label', 'The loop after the cursor tick');
    this.narration.id = 'narration';
    this.narration.hidden = true;
    this.narration.setAttribute('aria-live', 'polite');
    this.narration.append(el('h2', 'narration-title', 'Explain this tick'), this.narrationLines);
    this.element.appendChild(this.narration);
    this.section('ready', 'Ready queue', 'ready-queue', 'ol', closed);
    this.section('timers', 'Timers', 'timers', 'ul', closed);
    this.section('tasks', 'Tasks', 'tasks', 'ul', closed);
    this.section('output', 'Output', 'output', 'div', closed);
    // One listener for all output lines: a click shows the line that printed it.
    const output = this.sections.get('output')!;
    output.body.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.out-line');
      const out = row?.dataset.index !== undefined ? output.known.get(Number(row.dataset.index)) : undefined;
      if (out?.line !== undefined) this.actions.reveal(out.line, out.file);
    });
    this.section('blocking', 'Blocking', 'blocking', 'ul', closed);
    parent.appendChild(this.element);
    window.addEventListener('resize', () => this.reportShownRows());
  }

  /**
   * Each list is drawn at most its max-height high (styles.css, in vh): the rows that fills are all
   * a moment needs to send. A moment of 50 rows a list was most of the bytes of each step.
   */
  reportShownRows(): void {
    const rows: Partial<Record<SideList, number>> = {};
    for (const [key, section] of this.sections) {
      const maxPx = parseFloat(getComputedStyle(section.body).maxHeight);
      section.list.maxPx = Number.isFinite(maxPx) ? maxPx : Infinity;
      if (Number.isFinite(maxPx)) rows[key] = section.list.rowsDrawn(maxPx);
    }
    const text = JSON.stringify(rows);
    if (text === this.reportedRows) return;
    this.reportedRows = text;
    this.actions.shownRows(rows);
  }

  /** Fills the "Explain this tick" slot (#narration), hidden while empty. DOM nodes only, never markup. */
  setNarration(nodes: Node[]): void {
    this.narrationLines.replaceChildren(...nodes);
    this.narration.hidden = nodes.length === 0;
  }

  private section(key: SideList, title: string, id: string, tag: 'ol' | 'ul' | 'div', closed: readonly string[]): void {
    const details = el('details', `side-section section-${key}`);
    details.open = !closed.includes(key);
    const summary = el('summary', 'side-title');
    const count = el('span', 'count');
    const heading = el('span', 'side-title-text', title);
    summary.append(heading, count);
    const body = el(tag, 'side-body');
    body.id = id;
    // The output keeps its scroll at the bottom by itself (column-reverse around one wrapper).
    const output = key === 'output';
    const rows = output ? body.appendChild(el('div', 'output-lines')) : body;
    const list = new VirtualRows(body, rows, output ? OUTPUT_PX : ENTRY_PX, output);
    details.append(summary, body);
    details.addEventListener('toggle', () => this.actions.toggled(key, details.open));
    this.element.appendChild(details);
    this.sections.set(key, { key, details, title: heading, name: title, count, body, rows, list, known: new Map(), drawn: new Map() });
  }

  /** Shows the lists of a new moment (the cursor moved, or the trace grew). */
  update(moment: MomentInfo): void {
    this.tick = moment.tick;
    for (const [key, section] of this.sections) this.fill(section, moment.lists[key]);
  }

  /** Rows the host sent on request. */
  addRows(list: SideList, tick: number | undefined, from: number, rows: SideRow[]): void {
    const section = this.sections.get(list);
    if (!section || tick !== this.tick) return;
    rows.forEach((row, i) => section.known.set(from + i, row));
    section.asked = undefined;
    section.list.redraw();
  }

  private fill(section: Section, info: SideListInfo): void {
    section.title.textContent = info.title ?? section.name;
    section.count.textContent = info.badge;
    section.known = new Map(info.rows.map((row, i) => [info.from + i, row]));
    section.asked = undefined;
    if (section.key === 'blocking') section.details.classList.toggle('has-warnings', !!info.warn);
    if (info.count > 0) {
      const previous = section.drawn;
      section.drawn = new Map();
      section.list.set(info.count, (i) => {
        const row = section.known.get(i);
        if (!row) return undefined;
        const key = `${i} ${JSON.stringify(row)}`;
        const node = section.drawn.get(key) ?? previous.get(key) ?? (section.key === 'output' ? this.outputRow(row, i) : this.entryRow(row));
        section.drawn.set(key, node);
        return node;
      }, (from, to) => this.ask(section, info.count, from, to));
      return;
    }
    section.drawn = new Map();
    section.list.clear();
    section.rows.replaceChildren(el(section.rows.tagName === 'DIV' ? 'div' : 'li', 'empty', info.empty));
  }

  private ask(section: Section, count: number, from: number, to: number): void {
    if (section.asked && section.asked[0] <= from && section.asked[1] >= to) return;
    const range: [number, number] = [Math.max(0, from - FETCH_MORE), Math.min(count, to + FETCH_MORE)];
    section.asked = range;
    this.actions.rows(section.key, range[0], range[1]);
  }

  private link(text: string, line: number | undefined, file: string | undefined, className: string): HTMLElement {
    if (line === undefined || line < 1) return el('span', className, text);
    const button = el('button', className, text);
    button.type = 'button';
    button.title = `Show ${place({ line, file })}`;
    button.addEventListener('click', () => this.actions.reveal(line, file));
    return button;
  }

  private entryRow(row: SideRow): HTMLElement {
    const li = el('li', row.cls);
    if (row.dot) li.append(el('span', `dot ${row.dot}`));
    if (row.when) li.append(el('span', 'when', row.when));
    let name: HTMLElement;
    if (row.tick !== undefined) {
      const tick = row.tick;
      name = el('button', 'link name', row.name);
      (name as HTMLButtonElement).type = 'button';
      name.addEventListener('click', () => {
        this.actions.cursor(tick);
        if (row.line) this.actions.reveal(row.line, row.file);
      });
    } else name = this.link(row.name, row.line, row.file, 'link name');
    if (row.nameTitle) name.title = row.nameTitle;
    li.append(name);
    if (row.detail !== undefined) {
      const detail = el('span', 'detail', row.detail);
      if (row.title) detail.title = row.title;
      li.append(detail);
    }
    return li;
  }

  private outputRow(row: SideRow, index: number): HTMLElement {
    const line = el('div', row.cls);
    line.dataset.index = String(index);
    if (row.tag) line.append(el('span', 'out-tag', row.tag));
    line.append(el('span', 'out-text', row.text ?? ''));
    if (row.title) line.title = row.title;
    return line;
  }
}
