// The Loopscope panel: receives the host's messages (webview/messages.ts), feeds its own TraceModel
// and redraws at most once per animation frame. Layout: header + toolbar on top, the lanes
// (timeline.ts, lanes.ts) and the side views (sideViews.ts) below.
import '@vscode/codicons/dist/codicon.css';
import 'vis-timeline/styles/vis-timeline-graph2d.css';
import './styles.css';
import { TraceModel } from '../src/core/model';
import { narrateTickParagraphs } from '../src/core/narrate';
import type { TraceEvent } from '../src/protocol/events';
import { el } from './dom';
import { basename, formatLoopTime } from '../src/core/format';
import { duration } from '../src/core/describe';
import { Header, type HeaderInfo } from './header';
import type { Axis, HostMessage, PanelCommand, SessionInfo, StatusInfo } from '../src/protocol/panel';
import { SideViews } from './sideViews';
import { LaneTimeline } from './timeline';
import { loadState, post, saveState } from './vscode';

/** New events are drawn once none arrived for this long (ms)... */
const QUIET_MS = 30;
/**
 * ... or, while they keep coming, once the oldest has waited 3 times what the last such redraw
 * cost, within these bounds (ms); for the first drawing of a trace, FIRST_LAG_MS (a saved trace
 * of 100,000 steps arrives in less: it is then drawn once, complete).
 */
const MIN_LAG_MS = 250;
const MAX_LAG_MS = 2000;
const FIRST_LAG_MS = 1000;

class App {
  private model = new TraceModel();
  private session?: SessionInfo;
  private status: StatusInfo = { running: false, paused: false };
  /** The tick the host put the cursor on; undefined = follow the latest tick. */
  private cursor?: number;
  private readonly state = loadState();
  private readonly header: Header;
  private readonly timeline: LaneTimeline;
  private readonly side: SideViews;
  /** Shown over the lanes while there is nothing to draw. */
  private readonly placeholder = el('div', 'placeholder');
  private frameQueued = false;
  /** frame() ran outside an animation frame since the last one (see drawNow). */
  private drewSinceFrame = false;
  private drawnVersion = -1;
  private drawnCursor: number | undefined = -1;
  private headerDirty = true;
  /** When the last events arrived, and the first of those not drawn yet (see frame()). */
  private lastEventsAt = 0;
  private undrawnSince?: number;
  /** Some ticks of this trace are drawn (the first drawing waits longer, see FIRST_LAG_MS). */
  private ticksDrawn = false;
  /**
   * From a reset to the host's first status: the host is sending all it has, in big batches that
   * take a while each to decode (a gap between two is no sign of the end): draw once, complete.
   */
  private replaying = false;
  /** A status came after the last events: the host sent everything it had for now. */
  private statusAfterEvents = false;
  /** What our part of the last redraw for new events cost (ms). */
  private dataFrameMs = 0;
  private catchUp?: ReturnType<typeof setTimeout>;
  /** For the harness: frames drawn, time spent applying events and drawing frames (ms). */
  readonly debug = { frames: 0, lastFrameMs: 0, totalFrameMs: 0, timelineMs: 0, sideMs: 0, applyMs: 0, events: 0 };

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
    this.timeline = new LaneTimeline(lanesPane, this.model, this.state.axis, {
      cursor: (tick) => this.pickCursor(tick),
      reveal: (line, file) => post({ type: 'reveal', line, file }),
      window: (axis, window) => {
        if (window) this.state.windows[axis] = window;
        else delete this.state.windows[axis];
        saveState(this.state);
      },
    });
    this.timeline.restoreWindow(this.state.windows[this.state.axis]);
    this.placeholder.id = 'placeholder';
    lanesPane.append(this.placeholder, legend());
    this.side = new SideViews(main, {
      reveal: (line, file) => post({ type: 'reveal', line, file }),
      cursor: (tick) => {
        this.pickCursor(tick);
        this.timeline.setCursor(tick);
      },
      toggled: (section, open) => {
        this.state.closed = this.state.closed.filter((s) => s !== section);
        if (!open) this.state.closed.push(section);
        saveState(this.state);
      },
    }, this.state.closed);
    this.header.setAxis(this.state.axis);
    this.schedule();
  }

  handle(message: HostMessage): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'reset':
        this.model = new TraceModel();
        this.session = message.session;
        this.cursor = undefined;
        this.drawnVersion = -1;
        this.drawnCursor = -1;
        this.undrawnSince = undefined;
        this.ticksDrawn = false;
        this.replaying = true;
        this.statusAfterEvents = false;
        this.timeline.setModel(this.model, {
          showInternal: !!message.session?.showInternal, virtualClock: message.session?.clock !== 'real',
        });
        this.timeline.restoreWindow(this.state.windows[this.state.axis]);
        break;
      case 'events':
        if (Array.isArray(message.events)) this.apply(message.events);
        break;
      case 'cursor':
        if (Number.isInteger(message.tick) && message.tick >= 0) {
          this.cursor = message.tick;
          this.timeline.setCursor(message.tick);
        }
        break;
      case 'status':
        if (message.status && typeof message.status === 'object') this.status = message.status;
        this.replaying = false;
        this.statusAfterEvents = true;
        break;
      case 'axis':
        if (message.axis === 'tick' || message.axis === 'time') this.setAxis(message.axis, false);
        break;
      default:
        return;
    }
    if (message.type !== 'events') this.headerDirty = true;
    if (message.type === 'cursor') this.drawNow();
    else this.schedule();
  }

  private apply(events: TraceEvent[]): void {
    const began = performance.now();
    this.debug.events += events.length;
    for (const event of events) {
      try {
        this.model.apply(event);
      } catch (error) {
        console.error('loopscope: could not apply event', event?.ev, error);
      }
    }
    this.debug.applyMs += performance.now() - began;
    this.lastEventsAt = performance.now();
    this.undrawnSince ??= began;
    this.statusAfterEvents = false;
  }

  private pickCursor(tick: number): void {
    this.cursor = tick;
    this.headerDirty = true;
    post({ type: 'setCursor', tick });
    this.drawNow();
  }

  private setAxis(axis: Axis, fromUser: boolean): void {
    this.header.setAxis(axis);
    if (axis !== this.state.axis) {
      this.state.axis = axis;
      saveState(this.state);
      this.timeline.setAxis(axis, this.state.windows[axis]);
    }
    if (fromUser) post({ type: 'axis', axis });
    this.schedule();
  }

  /** The tick the views show: the host's cursor, else the latest tick. */
  private currentTick(): number | undefined {
    const count = this.model.ticks.length;
    if (count === 0) return undefined;
    return this.cursor !== undefined ? Math.min(this.cursor, count - 1) : count - 1;
  }

  /**
   * A lone cursor move is drawn at once, in the task that brought it, so that the work overlaps the
   * wait for the next frame instead of following it; moves that come faster than frames (a held
   * key, a drag) are drawn once per frame.
   */
  private drawNow(): void {
    if (this.frameQueued || this.drewSinceFrame) {
      this.schedule();
      return;
    }
    this.drewSinceFrame = true;
    requestAnimationFrame(() => {
      this.drewSinceFrame = false;
    });
    this.frame();
  }

  private schedule(): void {
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      this.frame();
    });
  }

  private frame(): void {
    const began = performance.now();
    const version = this.model.version;
    const tick = this.currentTick();
    // New events are drawn once they stop coming: at the host's status after them, or when none
    // came for QUIET_MS (not while it replays: see `replaying`). A saved trace arrives in
    // back-to-back batches, and drawing each would redraw everything many times over. While they
    // keep coming (a running program), the oldest is drawn after a few times what the last such
    // redraw cost.
    const dataChanged = version !== this.drawnVersion;
    const quietAt = this.statusAfterEvents ? 0 : this.replaying ? Infinity : this.lastEventsAt + QUIET_MS;
    // vis-timeline drew the last new items in the frame after ours: its last redraw stands for that.
    const drawMs = this.dataFrameMs + this.timeline.stats.lastDrawMs;
    const lag = !this.ticksDrawn ? FIRST_LAG_MS : Math.max(MIN_LAG_MS, Math.min(MAX_LAG_MS, 3 * drawMs));
    const lagAt = (this.undrawnSince ?? began) + lag;
    const dataDue = dataChanged && (began >= quietAt || began >= lagAt);
    if (dataChanged && !dataDue && !this.catchUp) {
      this.catchUp = setTimeout(() => {
        this.catchUp = undefined;
        this.schedule();
      }, Math.min(quietAt, lagAt) - began);
    }
    // A cursor that moves along with new events (live runs) is drawn with them; alone, at once.
    const cursorMoved = tick !== this.drawnCursor && (dataChanged ? dataDue : this.cursor !== undefined);
    if (dataDue) {
      this.timeline.update();
      if (this.cursor === undefined && tick !== undefined) this.timeline.setCursor(tick);
      this.drawnVersion = version;
      this.undrawnSince = undefined;
      this.ticksDrawn = this.model.ticks.length > 0;
    }
    const sideBegan = performance.now();
    this.debug.timelineMs += sideBegan - began;
    if (dataDue || cursorMoved) {
      this.side.update(this.model, tick);
      this.side.setNarration(tick !== undefined && tick >= 0
        ? narrateTickParagraphs(this.model, tick).map(narrationParagraph) : []);
      this.drawnCursor = tick;
    }
    this.debug.sideMs += performance.now() - sideBegan;
    if (dataDue || cursorMoved || this.headerDirty) {
      this.header.update(this.headerInfo(this.drawnCursor !== undefined && this.drawnCursor >= 0 ? this.drawnCursor : undefined));
      this.updatePlaceholder();
      this.headerDirty = false;
    }
    const spent = performance.now() - began;
    if (dataDue) this.dataFrameMs = spent;
    if (!dataDue && !cursorMoved) return;
    this.debug.frames++;
    this.debug.lastFrameMs = spent;
    this.debug.totalFrameMs += spent;
  }

  private updatePlaceholder(): void {
    let text = '';
    if (this.model.ticks.length === 0) {
      const error = this.model.end?.error;
      if (error) text = `${error.type}: ${error.message}`;
      else if (this.model.end || (this.status.outcome && !this.status.running)) {
        text = 'The program ended without running an asyncio event loop.';
      } else if (this.status.running || this.model.start) text = 'Waiting for the first tick of the event loop…';
      else text = 'Nothing traced yet. Run a scenario to watch its event loop here.';
    }
    this.placeholder.textContent = text;
    this.placeholder.hidden = !text;
  }

  private headerInfo(g: number | undefined): HeaderInfo {
    const model = this.model;
    const start = model.start;
    const scenarioPath = this.session?.scenario || start?.scenario;
    const tick = g !== undefined ? model.ticks[g] : undefined;
    const loop = tick ? model.loops.get(tick.loop) : undefined;
    const outcome = this.status.outcome ?? model.end?.outcome
      ?? (this.status.running ? (this.status.paused ? 'paused' : 'running') : undefined);
    const error = model.end?.error;
    const internal = model.internalErrors[0];
    return {
      scenario: scenarioPath ? basename(scenarioPath) : undefined,
      scenarioPath,
      python: this.session?.python || start?.python,
      clock: this.session?.clock ?? start?.clock,
      replay: this.session?.replay,
      mode: this.session?.mode,
      outcome,
      message: this.status.message,
      error: error ? { text: `${error.type}: ${error.message}`, line: error.line ?? undefined, file: error.file } : undefined,
      loop: loop ? `Loop ${loop.id} · ${loop.thread}` : tick ? `Loop ${tick.loop}` : undefined,
      tick: tick && loop ? { n: tick.n, of: loop.ticks.length, global: tick.index, total: model.ticks.length } : undefined,
      loopTime: tick ? `${formatLoopTime(tick.t)}${tick.jump > 0 ? ` (clock +${duration(tick.jump)})` : ''}` : undefined,
      running: this.status.running,
      paused: this.status.paused,
      atStart: g === undefined || g <= 0,
      atEnd: g === undefined || g >= model.ticks.length - 1,
      warning: internal ? `Tracer problem (${model.internalErrors.length}): ${internal.message}` : undefined,
    };
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

const root = document.getElementById('app') ?? document.body.appendChild(el('div'));
const app = new App(root);
window.addEventListener('message', (event: MessageEvent) => app.handle(event.data as HostMessage));
(window as unknown as { __loopscope: unknown }).__loopscope = app;
post({ type: 'ready' });

/** A narration paragraph; its `code spans` (names and calls) become <code> elements, as text. */
function narrationParagraph(text: string): HTMLElement {
  const paragraph = el('p', 'narration-line');
  text.split('`').forEach((part, i) => {
    if (part) paragraph.append(i % 2 === 1 ? el('code', undefined, part) : document.createTextNode(part));
  });
  return paragraph;
}
