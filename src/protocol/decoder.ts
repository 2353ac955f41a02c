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

/**
 * A JSON number without an exponent and with at most 15 digits (NaN otherwise). Its digits as an
 * integer are exact, and so is the power of ten that scales them: the one division rounds
 * correctly, as JSON.parse does.
 */
function number(text: string): number {
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
  const value = fraction < 0 ? digits : digits / POWERS_OF_TEN[end - fraction - 1];
  return negative ? -value : value;
}

function plainStep(text: string, start: number, end: number): Record<string, unknown> | undefined {
  at = start;
  if (!skip(text, STEP_HEAD)) return undefined;
  const task = number(text);
  if (!skip(text, ',"t":')) return undefined;
  const t = number(text);
  if (!skip(text, ',"dur":')) return undefined;
  const dur = number(text);
  let q = NaN;
  let n = NaN;
  let byQ = NaN;
  const woken = skip(text, ',"q":');
  if (woken) {
    q = number(text);
    if (!skip(text, YIELD_BY)) return undefined;
    n = number(text);
    if (!skip(text, ',"q":')) return undefined;
    byQ = number(text);
    if (!skip(text, '}')) return undefined;
  }
  if (!skip(text, ',"to":')) return undefined;
  const to = skip(text, 'null') ? null : number(text);
  if (at !== end - 1 || text.charCodeAt(at) !== 0x7d) return undefined;
  // NaN marks a number that was not one of the above: JSON.parse reads (or rejects) that line.
  if (Number.isNaN(task + t + dur + (to ?? 0)) || (woken && Number.isNaN(q + n + byQ))) return undefined;
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
  private readonly text = new TextDecoder('utf-8');
  private partial = '';
  private skippingLongLine = false;

  constructor(private readonly onEvent: (event: TraceEvent) => void) {}

  push(chunk: Uint8Array): void {
    if (this.fatal) return;
    this.pushText(this.text.decode(chunk, { stream: true }));
  }

  /** Flush a final line without a newline (end of stream). */
  end(): void {
    if (this.fatal) return;
    this.pushText(this.text.decode());
    if (this.partial.length > 0 && !this.skippingLongLine) this.line(this.partial, 0, this.partial.length);
    this.partial = '';
    this.skippingLongLine = false;
  }

  pushText(text: string): void {
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
