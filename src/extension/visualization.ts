// One visualization: a trace model (filled by a running session or by a saved trace), the current
// tick cursor, and the run mode. The panel, decorations, hover and status bar all read from it and
// redraw on its change event.
import * as vscode from 'vscode';
import { TraceModel } from '../core/model';
import type { Session, SessionResult } from '../node/session';
import type { TraceEvent } from '../protocol/events';
import type { RunMode, SessionInfo, StatusInfo } from '../protocol/panel';

export class Visualization implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly eventsArrived = new vscode.EventEmitter<TraceEvent[]>();
  /** Fires when the cursor or the run state changes (not on every event). */
  readonly onDidChange = this.changed.event;
  /** Batches of events as they arrive, for the webview. */
  readonly onEvents = this.eventsArrived.event;
  readonly events: TraceEvent[] = [];
  cursor = 0;
  result?: SessionResult;
  private pending: TraceEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  /** The tracer reported it is paused before a tick and waits for `step` or `continue`. */
  private processPaused = false;

  /** The session's own model when running, else one filled by load(). */
  readonly model: TraceModel;

  constructor(
    readonly info: SessionInfo,
    readonly scenarioUri: vscode.Uri,
    readonly session?: Session,
  ) {
    this.model = session?.model ?? new TraceModel();
    if (session) {
      session.onEvent((event) => this.receive(event));
      void session.done.then((result) => {
        this.result = result;
        this.flush();
        this.changed.fire();
      });
    }
  }

  get mode(): RunMode { return this.info.mode; }
  get running(): boolean { return this.session?.running ?? false; }
  get paused(): boolean { return this.running && this.processPaused; }
  get tickCount(): number { return this.model.ticks.length; }

  /** Events from a saved trace, all at once. */
  load(events: TraceEvent[]): void {
    // One at a time: push(...events) overflows the call stack past about 120,000 events.
    for (const event of events) {
      this.model.apply(event);
      this.events.push(event);
    }
    this.eventsArrived.fire(events);
    this.changed.fire();
  }

  private receive(event: TraceEvent): void {
    this.events.push(event);
    this.pending.push(event);
    if (event.ev === 'pause') {
      this.processPaused = true;
      this.cursor = Math.max(0, this.tickCount - 1);
      this.flush();
      this.changed.fire();
      return;
    }
    // Batch for the webview: one message per ~30 ms keeps lanes live without flooding it.
    this.flushTimer ??= setTimeout(() => this.flush(), 30);
  }

  /** Delivers the events batched for the webview now (a replay must not send them twice). */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.eventsArrived.fire(batch);
    this.changed.fire();
  }

  status(): StatusInfo {
    return {
      running: this.running,
      paused: this.paused,
      outcome: this.result?.outcome,
      message: this.result?.message ?? this.outcomeMessage(),
    };
  }

  private outcomeMessage(): string | undefined {
    const end = this.model.end;
    if (!end) return undefined;
    // An uncaught exception is not repeated here: the panel shows it as a link to its line.
    return end.outcome === 'limit' ? `Stopped at the ${end.limit} limit.` : undefined;
  }

  setCursor(tick: number): void {
    const last = Math.max(0, this.tickCount - 1);
    const next = Math.min(Math.max(0, Math.floor(tick)), last);
    if (next === this.cursor) return;
    this.cursor = next;
    this.changed.fire();
  }

  /** Forward one tick; past the end of what was recorded, a paused process runs one more real tick. */
  stepForward(): void {
    if (this.cursor < this.tickCount - 1) {
      this.setCursor(this.cursor + 1);
    } else if (this.paused) {
      this.processPaused = false;
      this.session!.step(1);
      this.changed.fire();
    }
  }

  stepBack(): void { this.setCursor(this.cursor - 1); }

  /** Lets a paused process run to its end; otherwise moves the cursor to the last recorded tick. */
  continue(): void {
    if (this.paused) {
      this.processPaused = false;
      this.session!.continue();
      this.changed.fire();
    } else {
      this.setCursor(this.tickCount - 1);
    }
  }

  pause(): void {
    if (this.running && !this.processPaused) this.session!.pause();
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.session?.dispose();
    this.changed.dispose();
    this.eventsArrived.dispose();
  }
}
