// The host side of the panel for the webview harness (harness.mjs): a trace read into a TraceModel,
// served through the same PanelServer as the extension's panel, with the cursor and commands a
// Visualization would keep. Built into out/test/webview/host.js (CommonJS) for the harness to load.
import { TraceModel } from '../../src/core/model';
import { PanelServer, type PanelSource } from '../../src/core/panelServer';
import { TraceIndex } from '../../src/node/traceIndex';
import type { TraceEvent } from '../../src/protocol/events';
import {
  parseWebviewMessage, type HostMessage, type SessionInfo, type StatusInfo, type WebviewMessage,
} from '../../src/protocol/panel';

export class HarnessHost implements PanelSource {
  model = new TraceModel();
  cursor = 0;
  info: SessionInfo = { scenario: '', python: '', clock: 'virtual', mode: 'record', replay: true, showInternal: false };
  private statusInfo: StatusInfo = { running: false, paused: false };
  readonly server: PanelServer;
  /** Events in the trace shown. */
  eventCount = 0;
  /** What the webview asked the host to do (commands, reveals, setCursor), validated. */
  readonly received: WebviewMessage[] = [];

  constructor(send: (message: HostMessage) => void) {
    this.server = new PanelServer(send);
  }

  /** A trace from events, as a Visualization of a saved trace has it; then the panel shows it. */
  show(events: TraceEvent[], options: { cursor?: number; showInternal?: boolean; status?: StatusInfo } = {}): void {
    this.model = new TraceModel();
    for (const event of events) this.model.apply(event);
    this.eventCount = events.length;
    this.present(options);
  }

  /** A trace read from a file as Open Trace reads it (its first window, the whole of a small trace); then the panel shows it. */
  async open(path: string, options: { cursor?: number; showInternal?: boolean } = {}): Promise<void> {
    const window = (await TraceIndex.build(path)).firstWindow();
    this.model = window.model;
    this.eventCount = window.events;
    this.present(options);
  }

  private present(options: { cursor?: number; showInternal?: boolean; status?: StatusInfo }): void {
    const start = this.model.start;
    this.info = {
      scenario: start?.scenario ?? 'scenario.py', python: start?.python ?? '', clock: start?.clock ?? 'virtual',
      mode: 'record', replay: true, showInternal: !!options.showInternal,
    };
    this.statusInfo = options.status ?? { running: false, paused: false, outcome: this.model.end?.outcome ?? 'crashed' };
    this.cursor = Math.max(0, Math.min(options.cursor ?? 0, this.model.ticks.length - 1));
    this.server.show(this);
  }

  status(): StatusInfo {
    return this.statusInfo;
  }

  setCursor(tick: number): void {
    const next = Math.max(0, Math.min(Math.floor(tick), this.model.ticks.length - 1));
    if (next === this.cursor) return;
    this.cursor = next;
    this.server.update();
  }

  /** A message from the webview, checked as the extension checks it. */
  receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    const forOwner = message && this.server.receive(message);
    if (!forOwner) return;
    this.received.push(forOwner);
    if (forOwner.type === 'setCursor') this.setCursor(forOwner.tick);
  }
}
