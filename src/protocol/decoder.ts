// Streaming JSON-lines decoder for the tracer's event stream. Takes bytes in any chunking, never
// throws on bad input: malformed lines are counted, unknown kinds skipped, a newer major protocol
// version stops decoding with a message.
import { EVENT_KINDS, INDEXED_FIELDS, PROTOCOL_MAJOR, type EventKind, type TraceEvent } from './events';

/** Lines longer than this are counted as malformed and skipped without being buffered whole. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

// Most lines of a big trace are protocol 2 steps that only moved a task on, written by the tracer
// in one of two forms (with protocol 2.1's q and by, or without them):
//   {"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"q":5,"by":{"kind":"yield","n":3,"q":5},"to":12}
//   {"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"to":12}
// plainStep reads exactly those, in place in the decoded text, several times as fast as slicing the
// line and JSON.parse; it gives the same event (the same keys in the same order, the same numbers).
// Any other line, or any variation of one, goes to JSON.parse.
const STEP_HEAD = '{"ev":"step","task":';
const YIELD_BY = ',"by":{"kind":"yield","n":';
/** 10^0 ... 10^22: each exactly a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** The scanner's position in the text, moved by the functions below. */
let at = 0;

function skip(text: string, literal: string): boolean {
  if (!text.startsWith(literal, at)) return false;
  at += literal.length;
  return true;
}

/** The power of ten that divides what decimal() returned last. */
let scale = 1;

/**
 * A JSON number without an exponent and with at most 15 digits: its digits as a signed integer
 * (NaN when it is not such a number), to divide by `scale`. Both are exact, so the one division
 * rounds correctly, as JSON.parse does. The division is the caller's: a double returned from a call
 * is boxed, an allocation per number, where most digits come back as small integers.
 */
function decimal(text: string): number {
  const negative = text.charCodeAt(at) === 0x2d;
  if (negative) at++;
  const first = at;
  let digits = 0;
  let fraction = -1;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c >= 0x30 && c <= 0x39) digits = digits * 10 + (c - 0x30);
    else if (c === 0x2e && fraction < 0 && at > first) fraction = at;
    else break;
    at++;
  }
  const end = at;
  const count = end - first - (fraction < 0 ? 0 : 1);
  const c = text.charCodeAt(end);
  if (count === 0 || count > 15 || fraction === end - 1 || c === 0x65 || c === 0x45
    || (text.charCodeAt(first) === 0x30 && end > first + 1 && fraction !== first + 1)) return NaN;
  scale = fraction < 0 ? 1 : POWERS_OF_TEN[end - fraction - 1];
  return negative ? -digits : digits;
}

/** A JSON number that is a non-negative integer of at most 15 digits; -1 otherwise. */
function integer(text: string): number {
  const first = at;
  let value = 0;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
    at++;
  }
  const count = at - first;
  const c = text.charCodeAt(at);
  if (count === 0 || count > 15 || c === 0x2e || c === 0x65 || c === 0x45 || (count > 1 && text.charCodeAt(first) === 0x30)) return -1;
  return value;
}

function plainStep(text: string, start: number, end: number): Record<string, unknown> | undefined {
  at = start;
  if (!skip(text, STEP_HEAD)) return undefined;
  const task = integer(text);
  if (!skip(text, ',"t":')) return undefined;
  const t = decimal(text) / scale;
  if (!skip(text, ',"dur":')) return undefined;
  const dur = decimal(text) / scale;
  let q = 0;
  let n = 0;
  let byQ = 0;
  const woken = skip(text, ',"q":');
  if (woken) {
    q = integer(text);
    if (!skip(text, YIELD_BY)) return undefined;
    n = integer(text);
    if (!skip(text, ',"q":')) return undefined;
    byQ = integer(text);
    if (!skip(text, '}')) return undefined;
  }
  if (!skip(text, ',"to":')) return undefined;
  const to = skip(text, 'null') ? null : integer(text);
  if (at !== end - 1 || text.charCodeAt(at) !== 0x7d) return undefined;
  // NaN and -1 mark a number that was not one of the above: JSON.parse reads (or rejects) that line.
  if (Number.isNaN(t + dur) || task < 0 || to === -1 || q < 0 || n < 0 || byQ < 0) return undefined;
  return woken ? { ev: 'step', task, t, dur, q, by: { kind: 'yield', n, q: byQ }, to } : { ev: 'step', task, t, dur, to };
}

/** The fields a reader indexes by are there, with their JSON types (schema.json's `x-index`). */
function hasIndexedFields(event: Record<string, unknown>): boolean {
  const fields = INDEXED_FIELDS[event.ev as EventKind];
  for (const name in fields) {
    const value = event[name];
    const want = fields[name];
    if (want === 'n' ? typeof value !== 'number' || !Number.isFinite(value)
      : want === 'o' ? typeof value !== 'object' || value === null
        : want === 's' ? typeof value !== 'string' : typeof value !== 'boolean') return false;
  }
  return true;
}

export interface DecoderStats {
  events: number;
  malformed: number;
  unknown: number;
  /** The first malformed line (shortened), to say what was wrong. */
  firstMalformed?: string;
}

export class EventDecoder {
  readonly stats: DecoderStats = { events: 0, malformed: 0, unknown: 0 };
  /** Set when the stream announced a protocol this viewer cannot read; decoding stops. */
  fatal?: string;
  // Never given { stream: true }: that turns off the decoder's fast path for good (several times
  // slower). Bytes are decoded a run of whole lines at a time instead, so no character is cut.
  // ignoreBOM: a byte order mark is dropped only at the start of the stream (as a streaming
  // decoder does), not at the start of every run.
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  private atStart = true;
  /** The bytes after the last newline so far: the start of a line still coming. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private partial = '';
  private skippingLongLine = false;

  constructor(private readonly onEvent: (event: TraceEvent) => void) {}

  push(chunk: Uint8Array): void {
    if (this.fatal) return;
    const lastNewline = chunk.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      this.keep(chunk);
      return;
    }
    // The line that ends in this chunk is decoded on its own, so the rest is decoded in place.
    let from = 0;
    if (this.pendingBytes > 0) {
      from = chunk.indexOf(0x0a) + 1;
      this.pushText(this.decode(this.takePending(chunk.subarray(0, from))));
      if (this.fatal) return;
    }
    if (from <= lastNewline) this.pushText(this.decode(chunk.subarray(from, lastNewline + 1)));
    if (lastNewline + 1 < chunk.length) this.keep(chunk.subarray(lastNewline + 1));
  }

  /** Flush a final line without a newline (end of stream). */
  end(): void {
    if (this.fatal) return;
    if (this.pendingBytes > 0) this.pushText(this.decode(this.takePending()));
    if (this.partial.length > 0 && !this.skippingLongLine) this.line(this.partial, 0, this.partial.length);
    this.partial = '';
    this.skippingLongLine = false;
  }

  private decode(bytes: Uint8Array): string {
    const text = this.utf8.decode(bytes);
    if (!this.atStart || bytes.length === 0) return text;
    this.atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** Holds bytes of an unfinished line; one longer than MAX_LINE_BYTES is skipped instead (see pushText). */
  private keep(bytes: Uint8Array): void {
    if (this.skippingLongLine) return;
    // A copy (a Buffer's slice would not be one): the caller may reuse its buffer.
    this.pending.push(Uint8Array.prototype.slice.call(bytes));
    this.pendingBytes += bytes.length;
    if (this.pendingBytes + this.partial.length > MAX_LINE_BYTES) {
      // Four bytes at most per character: enough for the 80 the message shows.
      const start = new Uint8Array(Math.min(320, this.pendingBytes));
      let at = 0;
      for (const part of this.pending) {
        if (at === start.length) break;
        const piece = part.subarray(0, start.length - at);
        start.set(piece, at);
        at += piece.length;
      }
      this.pending = [];
      this.pendingBytes = 0;
      this.malformed((this.partial + this.decode(start)).slice(0, 80));
      this.partial = '';
      this.skippingLongLine = true;
    }
  }

  /** The pending bytes, followed by `more`, in one array; nothing is pending after. */
  private takePending(more?: Uint8Array): Uint8Array {
    const parts = more ? [...this.pending, more] : this.pending;
    const whole = new Uint8Array(this.pendingBytes + (more?.length ?? 0));
    let at = 0;
    for (const part of parts) {
      whole.set(part, at);
      at += part.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    return whole;
  }

  pushText(text: string): void {
    // Bytes of an unfinished line given to push come before this text.
    if (this.pendingBytes > 0) this.partial += this.decode(this.takePending());
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      const lineStart = start;
      start = newline + 1;
      if (this.skippingLongLine) {
        this.skippingLongLine = false;
        this.partial = '';
        continue;
      }
      if (this.partial.length > 0) {
        const whole = this.partial + text.slice(lineStart, newline);
        this.partial = '';
        this.line(whole, 0, whole.length);
      } else this.line(text, lineStart, newline);
      if (this.fatal) return;
    }
    if (start < text.length && !this.skippingLongLine) {
      this.partial += text.slice(start);
      // UTF-16 length is at most the byte length, so this bound errs towards keeping the line.
      if (this.partial.length > MAX_LINE_BYTES) {
        this.malformed(this.partial.slice(0, 80));
        this.partial = '';
        this.skippingLongLine = true;
      }
    }
  }

  /** The line text[start, end), read in place when it is a plain step (an event that passes every check below). */
  private line(text: string, start: number, end: number): void {
    const step = plainStep(text, start, end);
    if (step) {
      this.stats.events++;
      this.onEvent(step as unknown as TraceEvent);
    } else this.parse(text.slice(start, end));
  }

  private parse(line: string): void {
    if (line.length === 0 || line === '\r') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.malformed(line);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.malformed(line);
      return;
    }
    const event = value as Record<string, unknown>;
    if (typeof event.ev !== 'string') {
      this.malformed(line);
      return;
    }
    if (!EVENT_KINDS.has(event.ev)) {
      this.stats.unknown++;
      return;
    }
    if (!hasIndexedFields(event)) {
      this.malformed(line);
      return;
    }
    if (event.ev === 'start' && (event.protocol as number) > PROTOCOL_MAJOR) {
      this.fatal = `This trace uses protocol version ${event.protocol}, newer than this Loopscope `
        + `understands (${PROTOCOL_MAJOR}). Update Loopscope to read it.`;
      return;
    }
    this.stats.events++;
    this.onEvent(event as unknown as TraceEvent);
  }

  private malformed(line: string): void {
    this.stats.malformed++;
    if (this.stats.firstMalformed === undefined) {
      this.stats.firstMalformed = line.length > 80 ? `${line.slice(0, 80)}…` : line;
    }
  }
}
