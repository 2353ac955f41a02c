// Reading a saved trace (.jsonl) through the streaming decoder, with caps on events and on bytes so
// a huge or hostile file gives a bounded partial view instead of exhausting memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { EventDecoder, type DecoderStats } from '../protocol/decoder';
import type { TraceEvent } from '../protocol/events';

/**
 * Opening a trace stops after this many events and says the view is partial. Measured on a 1.1 GB
 * trace: 5,000,000 events took the extension host past 8 GB and the panel minutes to ingest;
 * 1,000,000 events open in about 10 s, the host peaking near 2 GB while it hands them to the panel.
 */
export const MAX_TRACE_EVENTS = 1_000_000;
/** ...and after this many bytes, which bounds memory when the events are few but huge. */
export const MAX_TRACE_BYTES = 500_000_000;

export interface TraceFileResult {
  stats: DecoderStats;
  /** Events handed to `onEvent`. */
  events: number;
  /** Bytes of the file read. */
  bytes: number;
  /** Stopped at `maxEvents` or `maxBytes`; the rest of the file was not delivered. */
  partial: boolean;
  /** The decoder refused the file (e.g. a newer protocol). */
  fatal?: string;
}

export function readTraceFile(path: string, onEvent: (event: TraceEvent) => void,
  maxEvents = MAX_TRACE_EVENTS, maxBytes = MAX_TRACE_BYTES): Promise<TraceFileResult> {
  return new Promise((resolve, reject) => {
    let delivered = 0;
    let bytes = 0;
    let more = false;
    const decoder = new EventDecoder((event) => {
      if (delivered < maxEvents) {
        delivered++;
        onEvent(event);
      } else more = true;
    });
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    const finish = () => resolve({ stats: decoder.stats, events: delivered, bytes, partial: more, fatal: decoder.fatal });
    stream.on('data', (data) => {
      let chunk = data as Buffer;
      if (bytes + chunk.length > maxBytes) {
        chunk = chunk.subarray(0, maxBytes - bytes);
        more = true;
      }
      bytes += chunk.length;
      decoder.push(chunk);
      if (more || decoder.fatal) {
        stream.destroy();
        finish();
      }
    });
    stream.on('end', () => {
      decoder.end();
      finish();
    });
    stream.on('error', reject);
  });
}

/** For the user, after a partial read: what is shown, and why. */
export function partialMessage(read: TraceFileResult): string {
  const number = (n: number) => n.toLocaleString('en-US');
  return `only the first ${number(read.events)} events (${number(Math.round(read.bytes / 1e6))} MB) are shown: `
    + `Loopscope reads at most ${number(MAX_TRACE_EVENTS)} events or ${number(MAX_TRACE_BYTES / 1e6)} MB of a trace`;
}

export function writeTraceFile(path: string, events: readonly TraceEvent[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    for (const event of events) out.write(`${JSON.stringify(event)}\n`);
    out.end(resolve);
  });
}
