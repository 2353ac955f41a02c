// A saved trace is opened through an index of byte offsets into the file: one pass reads the first
// window into a model (the whole trace, when it holds at most WINDOW_EVENTS events), and records
// where every tick's line starts and, every
// WINDOW_EVENTS / 2 events, a checkpoint: the byte offset to read on from and the few events that
// rebuild the loop's state there (the loops, every unfinished task with its last step spelled out,
// pending timers, running executor jobs). A window of the trace (at most WINDOW_EVENTS events, two
// checkpoints apart) is then read into an ordinary TraceModel whenever the cursor enters it, so
// every view works on it as on a small trace, and memory stays that of one window whatever the
// size of the file. Plain offsets into the file rather than a database: the file is the store
// already, the index is a few numbers a tick and is built at the speed of reading the file once,
// and there is nothing native to load (the .vsix runs in desktop VS Code's Electron, where a
// native module built for Node 20 does not load).
import { createReadStream } from 'node:fs';
import { firstIndex, TraceModel } from '../core/model';
import { EventDecoder, MAX_LINE_BYTES, type DecoderStats } from '../protocol/decoder';
import type {
  EndEvent, JobEvent, JobStartEvent, LoopEvent, StartEvent, StepEvent, TaskEvent, TimerEvent, TraceEvent,
} from '../protocol/events';
import { MAX_TRACE_BYTES, MAX_TRACE_EVENTS } from './traceFile';

/** Events in one window read into memory. */
export const WINDOW_EVENTS = MAX_TRACE_EVENTS;

interface Checkpoint {
  /** Global index of the first tick read from here. */
  tick: number;
  /** Byte offset of that tick's line. */
  offset: number;
  /** Events before it in the file. */
  events: number;
  /** Events that rebuild the state just before that tick. */
  seed: TraceEvent[];
}

/** A window of the trace in memory: its model, and the global index of its first tick. */
export interface TraceWindow {
  model: TraceModel;
  firstTick: number;
  /** Global index just past its last tick. */
  endTick: number;
  /** Events of the file read into it (the seed not counted). */
  events: number;
  /** Stopped at MAX_TRACE_BYTES before its end (a window of a few huge events). */
  partial: boolean;
}

/** What a pass over the file keeps of the state, to write checkpoints. */
interface LiveState {
  start?: StartEvent;
  loops: Map<number, LoopEvent>;
  tasks: Map<number, { task: TaskEvent; step?: StepEvent }>;
  timers: Map<number, TimerEvent>;
  jobs: Map<number, { job: JobEvent; start?: JobStartEvent }>;
}

export class TraceIndex {
  /** Per global tick: the byte offset of its line, its loop, its per-loop number and loop time. */
  private offsets = new Float64Array(1024);
  private loopOf = new Int32Array(1024);
  private nOf = new Int32Array(1024);
  private timeOf = new Float64Array(1024);
  ticks = 0;
  events = 0;
  readonly checkpoints: Checkpoint[] = [];
  start?: StartEvent;
  end?: EndEvent;
  stats?: DecoderStats;
  fatal?: string;
  /** Bytes of the file. */
  bytes = 0;
  /** The first window, read during the pass (until handed out: one window in memory at a time). */
  private first?: TraceWindow = { model: new TraceModel(), firstTick: 0, endTick: 0, events: 0, partial: false };

  private constructor(readonly path: string, private readonly spacing: number) {}

  /** Reads the whole file once and indexes it. */
  static async build(path: string, windowEvents = WINDOW_EVENTS): Promise<TraceIndex> {
    const index = new TraceIndex(path, Math.max(1, Math.floor(windowEvents / 2)));
    await index.scan();
    return index;
  }

  /** Global index of the last tick of `loop` whose loop time is at most `t`, from the index alone. */
  tickAtTime(t: number, loop: number): number | undefined {
    let found: number | undefined;
    for (let g = 0; g < this.ticks && this.timeOf[g] <= t; g++) if (this.loopOf[g] === loop) found = g;
    return found;
  }

  /** The per-loop tick number and loop of global tick `g`. */
  tickAt(g: number): { loop: number; n: number; t: number } | undefined {
    return g >= 0 && g < this.ticks ? { loop: this.loopOf[g], n: this.nOf[g], t: this.timeOf[g] } : undefined;
  }

  /** Ticks of `loop` in the whole trace. */
  loopTicks(loop: number): number {
    let count = 0;
    for (let g = 0; g < this.ticks; g++) if (this.loopOf[g] === loop) count++;
    return count;
  }

  /** The first window of the trace, read by the pass that built the index (the whole trace when it is small). */
  firstWindow(): TraceWindow {
    const first = this.first!;
    this.first = undefined;
    return first;
  }

  /** The window holding global tick `g`, read from the file; `g` lies in its first half when it can. */
  async window(g: number): Promise<TraceWindow> {
    const k = Math.max(0, firstIndex(this.checkpoints, (c) => c.tick > g) - 1);
    const from = this.checkpoints[k];
    const to = this.checkpoints[k + 2];
    const model = new TraceModel();
    for (const event of from.seed) model.apply(event);
    const end = Math.min(to?.offset ?? this.bytes, from.offset + MAX_TRACE_BYTES);
    const events = await this.read(from.offset, end, (event) => model.apply(event));
    return { model, firstTick: from.tick, endTick: from.tick + model.ticks.length, events, partial: end < (to?.offset ?? this.bytes) };
  }

  private read(start: number, end: number, onEvent: (event: TraceEvent) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let count = 0;
      const decoder = new EventDecoder((event) => {
        count++;
        onEvent(event);
      });
      const stream = createReadStream(this.path, { start, end: end - 1, highWaterMark: 1 << 20 });
      stream.on('data', (chunk) => decoder.push(chunk as Buffer));
      stream.on('end', () => {
        decoder.end();
        resolve(count);
      });
      stream.on('error', reject);
    });
  }

  private scan(): Promise<void> {
    const live: LiveState = { loops: new Map(), tasks: new Map(), timers: new Map(), jobs: new Map() };
    let offset = 0;
    let sinceCheckpoint = Infinity;
    // The first window is read as the pass goes: up to the third checkpoint (two spacings of events).
    let reading = true;
    const first = this.first!;
    const decoder = new EventDecoder((event) => {
      this.events++;
      if (event.ev === 'tick') {
        if (sinceCheckpoint >= this.spacing) {
          this.checkpoints.push({ tick: this.ticks, offset, events: this.events - 1, seed: seedOf(live) });
          sinceCheckpoint = 0;
          if (this.checkpoints.length === 3) reading = false;
        }
        this.addTick(offset, event.loop, event.n, event.t);
      }
      sinceCheckpoint++;
      this.follow(live, event);
      if (reading && offset >= MAX_TRACE_BYTES) {
        reading = false;
        first.partial = true;
      }
      if (reading) {
        first.model.apply(event);
        first.events++;
      }
    });
    return new Promise((resolve, reject) => {
      let rest: Buffer | undefined;
      /** A line longer than MAX_LINE_BYTES is being skipped (the decoder would skip it too). */
      let skipping = false;
      const stream = createReadStream(this.path, { highWaterMark: 1 << 20 });
      stream.on('data', (data) => {
        const chunk = rest ? Buffer.concat([rest, data as Buffer]) : data as Buffer;
        // The whole lines of the chunk, decoded at once; a line's byte offset is its character offset
        // while the text is ASCII (a line's own byte length otherwise).
        const end = chunk.lastIndexOf(10) + 1;
        const text = chunk.toString('utf8', 0, end);
        const ascii = text.length === end;
        let lineStart = 0;
        let byte = this.bytes;
        for (;;) {
          const newline = text.indexOf('\n', lineStart);
          if (newline < 0) break;
          offset = byte;
          const line = text.slice(lineStart, newline + 1);
          if (skipping) skipping = false;
          else decoder.pushText(line);
          byte += ascii ? line.length : Buffer.byteLength(line);
          lineStart = newline + 1;
        }
        this.bytes += end;
        rest = end < chunk.length ? chunk.subarray(end) : undefined;
        if (rest && rest.length > MAX_LINE_BYTES) {
          this.bytes += rest.length;
          rest = undefined;
          skipping = true;
          decoder.stats.malformed++;
        }
        if (decoder.fatal) stream.destroy();
      });
      const finish = () => {
        if (rest && !skipping && !decoder.fatal) {
          offset = this.bytes;
          decoder.pushText(rest.toString('utf8'));
          this.bytes += rest.length;
        }
        decoder.end();
        this.stats = decoder.stats;
        this.fatal = decoder.fatal;
        this.start = live.start;
        if (this.checkpoints.length === 0) this.checkpoints.push({ tick: 0, offset: 0, events: 0, seed: [] });
        first.endTick = first.model.ticks.length;
        resolve();
      };
      stream.on('end', finish);
      stream.on('close', () => { if (decoder.fatal) finish(); });
      stream.on('error', reject);
    });
  }

  private addTick(offset: number, loop: number, n: number, t: number): void {
    if (this.ticks === this.offsets.length) {
      const grow = <T extends Float64Array | Int32Array>(old: T): T => {
        const next = new (old.constructor as new (n: number) => T)(old.length * 2);
        next.set(old);
        return next;
      };
      this.offsets = grow(this.offsets);
      this.loopOf = grow(this.loopOf);
      this.nOf = grow(this.nOf);
      this.timeOf = grow(this.timeOf);
    }
    this.offsets[this.ticks] = offset;
    this.loopOf[this.ticks] = loop;
    this.nOf[this.ticks] = n;
    this.timeOf[this.ticks] = t;
    this.ticks++;
  }

  /** Keeps what a checkpoint needs: steps spelled out as the model reads them (protocol 2 leaves out what carries over). */
  private follow(live: LiveState, event: TraceEvent): void {
    switch (event.ev) {
      case 'start': live.start = event; break;
      case 'end': this.end = event; break;
      case 'loop': live.loops.set(event.loop, event); break;
      case 'task': live.tasks.set(event.task, { task: event }); break;
      case 'step': {
        const entry = live.tasks.get(event.task);
        if (!entry) break;
        const previous = entry.step;
        const carry = (live.start?.protocol ?? 1) >= 2;
        const carryFrom = carry && event.from === undefined;
        entry.step = {
          ev: 'step', task: event.task, t: event.t, dur: event.dur, to: event.to ?? null,
          from: carryFrom ? previous?.to ?? null : event.from ?? null,
          fromFile: carryFrom ? previous?.file : event.fromFile,
          file: event.file,
          stack: event.stack ?? previous?.stack,
          reason: event.reason === undefined && carry ? previous?.reason ?? null : event.reason ?? null,
        };
        break;
      }
      case 'done': live.tasks.delete(event.task); break;
      case 'timer': live.timers.set(event.timer, event); break;
      case 'timer_cancel': live.timers.delete(event.timer); break;
      case 'tick':
        for (const entry of event.ready) if (typeof entry === 'object' && entry.timer !== undefined) live.timers.delete(entry.timer);
        break;
      case 'job': live.jobs.set(event.job, { job: event }); break;
      case 'job_start': {
        const job = live.jobs.get(event.job);
        if (job) job.start = event;
        break;
      }
      case 'job_end': live.jobs.delete(event.job); break;
      default:
    }
  }
}

function seedOf(live: LiveState): TraceEvent[] {
  const seed: TraceEvent[] = [];
  if (live.start) seed.push(live.start);
  seed.push(...live.loops.values());
  for (const { task } of live.tasks.values()) seed.push(task);
  for (const { step } of live.tasks.values()) if (step) seed.push(step);
  seed.push(...live.timers.values());
  for (const { job, start } of live.jobs.values()) {
    seed.push(job);
    if (start) seed.push(start);
  }
  return seed;
}
