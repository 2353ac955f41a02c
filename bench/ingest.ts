// Ingest and query benchmark: streams a recorded trace through a pipe (a `cat` child process, as the
// tracer's descriptor would arrive) into the decoder and the model, then times state-before-tick
// queries at random ticks. A query includes reading every task's state, line, reason and since (as
// the editor decorations do): the model's snapshots read those from the task's step when asked.
// Prints one JSON object.
import { spawn } from 'node:child_process';
import { TraceModel } from '../src/core/model';
import { EventDecoder } from '../src/protocol/decoder';

async function main(path: string, queries: number): Promise<void> {
  // The model keeps some of its numbers in typed arrays, outside the heap: counted too.
  const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  global.gc?.();
  const heapBefore = memory();
  const model = new TraceModel();
  const decoder = new EventDecoder((event) => model.apply(event));
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cat exited ${code}`))));
  });
  decoder.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  global.gc?.();
  const heapMB = (memory() - heapBefore) / 1e6;
  const rssMB = process.memoryUsage().rss / 1e6;

  let seed = 12345;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const times: number[] = [];
  let read = 0;
  for (let i = 0; i < queries; i++) {
    const tick = random(model.ticks.length);
    const t0 = process.hrtime.bigint();
    for (const task of model.stateBefore(tick)!.tasks) {
      if (task.state !== 'new' && task.line !== null && task.reason !== undefined && task.since >= 0) read++;
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const percentile = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(JSON.stringify({
    protocol: model.start?.protocol, events: decoder.stats.events, malformed: decoder.stats.malformed, read, seconds, eventsPerSecond: decoder.stats.events / seconds,
    heapMB, rssMB, ticks: model.ticks.length, tasks: model.tasks.size,
    queryP50ms: percentile(0.5), queryP95ms: percentile(0.95), queryMaxMs: times[times.length - 1],
  }));
}

main(process.argv[2], Number(process.argv[3] ?? 2000)).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
