// The Loopscope panel: draws what the host sends (src/protocol/panel.ts) and asks it for what comes
// into view; it holds no events. Layout: header + toolbar on top, the lanes (timeline.ts) and the
// side views (sideViews.ts) below.
import '@vscode/codicons/dist/codicon.css';
import 'vis-timeline/styles/vis-timeline-graph2d.css';
import './styles.css';
import type { Axis, HostMessage, MomentInfo, PanelCommand } from '../src/protocol/panel';
import { el } from './dom';
import { Header } from './header';
import { SideViews } from './sideViews';
import { LaneTimeline } from './timeline';
import { loadState, post, saveState } from './vscode';

class App {
  private readonly state = loadState();
  private readonly header: Header;
  private readonly timeline: LaneTimeline;
  private readonly side: SideViews;
  /** Shown over the lanes while there is nothing to draw. */
  private readonly placeholder = el('div', 'placeholder');
  /** A moment waiting for the next frame. */
  private pendingMoment?: MomentInfo;
  /** Numbers this panel's cursor moves: a moment from before the last one is passed over. */
  private cursorSeq = 0;
  private frameQueued = false;
  /** For the harness: moments drawn, the tick of the last one and the time spent drawing it (ms). */
  readonly debug = { moments: 0, tick: -1, lastMomentMs: 0 };

  constructor(root: HTMLElement) {
    root.classList.add('loopscope');
    this.header = new Header(root, {
      command: (command: PanelCommand) => post({ type: 'command', command }),
      axis: (axis) => this.setAxis(axis, true),
      zoom: (factor) => this.timeline.zoom(factor),
      fit: () => this.timeline.fit(),
      reveal: (line, file) => post({ type: 'reveal', line, file }),
    });
    const main = el('div', 'main');
    root.appendChild(main);
    const lanesPane = el('div', 'lanes-pane');
    main.appendChild(lanesPane);
    this.timeline = new LaneTimeline(lanesPane, this.state.axis, {
      cursor: (tick) => post({ type: 'setCursor', tick, seq: ++this.cursorSeq }),
      cursorAt: (axis, x) => post({ type: 'setCursorAt', axis, x, seq: ++this.cursorSeq }),
      reveal: (line, file) => post({ type: 'reveal', line, file }),
      window: (axis, window) => {
        if (window) this.state.windows[axis] = window;
        else delete this.state.windows[axis];
        saveState(this.state);
      },
      view: (request) => post({ type: 'view', request }),
      tooltip: (seq, lane, index) => post({ type: 'tooltip', seq, lane, index }),
    });
    this.timeline.restoreWindow(this.state.windows[this.state.axis]);
    this.placeholder.id = 'placeholder';
    lanesPane.append(this.placeholder, legend());
    this.side = new SideViews(main, {
      reveal: (line, file) => post({ type: 'reveal', line, file }),
      cursor: (tick) => post({ type: 'setCursor', tick, seq: ++this.cursorSeq }),
      toggled: (section, open) => {
        this.state.closed = this.state.closed.filter((s) => s !== section);
        if (!open) this.state.closed.push(section);
        saveState(this.state);
      },
      rows: (list, from, to) => post({ type: 'rows', list, from, to }),
      shownRows: (rows) => post({ type: 'shownRows', rows }),
    }, this.state.closed);
    this.header.setAxis(this.state.axis);
  }

  /** Says the panel is ready (the host shows it the trace), then how many rows its lists show. */
  start(): void {
    post({ type: 'ready' });
    this.side.reportShownRows();
  }

  handle(message: HostMessage): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'reset':
        this.timeline.reset();
        this.timeline.restoreWindow(this.state.windows[this.state.axis]);
        break;
      case 'shape':
        this.timeline.setShape(message.shape);
        break;
      case 'moment':
        // One that answers an older cursor move of ours: the answer to the latest is on its way.
        if (message.moment.cursorSeq < this.cursorSeq) break;
        this.pendingMoment = message.moment;
        this.drawMoment();
        break;
      case 'view':
        this.timeline.receive(message.answer);
        break;
      case 'rows':
        this.side.addRows(message.list, message.tick, message.from, message.rows);
        break;
      case 'tooltip':
        this.timeline.showTooltip(message.seq, message.lines);
        break;
      case 'axis':
        if (message.axis === 'tick' || message.axis === 'time') this.setAxis(message.axis, false);
        break;
      case 'revealLane':
        this.timeline.revealLane(message.lane);
        break;
      default:
    }
  }

  private setAxis(axis: Axis, fromUser: boolean): void {
    this.header.setAxis(axis);
    if (axis !== this.state.axis) {
      this.state.axis = axis;
      saveState(this.state);
      this.timeline.setAxis(axis, this.state.windows[axis]);
    }
    if (fromUser) post({ type: 'axis', axis });
  }

  /**
   * A lone moment is drawn at once, in the task that brought it, so that the work overlaps the wait
   * for the next frame instead of following it; moments that come faster than frames (a held key,
   * a drag) are drawn once per frame, the last one.
   */
  private drawMoment(): void {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => { this.frameQueued = false; });
    const moment = this.pendingMoment!;
    this.pendingMoment = undefined;
    const began = performance.now();
    this.header.update(moment.header);
    this.placeholder.textContent = moment.header.placeholder;
    this.placeholder.hidden = !moment.header.placeholder;
    this.timeline.setCursor(moment.tick, moment.x, moment.cursorTitle, moment.view, moment.loopLanes);
    this.side.update(moment);
    this.side.setNarration(moment.narration.map(narrationParagraph));
    this.debug.moments++;
    this.debug.tick = moment.tick ?? -1;
    this.debug.lastMomentMs = performance.now() - began;
    // One that came while this frame was pending is drawn with the next.
    requestAnimationFrame(() => { if (this.pendingMoment) this.drawMoment(); });
  }
}

/** The colour key under the lanes. */
function legend(): HTMLElement {
  const box = el('div', 'legend');
  box.id = 'legend';
  const entries: [string, string][] = [
    ['seg-running', 'running'], ['seg-ready', 'ready'], ['seg-suspended reason-timer', 'sleep / timeout'],
    ['seg-suspended reason-await', 'awaiting tasks'], ['seg-suspended reason-sync', 'queue / lock / event'],
    ['seg-suspended reason-io', 'I/O'], ['seg-suspended reason-executor', 'executor'],
    ['seg-callback', 'callback'], ['seg-wait', 'loop waiting'], ['seg-blocking', 'blocking'],
  ];
  for (const [cls, text] of entries) {
    const item = el('span', 'legend-item');
    item.append(el('span', `swatch seg ${cls}`), el('span', 'legend-text', text));
    box.appendChild(item);
  }
  return box;
}

/** A narration paragraph; its `code spans` (names and calls) become <code> elements, as text. */
function narrationParagraph(text: string): HTMLElement {
  const paragraph = el('p', 'narration-line');
  text.split('`').forEach((part, i) => {
    if (part) paragraph.append(i % 2 === 1 ? el('code', undefined, part) : document.createTextNode(part));
  });
  return paragraph;
}

const root = document.getElementById('app') ?? document.body.appendChild(el('div'));
const app = new App(root);
window.addEventListener('message', (event: MessageEvent) => app.handle(event.data as HostMessage));
(window as unknown as { __loopscope: unknown }).__loopscope = app;
app.start();
