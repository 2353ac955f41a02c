// The TypeScript mirror of docs/protocol.md: the only shapes that cross from the tracer to the
// viewer. Shared by the extension host, the CLI and the webview; keep it free of Node and vscode.

export const PROTOCOL_MAJOR = 2;

/** `[line, function]`, or `[line, function, file]` outside the scenario file. Outermost first. */
export type Frame = [number, string] | [number, string, string];

export type ReasonKind =
  | 'sleep' | 'yield' | 'task' | 'gather' | 'wait' | 'wait_for' | 'timeout' | 'taskgroup' | 'shield'
  | 'queue_get' | 'queue_put' | 'queue_join' | 'lock' | 'semaphore' | 'event' | 'condition'
  | 'barrier' | 'executor' | 'io_read' | 'io_write' | 'io_connect' | 'io_accept' | 'subprocess'
  | 'future' | 'ready';

export interface WaitReason {
  kind: ReasonKind;
  /** One plain-language sentence written by the tracer. */
  text: string;
  delay?: number;
  wake?: number;
  timer?: number;
  task?: number;
  children?: number[];
  tasks?: number[];
  pending?: number;
  returnWhen?: string;
  timeout?: number;
  deadline?: number | null;
  /** Set on any reason awaited inside an active `asyncio.timeout(...)`. */
  timeoutDeadline?: number;
  size?: number;
  maxsize?: number;
  unfinished?: number;
  locked?: boolean;
  value?: number;
  parties?: number;
  waiting?: number;
  fn?: string;
  job?: number | null;
  thread?: string;
  peer?: string;
  fd?: number;
  pid?: number | null;
  type?: string;
}

export type Outcome =
  | 'completed' | 'exception' | 'syntax-error' | 'limit' | 'stopped' | 'not-runnable' | 'crashed';
export type LimitKind = 'ticks' | 'virtual-seconds' | 'wall-seconds' | 'events';
export type CallbackKind = 'soon' | 'timer' | 'io' | 'threadsafe';

export interface ErrorInfo {
  type: string;
  message: string;
  line?: number | null;
  file?: string;
  traceback?: string;
}

export interface StartEvent {
  ev: 'start';
  protocol: number;
  minor: number;
  python: string;
  executable: string;
  scenario: string;
  argv: string[];
  cwd: string;
  clock: 'virtual' | 'real';
  pid: number;
  limits: { ticks: number | null; virtualSeconds: number | null; wallSeconds: number | null; events: number | null };
  blockingMs: number;
}

export interface EndEvent {
  ev: 'end';
  outcome: Outcome;
  limit: LimitKind | null;
  exitCode: number | null;
  error: ErrorInfo | null;
  counts: { loops: number; ticks: number; tasks: number; steps: number; events: number };
  wall: number;
}

export interface LoopEvent { ev: 'loop'; loop: number; cls: string; thread: string | null; t: number; wall: number; origin?: number }
export interface LoopClosedEvent { ev: 'loop_closed'; loop: number; t: number; wall: number }

export interface CallbackRef {
  fn: string;
  line?: number;
  file?: string;
  timer?: number;
  kind: CallbackKind;
}
/** A task id (that task takes a step) or a plain callback. */
export type ReadyEntry = number | CallbackRef;

export interface IoReady { fd: number; events: 'r' | 'w' | 'rw'; peer?: string }

export interface TickEvent {
  ev: 'tick';
  loop: number;
  n: number;
  t: number;
  wall: number;
  waited: number;
  jump: number;
  ready: ReadyEntry[];
  io?: IoReady[];
}

export interface TimerEvent {
  ev: 'timer';
  loop: number;
  timer: number;
  when: number;
  fn: string;
  line?: number;
  file?: string;
  task?: number;
  t: number;
}
export interface TimerCancelEvent { ev: 'timer_cancel'; loop: number; timer: number; t: number }

export interface TaskEvent {
  ev: 'task';
  task: number;
  loop: number;
  name: string;
  coro: string;
  label: string;
  parent: number | null;
  line: number | null;
  file?: string;
  internal: boolean;
  eager?: boolean;
  t: number;
  wall: number;
}

export interface StepEvent {
  ev: 'step';
  task: number;
  t: number;
  dur: number;
  /** Protocol 2: omitted when equal to this task's previous step's `to` (present on its first step). */
  from?: number | null;
  /** Present when `from` lies outside the scenario file (protocol 2: omitted with `from`). */
  fromFile?: string;
  to: number | null;
  /** Present when `to` lies outside the scenario file. */
  file?: string;
  /** Omitted when identical to this task's previous stack. */
  stack?: Frame[];
  /** Protocol 2: omitted when the task is still suspended for the same reason as after its previous step. */
  reason?: WaitReason | null;
}

export type DoneState = 'ok' | 'exception' | 'cancelled';
export interface DoneEvent {
  ev: 'done';
  task: number;
  t: number;
  state: DoneState;
  result?: string;
  error?: ErrorInfo;
}

export interface CallbackEvent {
  ev: 'callback';
  loop: number;
  fn: string;
  line?: number;
  file?: string;
  kind: CallbackKind;
  timer?: number;
  t: number;
  dur: number;
}

export interface BlockingEvent {
  ev: 'blocking';
  loop: number;
  what: 'step' | 'callback' | 'tick';
  task?: number;
  fn: string;
  line: number | null;
  file?: string;
  dur: number;
  t: number;
  n: number;
  sampled: boolean;
}

export interface JobEvent { ev: 'job'; job: number; loop: number; task?: number; fn: string; line?: number; file?: string; t: number; wall: number }
export interface JobStartEvent { ev: 'job_start'; job: number; thread: string; wall: number }
export interface JobEndEvent { ev: 'job_end'; job: number; thread: string; wall: number; dur: number; ok: boolean; error?: string }

export interface OutputEvent {
  ev: 'output';
  stream: 'stdout' | 'stderr';
  text: string;
  task?: number;
  thread?: string;
  line?: number;
  file?: string;
  loop?: number;
  t?: number;
  wall: number;
}

export interface PausedTask { task: number; line: number | null; stack: Frame[]; reason?: WaitReason }
export interface PauseEvent { ev: 'pause'; loop: number; n: number; t: number; tasks: PausedTask[] }

export interface InternalErrorEvent { ev: 'internal_error'; where: string; message: string; traceback?: string }

export type TraceEvent =
  | StartEvent | EndEvent | LoopEvent | LoopClosedEvent | TickEvent | TimerEvent | TimerCancelEvent
  | TaskEvent | StepEvent | DoneEvent | CallbackEvent | BlockingEvent | JobEvent | JobStartEvent
  | JobEndEvent | OutputEvent | PauseEvent | InternalErrorEvent;

export type EventKind = TraceEvent['ev'];

export const EVENT_KINDS: ReadonlySet<string> = new Set<EventKind>([
  'start', 'end', 'loop', 'loop_closed', 'tick', 'timer', 'timer_cancel', 'task', 'step', 'done',
  'callback', 'blocking', 'job', 'job_start', 'job_end', 'output', 'pause', 'internal_error',
]);

/** Control lines the session writes to the tracer's control descriptor. */
export type ControlCommand = 'pause' | `step ${number}` | 'continue' | 'stop';
