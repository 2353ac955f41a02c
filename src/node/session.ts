// A session runs one scenario under the tracer: spawns Python with the event descriptor (fd 3) and
// the control descriptor (fd 4), streams events into a TraceModel (and, when asked, the stream as it
// came into a file), drives pause/step/continue/stop, kills the whole process group if the program
// outlives its wall-clock limit, and on stop or dispose.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { EventDecoder } from '../protocol/decoder';
import type { ClockMode, ControlCommand, EndEvent, LimitKind, Outcome, TraceEvent } from '../protocol/events';
import { TraceModel } from '../core/model';

/** Where the Python package lives, relative to the bundled dist/*.js files. */
export const TRACER_PATH = join(__dirname, '..', 'src', 'tracer');

/**
 * The tracer stops the program itself at the wall-clock limit; the process group is killed if it
 * is still there this many seconds later.
 */
export const KILL_GRACE_SECONDS = 5;

export interface TraceLimits {
  ticks?: number;
  virtualSeconds?: number;
  wallSeconds?: number;
  events?: number;
}

export interface SessionOptions {
  python: string;
  scenario: string;
  args?: string[];
  cwd: string;
  clock?: ClockMode;
  limits?: TraceLimits;
  blockingMs?: number;
  /**
   * Wall-clock seconds after which the process group is killed whatever it is doing (default: the
   * wall-clock limit plus KILL_GRACE_SECONDS; none without either).
   */
  timeoutSeconds?: number;
  pauseAtStart?: boolean;
  /** Standard input: closed (the default: the program reads end of file) or a pipe for writeInput(). */
  input?: 'closed' | 'pipe';
  tracerPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface SessionResult {
  outcome: Outcome;
  limit: LimitKind | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end event, when the tracer lived to write it. */
  end?: EndEvent;
  /** A sentence for the user when something went wrong outside the program. */
  message?: string;
}

type Listener<T> = (value: T) => void;

export class Session {
  readonly model = new TraceModel();
  readonly decoder: EventDecoder;
  readonly done: Promise<SessionResult>;
  private child?: ChildProcess;
  private finished = false;
  private timedOut = false;
  private stopRequested = false;
  private timeout?: NodeJS.Timeout;
  private recording?: WriteStream;
  private recordingClosed: Promise<void> = Promise.resolve();
  private readonly eventListeners: Listener<TraceEvent>[] = [];
  private readonly outputListeners: Listener<{ stream: 'stdout' | 'stderr'; data: Buffer }>[] = [];
  private resolveDone!: (result: SessionResult) => void;

  constructor(readonly options: SessionOptions) {
    this.decoder = new EventDecoder((event) => {
      this.model.apply(event);
      for (const listener of this.eventListeners) listener(event);
    });
    this.done = new Promise((resolve) => { this.resolveDone = resolve; });
  }

  onEvent(listener: Listener<TraceEvent>): void { this.eventListeners.push(listener); }
  onOutput(listener: Listener<{ stream: 'stdout' | 'stderr'; data: Buffer }>): void {
    this.outputListeners.push(listener);
  }

  /** Writes the event stream, byte for byte as the tracer wrote it, to `path`. Call before start(). */
  recordTo(path: string): void {
    const recording = createWriteStream(path);
    this.recording = recording;
    this.recordingClosed = new Promise((resolve) => {
      recording.on('close', () => resolve());
      recording.on('error', () => resolve());
    });
  }

  /** Resolves once the session ended and its recording (recordTo) is complete on disk. */
  async recorded(): Promise<void> {
    await this.done;
    await this.recordingClosed;
  }

  /** Resolves once everything received so far is in the recording (the session may go on). */
  recordedSoFar(): Promise<void> {
    const recording = this.recording;
    if (!recording || recording.writableEnded) return this.recordingClosed;
    return new Promise((resolve) => recording.write('', () => resolve()));
  }

  /** The kill backstop in seconds: the given timeout, else the wall-clock limit and a grace period. */
  get timeoutSeconds(): number | undefined {
    const wall = this.options.limits?.wallSeconds;
    return this.options.timeoutSeconds ?? (wall !== undefined ? wall + KILL_GRACE_SECONDS : undefined);
  }

  get pid(): number | undefined { return this.child?.pid; }
  get running(): boolean { return this.child !== undefined && !this.finished; }

  start(): this {
    const o = this.options;
    // The program's own interpreter flags and stdio encodings: no -X utf8, no PYTHONIOENCODING
    // (the tracer writes its events as UTF-8 JSON by itself).
    const args = ['-m', 'loopscope_tracer', '--events-fd', '3', '--control-fd', '4',
      '--clock', o.clock ?? 'virtual'];
    if (o.pauseAtStart) args.push('--pause-at-start');
    if (o.blockingMs !== undefined) args.push('--blocking-ms', String(o.blockingMs));
    const limits = o.limits ?? {};
    if (limits.ticks !== undefined) args.push('--max-ticks', String(limits.ticks));
    if (limits.virtualSeconds !== undefined) args.push('--max-virtual-seconds', String(limits.virtualSeconds));
    if (limits.wallSeconds !== undefined) args.push('--max-wall-seconds', String(limits.wallSeconds));
    if (limits.events !== undefined) args.push('--max-events', String(limits.events));
    args.push('--', o.scenario, ...(o.args ?? []));

    const tracerPath = o.tracerPath ?? TRACER_PATH;
    const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), PYTHONUNBUFFERED: '1' };
    env.PYTHONPATH = env.PYTHONPATH ? `${tracerPath}${process.platform === 'win32' ? ';' : ':'}${env.PYTHONPATH}` : tracerPath;

    const child = spawn(o.python, args, {
      cwd: o.cwd, env, stdio: [o.input === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so stop() can kill everything the program started.
      detached: process.platform !== 'win32',
    });
    this.child = child;
    child.stdout!.on('data', (data: Buffer) => this.emitOutput('stdout', data));
    child.stderr!.on('data', (data: Buffer) => this.emitOutput('stderr', data));
    const events = child.stdio[3] as NodeJS.ReadableStream;
    events.on('data', (data: Buffer) => {
      this.recording?.write(data);
      this.decoder.push(data);
    });
    events.on('error', () => undefined);
    const control = child.stdio[4] as NodeJS.WritableStream;
    control.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    child.on('error', (error) => { spawnError = error; });
    // 'close' waits for every stdio stream to end, so no event is lost after 'exit'.
    child.on('exit', (code, signal) => { exit = { code, signal }; this.killGroup(); });
    child.on('close', (code, signal) => this.finish(exit ?? { code, signal }, spawnError));

    const timeout = this.timeoutSeconds;
    if (timeout !== undefined && timeout > 0) {
      this.timeout = setTimeout(() => {
        this.timedOut = true;
        this.killGroup();
      }, timeout * 1000);
    }
    return this;
  }

  private emitOutput(stream: 'stdout' | 'stderr', data: Buffer): void {
    for (const listener of this.outputListeners) listener({ stream, data });
  }

  send(command: ControlCommand): void {
    const control = this.child?.stdio[4] as NodeJS.WritableStream | undefined;
    if (this.running && control && (control as { writable?: boolean }).writable !== false) control.write(`${command}\n`);
  }

  /** Text for the program's standard input (with `input: 'pipe'`). */
  writeInput(text: string): void {
    if (this.running && this.child?.stdin?.writable) this.child.stdin.write(text);
  }

  /** Ends the program's standard input: its next read gets end of file. */
  endInput(): void {
    this.child?.stdin?.end();
  }

  pause(): void { this.send('pause'); }
  step(ticks = 1): void { this.send(`step ${Math.max(1, Math.floor(ticks))}`); }
  continue(): void { this.send('continue'); }

  /** Asks the tracer to stop cleanly, and kills the process group if it has not gone within a second. */
  stop(): Promise<SessionResult> {
    if (this.running) {
      this.stopRequested = true;
      this.send('stop');
      const killer = setTimeout(() => this.killGroup(), 1000);
      void this.done.then(() => clearTimeout(killer));
    }
    return this.done;
  }

  /** Kills at once; safe to call any number of times. */
  dispose(): void {
    this.stopRequested = this.stopRequested || this.running;
    this.killGroup();
  }

  private killGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child!.kill('SIGKILL');
      else process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  private finish(exit: { code: number | null; signal: NodeJS.Signals | null }, spawnError?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timeout) clearTimeout(this.timeout);
    this.decoder.end();
    this.recording?.end();
    const end = this.model.end;
    const result: SessionResult = {
      outcome: end?.outcome ?? 'crashed', limit: end?.limit ?? null, exitCode: exit.code, signal: exit.signal, end,
    };
    if (spawnError) {
      result.outcome = 'not-runnable';
      result.message = `Could not start ${this.options.python}: ${spawnError.message}`;
    } else if (this.decoder.fatal) {
      result.message = this.decoder.fatal;
    } else if (!end && this.timedOut) {
      result.outcome = 'limit';
      result.limit = 'wall-seconds';
      result.message = `Stopped after the ${this.timeoutSeconds} s timeout.`;
    } else if (!end && this.stopRequested) {
      result.outcome = 'stopped';
    } else if (!end) {
      result.message = exit.signal
        ? `The program was killed by ${exit.signal}; everything recorded up to then is kept.`
        : `The program ended (exit code ${exit.code}) without the tracer's final event; everything recorded up to then is kept.`;
    }
    this.resolveDone(result);
  }
}
