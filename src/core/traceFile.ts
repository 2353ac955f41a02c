// Reading a saved trace (.jsonl) through the streaming decoder, with a cap on events so a huge or
// hostile file gives a bounded partial view instead of exhausting memory.
import { createReadStream, createWriteStream } from 'node:fs';
import { EventDecoder, type DecoderStats } from '../protocol/decoder';
import type { TraceEvent } from '../protocol/events';

export interface TraceFileResult {
  stats: DecoderStats;
  /** Stopped at `maxEvents`; the rest of the file was not read. */
  partial: boolean;
  /** The decoder refused the file (e.g. a newer protocol). */
  fatal?: string;
}

export function readTraceFile(path: string, onEvent: (event: TraceEvent) => void,
  maxEvents = Number.POSITIVE_INFINITY): Promise<TraceFileResult> {
  return new Promise((resolve, reject) => {
    const decoder = new EventDecoder(onEvent);
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    const finish = (partial: boolean) => resolve({ stats: decoder.stats, partial, fatal: decoder.fatal });
    stream.on('data', (chunk) => {
      decoder.push(chunk as Buffer);
      if (decoder.stats.events >= maxEvents || decoder.fatal) {
        stream.destroy();
        finish(!decoder.fatal);
      }
    });
    stream.on('end', () => {
      decoder.end();
      finish(false);
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
