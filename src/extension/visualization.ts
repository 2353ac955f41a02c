// One visualization: a trace model (filled by a running session or by a saved trace), the trace
// file on disk it came from, the current tick cursor, and the run mode. The panel, decorations,
// hover and status bar all read from it and redraw on its change event.
import { copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TraceModel } from '../core/model';
import type { PanelSource } from '../core/panelServer';
import type { Session, SessionResult } from '../node/session';
import type { TraceIndex, TraceWindow } from '../node/traceIndex';
import type { RunMode, SessionInfo, StatusInfo } from '../protocol/panel';

/** A saved trace read whole into a model, or one too big for that, opened through its index. */
export type OpenedTrace = { model: TraceModel; file: string; events: number } | { index: TraceIndex; window: TraceWindow };

/** While events stream in, views hear about them at most this often (ms). */
const BATCH_MS = 30;

let recordings = 0;

export class Visualization implements vscode.Disposable, PanelSource {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the cursor or the run state changes, and when new events arrived (batched). */
  readonly onDidChange = this.changed.event;
  cursor = 0;
  result?: SessionResult;
  private batchTimer?: NodeJS.Timeout;
  /** The tracer reported it is paused before a tick and waits for `step` or `continue`. */
  private processPaused = false;
  /** The trace as the tracer wrote it: the file opened, or where the session records its events. */
  readonly traceFile: string;
  private readonly ownsTraceFile: boolean;
  private readonly openedEvents: number;

  /** The session's own model when running, or the one a saved trace was read into. */
  private readonly whole?: TraceModel;
  /** A trace opened through its index: the window of it in memory (see node/traceIndex.ts). */
  private readonly indexed?: { index: TraceIndex; window: TraceWindow; moving?: Promise<void> };

  constructor(
    readonly info: SessionInfo,
    readonly scenarioUri: vscode.Uri,
    readonly session?: Session,
    opened?: OpenedTrace,
  ) {
    if (opened && 'index' in opened) this.indexed = { index: opened.index, window: opened.window };
    else this.whole = session?.model ?? opened?.model ?? new TraceModel();
    this.ownsTraceFile = !opened;
    this.openedEvents = opened ? ('index' in opened ? opened.index.events : opened.events) : 0;
    this.traceFile = opened ? ('index' in opened ? opened.index.path : opened.file) : join(tmpdir(), `loopscope-${process.pid}-${++recordings}.jsonl`);
    if (session) {
      session.recordTo(this.traceFile);
      session.onEvent((event) => {
        if (event.ev === 'pause') {
          this.processPaused = true;
          this.cursor = Math.max(0, this.tickCount - 1);
          this.flush();
        } else this.batchTimer ??= setTimeout(() => this.flush(), BATCH_MS);
      });
      void session.done.then((result) => {
        this.result = result;
        this.flush();
      });
    }
  }

  /** The trace, or the window of it in memory: views read it anew each time (a window can move). */
  get model(): TraceModel { return this.indexed?.window.model ?? this.whole!; }

  /** Where the model's ticks are in the whole trace, for a trace opened through its index. */
  get window(): { firstTick: number; ticks: number; loopTicks(loop: number): number } | undefined {
    const indexed = this.indexed;
    if (!indexed) return undefined;
    return { firstTick: indexed.window.firstTick, ticks: indexed.index.ticks, loopTicks: (loop) => indexed.index.loopTicks(loop) };
  }

  get mode(): RunMode { return this.info.mode; }
  get running(): boolean { return this.session?.running ?? false; }
  get paused(): boolean { return this.running && this.processPaused; }
  get tickCount(): number { return this.model.ticks.length; }
  /** Events in the trace. */
  get eventCount(): number { return this.session ? this.session.decoder.stats.events : this.openedEvents; }

  /** Tells the views about events that arrived since they last heard. */
  private flush(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    this.changed.fire();
  }

  /** Copies the trace, as the tracer wrote it so far, to `path`. */
  async save(path: string): Promise<void> {
    await this.session?.recordedSoFar();
    await copyFile(this.traceFile, path);
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
    const indexed = this.indexed;
    if (indexed) {
      const { window, index } = indexed;
      const number = (n: number) => n.toLocaleString('en-US');
      return `${number(index.events)} events: ticks ${number(window.firstTick + 1)}–${number(window.endTick)} of ${number(index.ticks)} `
        + 'are read in; stepping past either end reads the next part of the file.';
    }
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
    } else if (this.indexed && this.indexed.window.endTick < this.indexed.index.ticks && !this.indexed.window.partial) {
      void this.moveTo(this.indexed.window.endTick);
    } else if (this.paused) {
      this.processPaused = false;
      this.session!.step(1);
      this.changed.fire();
    }
  }

  stepBack(): void {
    if (this.cursor === 0 && this.indexed && this.indexed.window.firstTick > 0) void this.moveTo(this.indexed.window.firstTick - 1);
    else this.setCursor(this.cursor - 1);
  }

  /** Reads the window holding global tick `g` (a trace opened through its index) and puts the cursor there. */
  moveTo(g: number): Promise<void> {
    const indexed = this.indexed!;
    indexed.moving ??= indexed.index.window(g).then((window) => {
      indexed.window = window;
      indexed.moving = undefined;
      this.cursor = Math.max(0, Math.min(g - window.firstTick, this.tickCount - 1));
      this.changed.fire();
    });
    return indexed.moving;
  }

  /** Lets a paused process run to its end; otherwise moves the cursor to the last recorded tick. */
  continue(): void {
    if (this.paused) {
      this.processPaused = false;
      this.session!.continue();
      this.changed.fire();
    } else if (this.indexed && this.indexed.window.endTick < this.indexed.index.ticks && !this.indexed.window.partial) {
      void this.moveTo(this.indexed.index.ticks - 1);
    } else {
      this.setCursor(this.tickCount - 1);
    }
  }

  pause(): void {
    if (this.running && !this.processPaused) this.session!.pause();
  }

  dispose(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.session?.dispose();
    this.changed.dispose();
    if (this.ownsTraceFile) {
      const file = this.traceFile;
      void (this.session ? this.session.recorded() : Promise.resolve()).then(() => rm(file, { force: true }));
    }
  }
}
