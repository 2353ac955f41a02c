// The views beside the lanes, all about the state before the cursor tick (model.stateBefore):
// the ready queue in FIFO order, pending timers, tasks, the output so far and blocking warnings.
// Also holds the slot for the "Explain this tick" narration (#narration), filled elsewhere.
import type { StateBeforeTick, TaskSnapshot, TraceModel } from '../src/core/model';
import type { ReadyEntry } from '../src/protocol/events';
import { el } from './dom';
import { formatLocation, formatLoopTime, taskTitle } from './format';
import { duration, shortReason } from '../src/core/describe';
import { callbackKindText } from './lanes';

export interface SideActions {
  reveal(line: number, file?: string): void;
  cursor(tick: number): void;
  /** A section was opened or closed (to persist). */
  toggled(section: string, open: boolean): void;
}

/** Rows shown per list; the rest is summarised in one line (the DOM stays small on 1,000 tasks). */
const MAX_ROWS = 100;
const MAX_OUTPUT_LINES = 150;

interface Section {
  details: HTMLDetailsElement;
  count: HTMLElement;
  body: HTMLElement;
  /** Where the rows go (the body itself, or a wrapper inside it). */
  rows: HTMLElement;
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
    const rows = key === 'output' ? body.appendChild(el('div', 'output-lines')) : body;
    details.append(summary, body);
    details.addEventListener('toggle', () => this.actions.toggled(key, details.open));
    this.element.appendChild(details);
    this.sections.set(key, { details, count, body, rows });
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

  private fill(key: string, rows: Node[], count: string, empty: string): void {
    const section = this.sections.get(key)!;
    section.count.textContent = count;
    if (rows.length === 0) rows = [el(section.rows.tagName === 'DIV' ? 'div' : 'li', 'empty', empty)];
    section.rows.replaceChildren(...rows);
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
    const rows: Node[] = [];
    const entries = state?.ready ?? [];
    for (const entry of entries.slice(0, MAX_ROWS)) rows.push(this.readyRow(model, state!, entry));
    if (entries.length > MAX_ROWS) rows.push(el('li', 'more', `… and ${entries.length - MAX_ROWS} more`));
    this.fill('ready', rows, state ? String(entries.length) : '', state ? 'Empty: the loop will wait for timers or I/O.' : 'No tick yet.');
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
    const rows: Node[] = [];
    const timers = state?.timers ?? [];
    const now = state?.tick.t ?? 0;
    for (const timer of timers.slice(0, MAX_ROWS)) {
      const li = el('li', 'entry timer');
      const firing = timer.ended === state!.tick.index && !timer.cancelled;
      if (firing) li.classList.add('firing');
      li.append(el('span', 'when', formatLoopTime(timer.when)));
      const task = timer.task !== undefined ? model.tasks.get(timer.task) : undefined;
      const name = this.link(task ? `wakes ${taskTitle(task)}` : timer.fn, timer.line, timer.file, 'link name');
      name.title = `${timer.fn}${timer.line ? ` (${formatLocation(timer.line, timer.file)})` : ''}`;
      li.append(name);
      li.append(el('span', 'detail', `${firing ? 'fires in this tick' : `in ${duration(Math.max(0, timer.when - now))}`} · timer #${timer.id}`));
      rows.push(li);
    }
    if (timers.length > MAX_ROWS) rows.push(el('li', 'more', `… and ${timers.length - MAX_ROWS} more`));
    this.fill('timers', rows, state ? String(timers.length) : '', 'No pending timers.');
  }

  private renderTasks(state: StateBeforeTick | undefined): void {
    const rows: Node[] = [];
    const tasks = state?.tasks ?? [];
    for (const snap of tasks.slice(0, MAX_ROWS)) rows.push(this.taskRow(snap));
    if (tasks.length > MAX_ROWS) rows.push(el('li', 'more', `… and ${tasks.length - MAX_ROWS} more`));
    const live = tasks.filter((s) => s.state !== 'done').length;
    this.fill('tasks', rows, state ? String(live) : '', 'No tasks.');
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
    const first = Math.max(0, count - MAX_OUTPUT_LINES);
    const rows: Node[] = [];
    if (first > 0) rows.push(el('div', 'more', `… ${first} earlier lines`));
    this.outputs = model.output;
    for (let i = first; i < count; i++) {
      const out = model.output[i];
      const row = el('div', `out-line stream-${out.stream}`);
      row.dataset.index = String(i);
      const task = out.task !== undefined ? model.tasks.get(out.task) : undefined;
      const tag = task ? taskTitle(task) : out.thread ?? (out.stream === 'stderr' ? 'stderr' : '');
      if (tag) row.append(el('span', 'out-tag', tag));
      row.append(el('span', 'out-text', out.text));
      if (typeof out.line === 'number') row.title = `${tag ? `${tag}, ` : ''}${formatLocation(out.line, out.file)}: click to show`;
      rows.push(row);
    }
    this.fill('output', rows, count ? String(count) : '', state ? 'Nothing printed before this tick.' : 'Nothing printed.');
  }

  private renderBlocking(model: TraceModel, cursor: number | undefined): void {
    const rows: Node[] = [];
    for (const blocking of model.blocking.slice(0, MAX_ROWS)) {
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
      rows.push(li);
    }
    if (model.blocking.length > MAX_ROWS) rows.push(el('li', 'more', `… and ${model.blocking.length - MAX_ROWS} more`));
    this.fill('blocking', rows, model.blocking.length ? String(model.blocking.length) : '', 'Nothing blocked the loop.');
    this.sections.get('blocking')!.details.classList.toggle('has-warnings', model.blocking.length > 0);
  }
}
