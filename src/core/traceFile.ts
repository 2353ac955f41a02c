// Reading a saved trace (.jsonl) through the streaming decoder, with a cap on events so a huge or
// hostile file gives a bounded partial view instead of exhausting memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { EventDecoder, type DecoderStats } from '../protocol/decoder';
import type { TraceEvent } from '../protocol/events';

/** Opening a trace stops after this many events and says the view is partial. */
export const MAX_TRACE_EVENTS = 5_000_000;

export interface TraceFileResult {
  stats: DecoderStats;
  /** Stopped at `maxEvents`; the events after it were not delivered. */
  partial: boolean;
  /** The decoder refused the file (e.g. a newer protocol). */
  fatal?: string;
}

export function readTraceFile(path: string, onEvent: (event: TraceEvent) => void,
  maxEvents = MAX_TRACE_EVENTS): Promise<TraceFileResult> {
  return new Promise((resolve, reject) => {
    let delivered = 0;
    let more = false;
    const decoder = new EventDecoder((event) => {
      if (delivered < maxEvents) {
        delivered++;
        onEvent(event);
      } else more = true;
    });
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    const finish = () => resolve({ stats: decoder.stats, partial: more, fatal: decoder.fatal });
    stream.on('data', (chunk) => {
      decoder.push(chunk as Buffer);
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

export function writeTraceFile(path: string, events: readonly TraceEvent[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('error', reject);
    for (const event of events) out.write(`${JSON.stringify(event)}\n`);
    out.end(resolve);
  });
}
