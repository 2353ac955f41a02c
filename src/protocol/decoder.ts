// Streaming JSON-lines decoder for the tracer's event stream. Takes bytes in any chunking, never
// throws on bad input: malformed lines are counted, unknown kinds skipped, a newer major protocol
// version stops decoding with a message.
import { EVENT_KINDS, INDEXED_FIELDS, PROTOCOL_MAJOR, type EventKind, type TraceEvent } from './events';

/** Lines longer than this are counted as malformed and skipped without being buffered whole. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

// Most lines of a big trace are protocol 2 steps that only moved a task on, such as
// {"ev":"step","task":7,"t":0.001234,"dur":0.0000031,"to":12}. This pattern reads exactly those
// (JSON numbers, in the order the tracer writes them) about twice as fast as JSON.parse, giving
// the same event; any other line, or any variation of one, goes to JSON.parse.
const NUMBER = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?';
const PLAIN_STEP = new RegExp(`^\\{"ev":"step","task":(${NUMBER}),"t":(${NUMBER}),"dur":(${NUMBER}),"to":(${NUMBER}|null)\\}$`);

function plainStep(line: string): Record<string, unknown> | undefined {
  // A line ending in "}}" holds an object (a protocol 1 step's reason): not worth the pattern.
  if (line.charCodeAt(line.length - 2) === 0x7d) return undefined;
  const m = PLAIN_STEP.exec(line);
  return m ? { ev: 'step', task: Number(m[1]), t: Number(m[2]), dur: Number(m[3]), to: m[4] === 'null' ? null : Number(m[4]) } : undefined;
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
    if (this.partial.length > 0 && !this.skippingLongLine) this.line(this.partial);
    this.partial = '';
    this.skippingLongLine = false;
  }

  pushText(text: string): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      const piece = text.slice(start, newline);
      start = newline + 1;
      if (this.skippingLongLine) {
        this.skippingLongLine = false;
        this.partial = '';
        continue;
      }
      const whole = this.partial.length > 0 ? this.partial + piece : piece;
      this.partial = '';
      this.line(whole);
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

  private line(line: string): void {
    if (line.length === 0 || line === '\r') return;
    let value: unknown = plainStep(line);
    if (value === undefined) {
      try {
        value = JSON.parse(line);
      } catch {
        this.malformed(line);
        return;
      }
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
