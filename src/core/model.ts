// The trace model: indexes tracer events as they arrive and answers "what was the loop doing
// before tick G". Ticks are numbered globally (0-based, in arrival order across every loop); each
// tick also has its per-loop number `n`. An event that arrives during tick G is visible in the state
// before tick G + 1. Shared by the extension host, the CLI and the webview: no Node, no vscode.
import type {
  BlockingEvent, CallbackEvent, CallbackRef, DoneState, EndEvent, ErrorInfo, Frame, InternalErrorEvent,
  IoReady, JobEndEvent, JobEvent, JobStartEvent, OutputEvent, ReadyEntry, StartEvent, StepEvent,
  ReasonEvent, TaskEvent, TickEvent, TimerEvent, TraceEvent, WaitReason, Waker, WakerKind,
} from '../protocol/events';

// A checkpoint (live tasks, their step counts and last steps, pending timers) is made every
// CHECKPOINT_TICKS ticks, or sooner once CHECKPOINT_STEPS steps or as many steps as half the live
// tasks have arrived: a query then looks at few steps past its checkpoint (none at the checkpoint's
// own tick, a big trace's every tick or so), and checkpoints cost at most about 48 bytes a step.
const CHECKPOINT_TICKS = 256;
const CHECKPOINT_STEPS = 1024;
/** One array of TraceModel.stepTimes holds the times of 2 ** STEP_TIMES_BITS steps. */
const STEP_TIMES_BITS = 12;
const STEP_TIMES_MASK = (1 << STEP_TIMES_BITS) - 1;

export interface LoopInfo {
  id: number;
  cls: string;
  thread: string | null;
  firstTick: number;
  /** Global tick indices of this loop, in order. */
  ticks: number[];
  closedAt?: number;
}

export interface Tick {
  index: number;
  loop: number;
  n: number;
  t: number;
  wall: number;
  waited: number;
  jump: number;
  ready: ReadyEntry[];
  io?: IoReady[];
}

export interface Step {
  task: number;
  tick: number;
  /**
   * Where the model keeps its start (loop time) and duration: read them with TraceModel.startOf,
   * durationOf and endOf.
   */
  at: number;
  from: number | null;
  /** The file of `from` when outside the scenario. */
  fromFile?: string;
  to: number | null;
  /** The file of `to` when outside the scenario. */
  file?: string;
  stack: Frame[];
  reason?: WaitReason;
  /** Where it ran in its tick: see CallbackActivity.slot (from the tracer's `q`, protocol 2.1, when written). */
  slot?: number;
  /**
   * Protocol 2.1: what put the task in the ready queue for this step; TraceModel.wakerOf spells it
   * out. 'yield' stands for the waker of most steps of a big trace, a yield by the task's own
   * previous step (the waker's `n` and `q` are that step's tick and slot): a string kept instead of
   * an object per step.
   */
  by?: Waker | 'yield';
}

export interface TaskInfo {
  id: number;
  loop: number;
  name: string;
  coro: string;
  label: string;
  parent: number | null;
  line: number | null;
  file?: string;
  internal: boolean;
  /** Protocol 2.1: the library the task's coroutine is in (`aiohttp`; `asyncio` for internal tasks). */
  lib?: string;
  /** Protocol 2.1: the program named the task (absent in older traces). */
  named?: boolean;
  eager: boolean;
  created: { tick: number; t: number };
  steps: Step[];
  /** `steps[i].tick` for each step: state-at-tick searches these plain numbers instead of reading
   * one step object per probe. */
  stepTicks: number[];
  /** Set by stateBefore on the tasks in the tick's ready queue (cheaper than a Set per query). */
  readyMark?: number;
  /** A `reason` event changed the reason after one of its steps: only then is a step of it looked up
   * among the changes (a lookup per task and per step otherwise, once a trace has any). */
  reasonChanged?: boolean;
  done?: { tick: number; t: number; state: DoneState; result?: string; error?: ErrorInfo };
}

export interface TimerInfo {
  id: number;
  loop: number;
  when: number;
  fn: string;
  line?: number;
  file?: string;
  task?: number;
  scheduled: number;
  /** Tick whose ready queue held it, or that cancelled it; Infinity while pending. */
  ended: number;
  cancelled: boolean;
}

export interface JobInfo {
  id: number;
  loop: number;
  task?: number;
  fn: string;
  line?: number;
  file?: string;
  t: number;
  submitted: number;
  thread?: string;
  startWall?: number;
  endWall?: number;
  ok?: boolean;
  error?: string;
  submittedWall: number;
}

/** A callback that ran in a tick. */
export interface CallbackActivity {
  tick: number;
  callback: CallbackEvent;
  /**
   * The index, in its tick's ready list, of the entry that ran it (a step's too: Step.slot): the
   * event's `q` (protocol 2.1), else matched in first-in-first-out order (a step to its task's
   * entry, a callback to one of its function and timer). Activity without an entry of its own (an
   * eager task's first step) shares the slot of the activity that reported next, the one it ran
   * inside; -1: none is known. Undefined until that activity arrives.
   */
  slot?: number;
}

/**
 * What ran in a tick: a step, which is its own entry (an object per step more was 48 bytes kept and
 * an allocation for most events of a big trace), or a callback.
 */
export type Activity = Step | CallbackActivity;

/** The step or the callback event an activity is. */
export function whatRan(act: Activity): Step | CallbackEvent {
  return 'callback' in act ? act.callback : act;
}

/** The step an activity is, if it is one. */
export function stepOf(act: Activity): Step | undefined {
  return 'callback' in act ? undefined : act;
}

/** Matching the activity of the tick now running in a loop to its ready entries (Activity.slot). */
interface Placement {
  tick: number;
  /** Ready positions already matched. */
  used: Uint8Array;
  /** The first position not matched yet: activity usually reports in the order the queue held it. */
  next: number;
  /** Otherwise: the positions of each task, of callbacks by function and timer, in order (built when first needed). */
  tasks?: Map<number, number[]>;
  callbacks?: Map<string, number[]>;
  /** Activity waiting for the next placed one, and the slot of the last placed one. */
  pending: Activity[];
  last: number;
}

/** A suspended task's wait reason changed while it stayed suspended (protocol 2.1 `reason` event). */
export interface ReasonChange {
  task: number;
  /** The global tick during which it changed: the new reason holds after that tick. */
  tick: number;
  t: number;
  reason: WaitReason;
}

export type TaskState = 'new' | 'ready' | 'suspended' | 'done';

export interface TaskSnapshot {
  task: TaskInfo;
  state: TaskState;
  doneState?: DoneState;
  line: number | null;
  file?: string;
  stack: Frame[];
  reason?: WaitReason;
  /** Loop time since when the task is in this state. */
  since: number;
}

export interface StateBeforeTick {
  tick: Tick;
  tasks: TaskSnapshot[];
  ready: ReadyEntry[];
  timers: TimerInfo[];
  ran: Activity[];
  outputCount: number;
}

export interface LineHistory {
  suspensions: number;
  totalWait: number;
  longestWait: number;
  tasks: Set<number>;
}

interface Checkpoint {
  /** The global tick it describes the state before. */
  tick: number;
  /** Indices into taskOrder of the tasks not finished before tick - 1. */
  tasks: number[];
  /** How many steps each of `tasks` had taken when the checkpoint was made (all before `tick`). */
  stepCounts: number[];
  /** The last of those steps of each of `tasks`: a query at `tick` itself reads no task's list of steps. */
  lastSteps: (Step | undefined)[];
  tasksSeen: number;
  timers: number[];
  timersSeen: number;
}

const NO_FRAMES: Frame[] = [];
const NO_ACTIVITY: CallbackActivity[] = [];
const NO_CHANGES: ReasonChange[] = [];

/**
 * A TaskSnapshot that reads the task's last step when asked: a state-at-tick answer holds one per
 * live task (10,000 of them in a big trace), and keeping each to three fields keeps that answer
 * cheap to make and to collect. (Fields declared, not defined: plain assignments are faster.)
 */
class Snapshot implements TaskSnapshot {
  declare private readonly model: TraceModel;
  declare readonly task: TaskInfo;
  declare readonly state: TaskState;
  declare private readonly step: Step | undefined;

  constructor(model: TraceModel, task: TaskInfo, state: TaskState, step: Step | undefined) {
    this.model = model;
    this.task = task;
    this.state = state;
    this.step = step;
  }

  get doneState(): DoneState | undefined {
    return this.state === 'done' ? this.task.done?.state : undefined;
  }

  /** Where it is suspended; where its last step started once done; its `def` line before its first step. */
  get line(): number | null {
    if (this.state === 'done') return this.step?.from ?? this.task.line;
    return this.step ? this.step.to : this.task.line;
  }

  get file(): string | undefined {
    if (this.state === 'done') return undefined;
    return this.step ? this.step.file : this.task.file;
  }

  get stack(): Frame[] {
    return this.state !== 'done' && this.step ? this.step.stack : NO_FRAMES;
  }

  get reason(): WaitReason | undefined {
    return this.state !== 'done' ? this.step?.reason : undefined;
  }

  get since(): number {
    if (this.state === 'done') return this.task.done!.t;
    return this.step ? this.model.endOf(this.step) : this.task.created.t;
  }
}

/** A TaskSnapshot whose wait reason changed after its last step (protocol 2.1 `reason` events). */
class ChangedSnapshot extends Snapshot {
  declare private readonly changed: WaitReason;

  constructor(model: TraceModel, task: TaskInfo, state: TaskState, step: Step, changed: WaitReason) {
    super(model, task, state, step);
    this.changed = changed;
  }

  override get reason(): WaitReason | undefined {
    return this.state !== 'done' ? this.changed : undefined;
  }
}

/** Binary search: index of the first element for which `isAfter` is true. */
export function firstIndex<T>(items: ArrayLike<T>, isAfter: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isAfter(items[mid])) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Tracer data nested inside an event is checked here once, so no view has to (hostile traces). */
function isCallbackRef(entry: unknown): entry is CallbackRef {
  return typeof entry === 'object' && entry !== null && typeof (entry as CallbackRef).fn === 'string';
}

function isReadyEntry(entry: unknown): entry is ReadyEntry {
  return typeof entry === 'number' || isCallbackRef(entry);
}

/** The event's own list when every entry is valid (a big trace's tick lists 10,000 tasks): no copy. */
function validReady(ready: unknown[]): ReadyEntry[] {
  return ready.every(isReadyEntry) ? ready : ready.filter(isReadyEntry);
}

function validReason(reason: unknown): WaitReason | undefined {
  const r = reason as WaitReason | undefined;
  return typeof r === 'object' && r !== null && typeof r.kind === 'string' && typeof r.text === 'string' ? r : undefined;
}

function validBy(by: unknown): Waker | undefined {
  return typeof by === 'object' && by !== null && typeof (by as Waker).kind === 'string' ? by as Waker : undefined;
}

function validStack(stack: unknown): Frame[] | undefined {
  if (!Array.isArray(stack)) return undefined;
  return stack.every((f) => Array.isArray(f) && typeof f[0] === 'number' && typeof f[1] === 'string') ? stack as Frame[] : undefined;
}

/** Whether two (valid) wait reasons say the same: flat objects of primitives and arrays of numbers. */
function sameReason(a: WaitReason, b: WaitReason): boolean {
  if (a.kind !== b.kind || a.text !== b.text) return false;
  for (const key in a) {
    const x = (a as unknown as Record<string, unknown>)[key];
    const y = (b as unknown as Record<string, unknown>)[key];
    if (x !== y && !(Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i]))) return false;
  }
  for (const key in b) if (!Object.hasOwn(a, key)) return false;
  return true;
}

export function lineKey(line: number, file?: string): string {
  return file ? `${file}:${line}` : String(line);
}

export class TraceModel {
  start?: StartEvent;
  end?: EndEvent;
  readonly loops = new Map<number, LoopInfo>();
  readonly ticks: Tick[] = [];
  readonly tasks = new Map<number, TaskInfo>();
  readonly taskOrder: TaskInfo[] = [];
  readonly timers: TimerInfo[] = [];
  readonly jobs = new Map<number, JobInfo>();
  readonly callbacks: CallbackEvent[] = [];
  readonly blocking: (BlockingEvent & { tick: number })[] = [];
  readonly output: (OutputEvent & { tick: number })[] = [];
  readonly internalErrors: InternalErrorEvent[] = [];
  readonly lineHistory = new Map<string, LineHistory>();
  /** Per global tick: the steps and callbacks that ran during it, in order. */
  private readonly activity: Activity[][] = [];
  /** Per global tick: how many tasks and timers had arrived before it. Those of its loop that arrive
   * later belong to it or to later ticks, so a query need not look past these. */
  private readonly tasksBeforeTick: number[] = [];
  private readonly timersBeforeTick: number[] = [];
  private readonly timerById = new Map<number, TimerInfo>();
  private readonly currentTickOfLoop = new Map<number, number>();
  private readonly placing = new Map<number, Placement>();
  /** The callbacks that ran in each tick that ran any (most ticks of a big trace run only steps). */
  private readonly callbackActivity = new Map<number, CallbackActivity[]>();
  private readonly checkpoints: Checkpoint[] = [];
  /**
   * Each step's start and duration, in arrays of 2 ** STEP_TIMES_BITS steps' (step.at's): two number
   * fields of a step were two more objects a step (V8 boxes them: 32 bytes, and more for the garbage
   * collector to copy). Arrays of a fixed size, outside the heap, are never copied as they fill.
   */
  private readonly stepTimes: Float64Array[] = [];
  private stepCount = 0;
  /** Wait reasons that changed after a step, in order (protocol 2.1 `reason` events; few, and none in older traces). */
  private readonly reasonChanges = new Map<Step, ReasonChange[]>();
  /** The same changes by the tick they came in. */
  private readonly reasonChangesByTick = new Map<number, ReasonChange[]>();
  private stepsSinceCheckpoint = 0;
  /** The trace's protocol major version (1 until the `start` event says otherwise). */
  private protocol = 1;
  /** Bumped on every event; views use it to know when to redraw. */
  version = 0;
  private queries = 0;

  apply(event: TraceEvent): void {
    this.version++;
    switch (event.ev) {
      case 'start':
        this.start = event;
        this.protocol = event.protocol;
        break;
      case 'end': this.end = event; break;
      case 'loop': this.addLoop(event.loop, event.cls, event.thread); break;
      case 'loop_closed': {
        const loop = this.loops.get(event.loop);
        if (loop) loop.closedAt = event.t;
        break;
      }
      case 'tick': this.addTick(event); break;
      case 'timer': this.addTimer(event); break;
      case 'timer_cancel': {
        const timer = this.timerById.get(event.timer);
        if (timer && timer.ended === Infinity) {
          timer.ended = this.tickNow(event.loop ?? timer.loop);
          timer.cancelled = true;
        }
        break;
      }
      case 'task': this.addTask(event); break;
      case 'step': this.addStep(event); break;
      case 'reason': this.changeReason(event); break;
      case 'done': {
        const task = this.tasks.get(event.task);
        if (task && !task.done) {
          const tick = this.tickNow(task.loop);
          task.done = { tick, t: event.t, state: event.state, result: event.result, error: event.error };
          // Protocol 2: the step that finished the task has no reason, but it had to be read as
          // "unchanged" until this event (written right after it) said the task is done.
          const last = task.steps[task.steps.length - 1];
          if (this.protocol >= 2 && last && last.tick === tick && last.to === null) last.reason = undefined;
        }
        break;
      }
      case 'callback': {
        this.callbacks.push(event);
        const tick = this.tickNow(event.loop);
        const activity = this.activityOf(tick);
        if (activity) {
          const act: CallbackActivity = { tick, callback: event, slot: undefined };
          activity.push(act);
          const list = this.callbackActivity.get(tick);
          if (list) list.push(act); else this.callbackActivity.set(tick, [act]);
          this.place(event.loop, act, (event as { q?: unknown }).q);
        }
        break;
      }
      case 'blocking': this.blocking.push({ ...event, tick: this.tickNow(event.loop) }); break;
      case 'job': this.addJob(event); break;
      case 'job_start': this.updateJob(event); break;
      case 'job_end': this.updateJob(event); break;
      case 'output': {
        // An empty partial line only says the program now waits for input (input() without a
        // prompt): nothing was printed.
        if (event.text === '') break;
        const tick = event.loop !== undefined ? this.tickNow(event.loop) : this.ticks.length - 1;
        this.output.push({ ...event, tick });
        break;
      }
      case 'internal_error': this.internalErrors.push(event); break;
      case 'pause': break;
    }
  }

  /** The global index of the tick now running in `loop` (-1 before its first tick). */
  private tickNow(loop: number): number {
    return this.currentTickOfLoop.get(loop) ?? -1;
  }

  private activityOf(tick: number): Activity[] | undefined {
    return tick >= 0 ? this.activity[tick] : undefined;
  }

  private addLoop(id: number, cls: string, thread: string | null): LoopInfo {
    let loop = this.loops.get(id);
    if (!loop) {
      loop = { id, cls, thread, firstTick: this.ticks.length, ticks: [] };
      this.loops.set(id, loop);
    }
    return loop;
  }

  private addTick(event: TickEvent): void {
    const index = this.ticks.length;
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (!last || index - last.tick >= CHECKPOINT_TICKS
      || this.stepsSinceCheckpoint >= Math.max(CHECKPOINT_STEPS, last.tasks.length / 2)) {
      this.checkpoints.push(this.makeCheckpoint(index));
      this.stepsSinceCheckpoint = 0;
    }
    const loop = this.loops.get(event.loop) ?? this.addLoop(event.loop, '?', '?');
    loop.ticks.push(index);
    this.ticks.push({
      index, loop: event.loop, n: event.n, t: event.t, wall: event.wall ?? 0, waited: event.waited ?? 0,
      jump: event.jump ?? 0, io: Array.isArray(event.io) ? event.io : undefined,
      ready: Array.isArray(event.ready) ? validReady(event.ready) : [],
    });
    this.activity.push([]);
    this.tasksBeforeTick.push(this.taskOrder.length);
    this.timersBeforeTick.push(this.timers.length);
    this.currentTickOfLoop.set(event.loop, index);
    this.endPlacement(event.loop);
    for (const entry of this.ticks[index].ready) {
      if (typeof entry === 'object' && typeof entry.timer === 'number') {
        const timer = this.timerById.get(entry.timer);
        if (timer && timer.ended === Infinity) timer.ended = index;
      }
    }
  }

  private makeCheckpoint(index: number): Checkpoint {
    const previous = this.checkpoints[this.checkpoints.length - 1];
    const tasks = this.aliveSince(previous?.tasks ?? [], previous?.tasksSeen ?? 0, this.taskOrder.length,
      (i) => this.taskEnd(i), index - 1);
    const stepCounts = tasks.map((i) => this.taskOrder[i].steps.length);
    const lastSteps = tasks.map((i) => this.taskOrder[i].steps[this.taskOrder[i].steps.length - 1]);
    const timers = this.aliveSince(previous?.timers ?? [], previous?.timersSeen ?? 0, this.timers.length,
      (i) => this.timers[i].ended, index);
    return { tick: index, tasks, stepCounts, lastSteps, tasksSeen: this.taskOrder.length, timers, timersSeen: this.timers.length };
  }

  private taskEnd(i: number): number {
    return this.taskOrder[i].done?.tick ?? Infinity;
  }

  /** Items (by index) in `carried` or added in [from, to) that had not ended before tick `since`. */
  private aliveSince(carried: number[], from: number, to: number, endOf: (i: number) => number, since: number): number[] {
    // Sized once and cut to length: grown by push, a big trace's checkpoint (10,000 live tasks every
    // tick or so) made about twice its size in garbage.
    const alive = new Array<number>(carried.length + to - from);
    let count = 0;
    for (const i of carried) if (endOf(i) >= since) alive[count++] = i;
    for (let i = from; i < to; i++) if (endOf(i) >= since) alive[count++] = i;
    alive.length = count;
    return alive;
  }

  private addTimer(event: TimerEvent): void {
    const timer: TimerInfo = {
      id: event.timer, loop: event.loop, when: event.when, fn: event.fn, line: event.line, file: event.file,
      task: event.task, scheduled: this.tickNow(event.loop), ended: Infinity, cancelled: false,
    };
    this.timers.push(timer);
    this.timerById.set(timer.id, timer);
  }

  private addTask(event: TaskEvent): void {
    if (this.tasks.has(event.task)) return;
    const task: TaskInfo = {
      id: event.task, loop: event.loop, name: event.name, coro: event.coro, label: event.label,
      parent: event.parent ?? null, line: event.line ?? null, file: event.file, internal: !!event.internal,
      lib: typeof event.lib === 'string' && event.lib ? event.lib : undefined, named: typeof event.named === 'boolean' ? event.named : undefined, eager: !!event.eager, created: { tick: this.tickNow(event.loop), t: event.t }, steps: [], stepTicks: [],
      // done too, set later: a task that finished keeps the shape of one that has not.
      readyMark: undefined, reasonChanged: false, done: undefined,
    };
    this.tasks.set(task.id, task);
    this.taskOrder.push(task);
  }

  private addStep(event: StepEvent): void {
    const task = this.taskById(event.task);
    if (!task) return;
    const previous = task.steps[task.steps.length - 1];
    const tick = this.tickNow(task.loop);
    // Protocol 2 leaves out what follows from the task's previous step (docs/protocol.md): `from`
    // is where that step left the task, and a missing `reason` is the previous one unchanged
    // (`null` says "no reason"). A protocol 1 step always spells both out.
    const carry = this.protocol >= 2;
    const carryFrom = event.from === undefined && carry;
    const from = carryFrom ? previous?.to ?? null : event.from ?? null;
    const fromFile = carryFrom ? previous?.file : typeof event.fromFile === 'string' ? event.fromFile : undefined;
    let reason = event.reason === undefined && carry ? this.lastReason(task, previous) : validReason(event.reason);
    const by = validBy(event.by);
    // One object for a reason repeated step after step (protocol 1 repeats every one).
    if (reason && previous?.reason && reason !== previous.reason && sameReason(reason, previous.reason)) reason = previous.reason;
    const step: Step = {
      task: task.id, tick, at: this.stepCount, from, fromFile, to: event.to ?? null,
      file: typeof event.file === 'string' ? event.file : undefined,
      // Protocol 2.1: what scheduled the step (a 2.0 trace has none). Every field is in the literal:
      // one added later would cost every step a shape change and a second allocation.
      stack: validStack(event.stack) ?? previous?.stack ?? [], reason, slot: undefined,
      by: by && previous && this.isOwnYield(by, previous) ? 'yield' : by,
    };
    const offset = 2 * (this.stepCount & STEP_TIMES_MASK);
    if (offset === 0) this.stepTimes.push(new Float64Array(2 << STEP_TIMES_BITS));
    const times = this.stepTimes[this.stepTimes.length - 1];
    times[offset] = event.t;
    times[offset + 1] = event.dur;
    this.stepCount++;
    task.steps.push(step);
    task.stepTicks.push(tick);
    this.stepsSinceCheckpoint++;
    const activity = this.activityOf(tick);
    if (activity) {
      activity.push(step);
      this.place(task.loop, step, (event as { q?: unknown }).q);
    }
    if (previous && previous.to !== null) {
      const key = lineKey(previous.to, previous.file);
      let history = this.lineHistory.get(key);
      if (!history) {
        history = { suspensions: 0, totalWait: 0, longestWait: 0, tasks: new Set() };
        this.lineHistory.set(key, history);
      }
      const wait = Math.max(0, event.t - this.endOf(previous));
      history.suspensions++;
      history.totalWait += wait;
      history.longestWait = Math.max(history.longestWait, wait);
      // Suspended at the same line the time before: the task is already among the line's tasks.
      const earlier = task.steps[task.steps.length - 3];
      if (!earlier || earlier.to !== previous.to || earlier.file !== previous.file) history.tasks.add(task.id);
    }
  }

  /** When a step (or a callback) started, in loop time. */
  startOf(ran: Step | CallbackEvent): number {
    return 'ev' in ran ? ran.t : this.stepTimes[ran.at >> STEP_TIMES_BITS][2 * (ran.at & STEP_TIMES_MASK)];
  }

  /** How long a step (or a callback) held the loop. */
  durationOf(ran: Step | CallbackEvent): number {
    return 'ev' in ran ? ran.dur : this.stepTimes[ran.at >> STEP_TIMES_BITS][2 * (ran.at & STEP_TIMES_MASK) + 1];
  }

  /** When a step (or a callback) gave the loop back: its start plus its duration. */
  endOf(ran: Step | CallbackEvent): number {
    return this.startOf(ran) + this.durationOf(ran);
  }

  /** Whether `by` says the step `previous`, and only that, put its task back in the ready queue (see Step.by). */
  private isOwnYield(by: Waker, previous: Step): boolean {
    return by.kind === 'yield' && by.n === this.ticks[previous.tick]?.n && by.q === previous.slot && by.task === undefined
      && by.timer === undefined && by.fn === undefined && by.line === undefined && by.file === undefined;
  }

  /** The kind of what put the task in the ready queue for `step`: wakerOf's, without looking up and making the waker. */
  wakerKind(step: Step): WakerKind | undefined {
    return step.by === 'yield' ? 'yield' : step.by?.kind;
  }

  /** What put the task in the ready queue for `step` (protocol 2.1; undefined in older traces). */
  wakerOf(step: Step): Waker | undefined {
    if (step.by !== 'yield') return step.by;
    // The search reads stepTicks' plain numbers, not one step object per probe.
    const task = this.taskById(step.task)!;
    let i = firstIndex(task.stepTicks, (tick) => tick >= step.tick);
    while (task.steps[i] !== step) i++;
    const previous = task.steps[i - 1];
    return { kind: 'yield', n: this.ticks[previous.tick].n, q: previous.slot };
  }

  /** Protocol 2.1: a suspended task's reason changed; it holds from the end of the tick now running on. */
  private changeReason(event: ReasonEvent): void {
    const task = this.taskById(event.task);
    const step = task?.steps[task.steps.length - 1];
    const reason = validReason(event.reason);
    if (!task || !step || !reason || task.done) return;
    const change = { task: task.id, tick: this.tickNow(task.loop), t: event.t, reason };
    task.reasonChanged = true;
    const changes = this.reasonChanges.get(step);
    if (changes) changes.push(change); else this.reasonChanges.set(step, [change]);
    const inTick = this.reasonChangesByTick.get(change.tick);
    if (inTick) inTick.push(change); else this.reasonChangesByTick.set(change.tick, [change]);
  }

  /** The wait reasons that changed during global tick `index`, in order. */
  reasonChangesIn(index: number): readonly ReasonChange[] {
    return this.reasonChangesByTick.get(index) ?? NO_CHANGES;
  }

  /** How a step's wait reason changed while the task stayed suspended after it, in order. */
  reasonChangesAfter(step: Step): readonly ReasonChange[] {
    return this.reasonChanges.get(step) ?? NO_CHANGES;
  }

  /** The reason a task waits for after `step`, as it stands after global tick `index` (by default, the latest). */
  reasonAfter(step: Step, index = Infinity): WaitReason | undefined {
    const changes = this.reasonChanges.get(step);
    if (!changes) return step.reason;
    let reason = step.reason;
    for (const change of changes) if (change.tick <= index) reason = change.reason;
    return reason;
  }

  /** The reason a step's successor carries when it leaves `reason` out (protocol 2): the last one written. */
  private lastReason(task: TaskInfo, step: Step | undefined): WaitReason | undefined {
    return step && task.reasonChanged ? this.reasonAfter(step) : step?.reason;
  }

  /** Gives `act` its slot (see Activity.slot), from `q` when the tracer wrote it. */
  private place(loop: number, act: Activity, q: unknown): void {
    const ready = this.ticks[act.tick].ready;
    let placement = this.placing.get(loop);
    if (!placement || placement.tick !== act.tick) {
      placement = { tick: act.tick, used: new Uint8Array(ready.length), next: 0, pending: [], last: -1 };
      this.placing.set(loop, placement);
    }
    let slot = typeof q === 'number' && Number.isInteger(q) && q >= 0 && q < ready.length ? q : undefined;
    slot ??= this.match(placement, ready, act);
    if (slot === undefined) {
      placement.pending.push(act);
      return;
    }
    placement.used[slot] = 1;
    while (placement.next < ready.length && placement.used[placement.next]) placement.next++;
    // Emptied only when it holds any: a new array for every step was a third of a step's garbage.
    if (placement.pending.length > 0) {
      for (const waiting of placement.pending) waiting.slot = slot;
      placement.pending = [];
    }
    placement.last = slot;
    act.slot = slot;
  }

  /** First in, first out: a step's own task entry, a callback's entry of the same function and timer, else any callback's. */
  private match(placement: Placement, ready: ReadyEntry[], act: Activity): number | undefined {
    const entry = ready[placement.next];
    const step = stepOf(act);
    const callback = 'callback' in act ? act.callback : undefined;
    if (step ? entry === step.task
      : typeof entry === 'object' && entry.fn === callback!.fn && entry.timer === callback!.timer) return placement.next;
    if (!placement.tasks) {
      const tasks = new Map<number, number[]>();
      const callbacks = new Map<string, number[]>();
      ready.forEach((e, i) => {
        const map = (typeof e === 'number' ? tasks : callbacks) as Map<number | string, number[]>;
        const key = typeof e === 'number' ? e : `${e.fn}|${e.timer}`;
        const list = map.get(key);
        if (list) list.push(i); else map.set(key, [i]);
      });
      placement.tasks = tasks;
      placement.callbacks = callbacks;
    }
    const used = placement.used;
    const free = (list: number[] | undefined) => list?.find((i) => !used[i]);
    if (step) return free(placement.tasks.get(step.task));
    const same = free(placement.callbacks!.get(`${callback!.fn}|${callback!.timer}`));
    if (same !== undefined) return same;
    for (let i = placement.next; i < ready.length; i++) if (!used[i] && typeof ready[i] === 'object') return i;
    return undefined;
  }

  /** The loop's tick ended: activity still waiting shares the slot of the last placed one. */
  private endPlacement(loop: number): void {
    const placement = this.placing.get(loop);
    if (!placement) return;
    for (const waiting of placement.pending) waiting.slot = placement.last;
    this.placing.delete(loop);
  }

  private addJob(event: JobEvent): void {
    this.jobs.set(event.job, {
      id: event.job, loop: event.loop, task: event.task, fn: event.fn, line: event.line, file: event.file, t: event.t,
      submitted: this.tickNow(event.loop), submittedWall: event.wall,
    });
  }

  private updateJob(event: JobStartEvent | JobEndEvent): void {
    const job = this.jobs.get(event.job);
    if (!job) return;
    job.thread = event.thread ?? job.thread;
    if (event.ev === 'job_start') job.startWall = event.wall;
    else {
      job.endWall = event.wall;
      job.ok = event.ok;
      job.error = event.error;
    }
  }

  /** A task by its id. Ids are 1, 2, ... in creation order (docs/protocol.md), so taskOrder usually
   * holds it at id - 1: checked, and a Map lookup otherwise. */
  taskById(id: number): TaskInfo | undefined {
    const task = this.taskOrder[id - 1];
    return task?.id === id ? task : this.tasks.get(id);
  }

  /** A timer by its id (from `timer` events). */
  timerInfo(id: number): TimerInfo | undefined {
    return this.timerById.get(id);
  }

  /** The steps and callbacks that ran during global tick `index`, in arrival order. */
  activityAt(index: number): readonly Activity[] {
    return this.activity[index] ?? [];
  }

  /** The callbacks that ran during global tick `index`, in arrival order. */
  callbacksAt(index: number): readonly CallbackActivity[] {
    return this.callbackActivity.get(index) ?? NO_ACTIVITY;
  }

  /** The state of the tick's loop just before global tick `index` runs. */
  stateBefore(index: number): StateBeforeTick | undefined {
    const tick = this.ticks[index];
    if (!tick) return undefined;
    const checkpoint = this.checkpoints[firstIndex(this.checkpoints, (c) => c.tick > index) - 1];
    const readyMark = ++this.queries;
    for (const entry of tick.ready) {
      const task = typeof entry === 'number' ? this.taskById(entry) : undefined;
      if (task) task.readyMark = readyMark;
    }

    // Unfinished tasks, and those that finished in the tick just before (they show their outcome);
    // the checkpoint's step counts start each task's search for its last step.
    // Sized once (at most every candidate), then cut to length: growing it by push would allocate
    // about as much again, and allocation is what the tail of these queries waits on (GC).
    const tasksSeen = this.tasksBeforeTick[index];
    const tasks: TaskSnapshot[] = new Array(checkpoint.tasks.length + tasksSeen - checkpoint.tasksSeen);
    let count = 0;
    const add = (task: TaskInfo, stepsBefore: number, lastStep?: Step) => {
      if (task.loop !== tick.loop || (task.done && task.done.tick < index - 1)) return;
      const isReady = task.readyMark === readyMark;
      tasks[count++] = lastStep !== undefined ? this.snapshotWith(task, index, isReady, lastStep) : this.snapshot(task, index, isReady, stepsBefore);
    };
    const atCheckpoint = checkpoint.tick === index;
    for (let j = 0; j < checkpoint.tasks.length; j++) {
      add(this.taskOrder[checkpoint.tasks[j]], checkpoint.stepCounts[j], atCheckpoint ? checkpoint.lastSteps[j] : undefined);
    }
    // And the tasks that arrived between the checkpoint and this tick.
    for (let i = checkpoint.tasksSeen; i < tasksSeen; i++) add(this.taskOrder[i], 0);
    tasks.length = count;

    const timerIds = this.aliveSince(checkpoint.timers, checkpoint.timersSeen, this.timersBeforeTick[index],
      (i) => this.timers[i].ended, index);
    const timers = timerIds.map((i) => this.timers[i])
      .filter((timer) => timer.loop === tick.loop)
      .sort((a, b) => a.when - b.when || a.id - b.id);

    return {
      tick, tasks, ready: tick.ready, timers, ran: this.activity[index],
      outputCount: firstIndex(this.output, (o) => o.tick >= index),
    };
  }

  /** One task's state before global tick `index`. */
  snapshot(task: TaskInfo, index: number, isReady: boolean, stepsBefore = 0): TaskSnapshot {
    return this.snapshotWith(task, index, isReady, this.lastStepBefore(task, index, stepsBefore));
  }

  /** The same, knowing the task's last step in a tick before `index`. */
  private snapshotWith(task: TaskInfo, index: number, isReady: boolean, step: Step | undefined): TaskSnapshot {
    const state = task.done && task.done.tick < index ? 'done' : isReady ? 'ready' : step ? 'suspended' : 'new';
    // A reason that changed while the task stayed suspended (ticks before `index`).
    const changed = step && task.reasonChanged && this.reasonChanges.has(step) ? this.reasonAfter(step, index - 1) : undefined;
    return changed && changed !== step!.reason ? new ChangedSnapshot(this, task, state, step!, changed) : new Snapshot(this, task, state, step);
  }

  /**
   * The task's last step in a tick before `index`, knowing that at least `stepsBefore` of its steps
   * are (a hand-written search: this is the hot path).
   */
  lastStepBefore(task: TaskInfo, index: number, stepsBefore = 0): Step | undefined {
    const ticks = task.stepTicks;
    // The answer (the count of steps before `index`) is at least `low`, and usually within a step
    // or two of a checkpoint's count: gallop from there (low + 1, + 2, + 4, ...), then bisect.
    let low = stepsBefore;
    let span = 1;
    while (low + span <= ticks.length && ticks[low + span - 1] < index) {
      low += span;
      span *= 2;
    }
    let high = Math.min(ticks.length, low + span - 1);
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (ticks[mid] >= index) high = mid;
      else low = mid + 1;
    }
    return low > 0 ? task.steps[low - 1] : undefined;
  }

  /** Global index of the last tick of `loop` (or any loop) whose loop time is at most `t`. */
  tickAtTime(t: number, loop?: number): number | undefined {
    const indices = loop !== undefined ? this.loops.get(loop)?.ticks : undefined;
    if (indices) {
      const i = firstIndex(indices, (index) => this.ticks[index].t > t) - 1;
      return indices[Math.max(0, i)];
    }
    for (const candidate of this.loops.values()) {
      const found = this.tickAtTime(t, candidate.id);
      if (found !== undefined && this.ticks[found].t <= t) return found;
    }
    return this.ticks.length > 0 ? 0 : undefined;
  }

  /** The first tick after `after` in which `task` takes a step: where a suspension ends. */
  resumeTick(task: TaskInfo, after: number): number | undefined {
    const i = firstIndex(task.steps, (s) => s.tick > after);
    return task.steps[i]?.tick;
  }

  isReadyIn(tickIndex: number, taskId: number): boolean {
    return this.ticks[tickIndex]?.ready.some((entry) => entry === taskId) ?? false;
  }
}
