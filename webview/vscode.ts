// The VS Code webview API: posting messages to the host and the state kept while the panel is hidden.
import type { Axis, WebviewMessage } from '../src/protocol/panel';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hiding and showing the panel (vscode.setState). */
export interface PersistedState {
  axis: Axis;
  /** Visible window per axis (ticks or loop seconds); absent = follow the whole run. */
  windows: Partial<Record<Axis, [number, number]>>;
  /** Side sections the user closed. */
  closed: string[];
}

const api: VsCodeApi = typeof acquireVsCodeApi === 'function'
  ? acquireVsCodeApi()
  : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

function isWindow(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v))
    && value[1] > value[0];
}

export function loadState(): PersistedState {
  const raw = api.getState() as Partial<PersistedState> | undefined;
  const state: PersistedState = { axis: 'tick', windows: {}, closed: [] };
  if (!raw || typeof raw !== 'object') return state;
  if (raw.axis === 'tick' || raw.axis === 'time') state.axis = raw.axis;
  if (raw.windows && typeof raw.windows === 'object') {
    for (const axis of ['tick', 'time'] as const) if (isWindow(raw.windows[axis])) state.windows[axis] = raw.windows[axis];
  }
  if (Array.isArray(raw.closed)) state.closed = raw.closed.filter((s): s is string => typeof s === 'string');
  return state;
}

export function saveState(state: PersistedState): void {
  api.setState(state);
}
