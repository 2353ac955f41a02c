// Messages between the extension host (src/extension/panel.ts) and the webview. The webview keeps
// its own TraceModel fed with the same tracer events, so these carry events, not drawings.
import type { ClockMode, TraceEvent } from '../src/protocol/events';

export type Axis = 'tick' | 'time';
export type RunMode = 'record' | 'live';

export interface SessionInfo {
  scenario: string;
  /** Shown in the header, e.g. "Python 3.11.7". */
  python: string;
  clock: ClockMode;
  mode: RunMode;
  /** A saved trace being replayed rather than a live run. */
  replay: boolean;
  showInternal: boolean;
}

export interface StatusInfo {
  running: boolean;
  paused: boolean;
  /** Final outcome once the run ended: completed, exception, limit, ... */
  outcome?: string;
  /** A sentence about the outcome or a problem, shown in the header. */
  message?: string;
}

export type HostMessage =
  | { type: 'reset'; session: SessionInfo }
  | { type: 'events'; events: TraceEvent[] }
  | { type: 'cursor'; tick: number }
  | { type: 'status'; status: StatusInfo }
  | { type: 'axis'; axis: Axis }
  /** Scroll the timeline to a task's lane and select it. */
  | { type: 'revealTask'; task: number };

export type PanelCommand =
  | 'stepForward' | 'stepBack' | 'continue' | 'pause' | 'restart' | 'stop' | 'goToTick' | 'goToTime'
  | 'toggleMode';

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'setCursor'; tick: number }
  | { type: 'reveal'; line: number; file?: string }
  | { type: 'command'; command: PanelCommand }
  | { type: 'axis'; axis: Axis };

const PANEL_COMMANDS: ReadonlySet<string> = new Set<PanelCommand>([
  'stepForward', 'stepBack', 'continue', 'pause', 'restart', 'stop', 'goToTick', 'goToTime', 'toggleMode',
]);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Every message from the webview is checked against this schema before the host acts on it. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready': return { type: 'ready' };
    case 'setCursor': return isCount(message.tick) ? { type: 'setCursor', tick: message.tick } : undefined;
    case 'reveal':
      if (!isCount(message.line) || message.line < 1) return undefined;
      if (message.file !== undefined && typeof message.file !== 'string') return undefined;
      return { type: 'reveal', line: message.line, file: message.file as string | undefined };
    case 'command':
      return typeof message.command === 'string' && PANEL_COMMANDS.has(message.command)
        ? { type: 'command', command: message.command as PanelCommand } : undefined;
    case 'axis':
      return message.axis === 'tick' || message.axis === 'time' ? { type: 'axis', axis: message.axis } : undefined;
    default: return undefined;
  }
}
