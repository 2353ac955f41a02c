// The views beside the lanes, all about the state before the cursor tick (model.stateBefore):
// the ready queue in FIFO order, pending timers, tasks, the output so far and blocking warnings.
// Also holds the slot for the "Explain this tick" narration (#narration), filled elsewhere.
// Each list scrolls by itself and has every row, but only the rows in view are in the DOM (see
// VirtualRows): moving the cursor costs the same with 10 tasks or 1,000.
import type { StateBeforeTick, TaskSnapshot, TraceModel } from '../src/core/model';
import type { ReadyEntry } from '../src/protocol/events';
import { el } from './dom';
import { formatLocation, formatLoopTime, taskTitle } from '../src/core/format';
import { duration, shortReason } from '../src/core/describe';
import { callbackKindText } from '../src/core/lanes';

export interface SideActions {
  reveal(line: number, file?: string): void;
  cursor(tick: number): void;
  /** A section was opened or closed (to persist). */
  toggled(section: string, open: boolean): void;
}

/** Row heights (px), fixed by styles.css (`.side-body > .entry`, `.out-line`): two lines, one line. */
const ENTRY_PX = 30;
const OUTPUT_PX = 14;
/** Rows kept in the DOM beyond each end of the view, so that a scroll shows them at once. */
const OVERSCAN = 4;

interface Section {
  details: HTMLDetailsElement;
  count: HTMLElement;
  body: HTMLElement;
  /** Where the rows go (the body itself, or a wrapper inside it). */
  rows: HTMLElement;
  list: VirtualRows;
}

/**
 * The rows of one list, of which only those in view (plus OVERSCAN) are in the DOM; an empty
 * spacer before and after stands for the others. Every row is `rowPx` high. `fromEnd`: the
 * scroller is a column-reverse box that keeps the end of the list in view (the output), so its
 * scroll offset counts from the end.
 */
class VirtualRows {
  private count = 0;
  private row: (index: number) => Node = () => el('div');
  /** Scroll offset from the near end, and the scroller's height, as last reported (never read back: no forced layout). */
  private offset = 0;
  private viewPx = window.innerHeight;
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

  set(count: number, row: (index: number) => Node): void {
    this.count = count;
    this.row = row;
    this.draw(true);
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
    const far = Math.min(this.count, near + Math.ceil(this.viewPx / this.rowPx) + 1 + 2 * OVERSCAN);
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
    for (let i = first; i < last; i++) {
      const node = this.row(i);
      // Keeps the FIFO position of an ordered list's items (read out by screen readers).
      if (numbered && node instanceof HTMLLIElement) node.value = i + 1;
      nodes.push(node);
    }
    if (last < this.count) {
      this.after.style.height = `${(this.count - last) * this.rowPx}px`;
      nodes.push(this.after);
    }
    this.rows.replaceChildren(...nodes);
  }
}

export class SideViews {
  readonly element = el('aside', 'side');
  /** Slot for the "Explain this tick" narration; hidden while empty. */
  readonly narration = el('section', 'narration');
  private readonly sections = new Map<string, Section>();
  private outputs: TraceModel['output'] = [];

  constructor(parent: HTMLElement, private readonly actions: SideActions, closed: readonly string[]) {
    this.element.id = 'side';
    this.element.setAttribute('aria-label', 'State before the current tick');
    this.narration.id = 'narration';
    this.narration.hidden = true;
    this.narration.setAttribute('aria-live', 'polite');
    this.element.appendChild(this.narration);
    this.section('ready', 'Ready queue', 'ready-queue', 'ol', closed);
    this.section('timers', 'Timers', 'timers', 'ul', closed);
    this.section('tasks', 'Tasks', 'tasks', 'ul', closed);
    this.section('output', 'Output', 'output', 'div', closed);
    // One listener for all output lines: a click shows the line that printed it.
    this.sections.get('output')!.body.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>('.out-line');
      const out = row?.dataset.index !== undefined ? this.outputs[Number(row.dataset.index)] : undefined;
      if (out && typeof out.line === 'number' && out.line >= 1) this.actions.reveal(out.line, out.file);
    });
    this.section('blocking', 'Blocking', 'blocking', 'ul', closed);
    parent.appendChild(this.element);
  }

  /** Fills the "Explain this tick" slot (#narration), hidden while empty. DOM nodes only, never markup. */
  setNarration(nodes: Node[]): void {
    this.narration.replaceChildren(...nodes);
    this.narration.hidden = nodes.length === 0;
  }

  private section(key: string, title: string, id: string, tag: 'ol' | 'ul' | 'div', closed: readonly string[]): void {
    const details = el('details', `side-section section-${key}`);
    details.open = !closed.includes(key);
    const summary = el('summary', 'side-title');
    const count = el('span', 'count');
    summary.append(el('span', 'side-title-text', title), count);
    const body = el(tag, 'side-body');
    body.id = id;
    // The output keeps its scroll at the bottom by itself (column-reverse around one wrapper).
    const output = key === 'output';
    const rows = output ? body.appendChild(el('div', 'output-lines')) : body;
    const list = new VirtualRows(body, rows, output ? OUTPUT_PX : ENTRY_PX, output);
    details.append(summary, body);
    details.addEventListener('toggle', () => this.actions.toggled(key, details.open));
    this.element.appendChild(details);
    this.sections.set(key, { details, count, body, rows, list });
  }

  private shownFor?: { model: TraceModel; cursor: number | undefined; blocking: number };

  update(model: TraceModel, cursor: number | undefined): void {
    // The state before a tick never changes once the tick exists: redraw only what can have changed.
    const last = this.shownFor;
    const same = last && last.model === model && last.cursor === cursor && cursor !== undefined;
    if (same && last.blocking === model.blocking.length) return;
    this.shownFor = { model, cursor, blocking: model.blocking.length };
    if (same) {
      this.renderBlocking(model, cursor);
      return;
    }
    const state = cursor !== undefined ? model.stateBefore(cursor) : undefined;
    this.renderReady(model, state);
    this.renderTimers(model, state);
    this.renderTasks(state);
    this.renderOutput(model, state);
    this.renderBlocking(model, cursor);
  }

  /** Shows `count` rows made by `row` (only those in view are made), or the `empty` line. */
  private fill(key: string, count: number, row: (index: number) => Node, badge: string, empty: string): void {
    const section = this.sections.get(key)!;
    section.count.textContent = badge;
    if (count > 0) {
      section.list.set(count, row);
      return;
    }
    section.list.clear();
    section.rows.replaceChildren(el(section.rows.tagName === 'DIV' ? 'div' : 'li', 'empty', empty));
  }

  private link(text: string, line: number | null | undefined, file?: string, className = 'link'): HTMLElement {
    if (typeof line !== 'number' || line < 1) return el('span', className, text);
    const button = el('button', className, text);
    button.type = 'button';
    button.title = `Show ${formatLocation(line, file)}`;
    button.addEventListener('click', () => this.actions.reveal(line, file));
    return button;
  }

  private renderReady(model: TraceModel, state: StateBeforeTick | undefined): void {
    const entries = state?.ready ?? [];
    this.fill('ready', entries.length, (i) => this.readyRow(model, state!, entries[i]), state ? String(entries.length) : '',
      state ? 'Empty: the loop will wait for timers or I/O.' : 'No tick yet.');
  }

  private readyRow(model: TraceModel, state: StateBeforeTick, entry: ReadyEntry): HTMLElement {
    const li = el('li', 'entry');
    if (typeof entry === 'number') {
      const task = model.tasks.get(entry);
      const snap = state.tasks.find((s) => s.task.id === entry);
      li.classList.add('entry-task');
      li.append(el('span', 'dot state-ready'));
      if (!task) {
        li.append(el('span', 'name', `task #${entry}`));
        return li;
      }
      const line = snap?.line ?? task.line;
      li.append(this.link(taskTitle(task), line, snap?.file ?? task.file, 'link name'));
      if (task.internal) li.classList.add('internal');
      const started = task.steps.length > 0 && task.steps[0].tick < state.tick.index;
      const resume = started && snap ? `resumes at ${formatLocation(snap.line, snap.file)}` : 'first step';
      li.append(el('span', 'detail', resume));
      return li;
    }
    li.classList.add('entry-callback');
    li.append(el('span', `dot cb-${entry.kind}`));
    li.append(this.link(entry.fn, entry.line, entry.file, 'link name'));
    const timer = entry.timer !== undefined ? model.timerInfo(entry.timer) : undefined;
    const wakes = timer?.task !== undefined ? model.tasks.get(timer.task) : undefined;
    li.append(el('span', 'detail', `${callbackKindText(entry.kind)}${entry.timer !== undefined ? ` #${entry.timer}` : ''}`
      + (wakes ? `: wakes ${taskTitle(wakes)}` : '')));
    return li;
  }

  private renderTimers(model: TraceModel, state: StateBeforeTick | undefined): void {
    const timers = state?.timers ?? [];
    const now = state?.tick.t ?? 0;
    const row = (i: number): Node => {
      const timer = timers[i];
      const li = el('li', 'entry timer');
      const firing = timer.ended === state!.tick.index && !timer.cancelled;
      if (firing) li.classList.add('firing');
      li.append(el('span', 'when', formatLoopTime(timer.when)));
      const task = timer.task !== undefined ? model.tasks.get(timer.task) : undefined;
      const name = this.link(task ? `wakes ${taskTitle(task)}` : timer.fn, timer.line, timer.file, 'link name');
      name.title = `${timer.fn}${timer.line ? ` (${formatLocation(timer.line, timer.file)})` : ''}`;
      li.append(name);
      li.append(el('span', 'detail', `${firing ? 'fires in this tick' : `in ${duration(Math.max(0, timer.when - now))}`} · timer #${timer.id}`));
      return li;
    };
    this.fill('timers', timers.length, row, state ? String(timers.length) : '', 'No pending timers.');
  }

  private renderTasks(state: StateBeforeTick | undefined): void {
    const tasks = state?.tasks ?? [];
    const live = tasks.filter((s) => s.state !== 'done').length;
    this.fill('tasks', tasks.length, (i) => this.taskRow(tasks[i]), state ? String(live) : '', 'No tasks.');
  }

  private taskRow(snap: TaskSnapshot): HTMLElement {
    const li = el('li', `entry task state-${snap.state}${snap.task.internal ? ' internal' : ''}`);
    const state = snap.state === 'done' ? snap.doneState ?? 'done' : snap.state;
    li.append(el('span', `dot state-${state}`));
    li.append(this.link(taskTitle(snap.task), snap.line, snap.file, 'link name'));
    let detail: string;
    if (snap.state === 'done') {
      const done = snap.task.done;
      detail = done?.state === 'exception' ? `raised ${done.error?.type ?? 'an exception'}` : done?.state === 'cancelled' ? 'cancelled' : 'finished';
    } else if (snap.state === 'suspended') detail = snap.reason?.text || shortReason(snap.reason);
    else if (snap.state === 'ready') detail = 'ready';
    else detail = 'created, not started';
    const detailNode = el('span', 'detail', detail);
    detailNode.title = detail;
    li.append(detailNode);
    return li;
  }

  private renderOutput(model: TraceModel, state: StateBeforeTick | undefined): void {
    const count = state ? state.outputCount : model.output.length;
    this.outputs = model.output;
    const row = (i: number): Node => {
      const out = model.output[i];
      const line = el('div', `out-line stream-${out.stream}`);
      line.dataset.index = String(i);
      const task = out.task !== undefined ? model.tasks.get(out.task) : undefined;
      const tag = task ? taskTitle(task) : out.thread ?? (out.stream === 'stderr' ? 'stderr' : '');
      if (tag) line.append(el('span', 'out-tag', tag));
      line.append(el('span', 'out-text', out.text));
      if (typeof out.line === 'number') line.title = `${tag ? `${tag}, ` : ''}${formatLocation(out.line, out.file)}: click to show`;
      return line;
    };
    this.fill('output', count, row, count ? String(count) : '', state ? 'Nothing printed before this tick.' : 'Nothing printed.');
  }

  private renderBlocking(model: TraceModel, cursor: number | undefined): void {
    const row = (i: number): Node => {
      const blocking = model.blocking[i];
      const li = el('li', 'entry blocking');
      if (cursor !== undefined && blocking.tick >= cursor) li.classList.add('later');
      const go = el('button', 'link name', `⚠ ${duration(blocking.dur)} in ${blocking.fn}`);
      go.type = 'button';
      go.title = 'Go to this tick and show the line';
      go.addEventListener('click', () => {
        if (blocking.tick >= 0) this.actions.cursor(blocking.tick);
        if (blocking.line) this.actions.reveal(blocking.line, blocking.file);
      });
      const task = blocking.task !== undefined ? model.tasks.get(blocking.task) : undefined;
      const where = blocking.line !== null ? formatLocation(blocking.line, blocking.file) : '';
      li.append(el('span', 'dot state-blocking'), go,
        el('span', 'detail', [where, `tick ${blocking.n}`, task ? taskTitle(task) : ''].filter(Boolean).join(' · ')));
      return li;
    };
    this.fill('blocking', model.blocking.length, row, model.blocking.length ? String(model.blocking.length) : '', 'Nothing blocked the loop.');
    this.sections.get('blocking')!.details.classList.toggle('has-warnings', model.blocking.length > 0);
  }
}
