// A saved trace too big for one model (10,000,000 events), opened as Open Trace opens it: through an
// index of the file (src/node/traceIndex.ts), then the first window read into a model. Measures the
// open, the memory after it, steps inside the window as the panel's host serves them (the cursor
// tick's moment: state, narration, side lists), and a step past the window's end (the next window
// read from the file). Run with --expose-gc. Prints one JSON object.
import { PanelServer, type PanelSource } from '../src/core/panelServer';
import { TraceIndex, type TraceWindow } from '../src/node/traceIndex';

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

async function main(path: string, steps: number): Promise<void> {
  const started = process.hrtime.bigint();
  const index = await TraceIndex.build(path);
  const indexMs = ms(started);
  let window: TraceWindow = await index.window(0);
  const openMs = ms(started);
  global.gc?.();
  const memory = process.memoryUsage();

  // Steps inside the window: what the host does for the panel on each Step Tick Forward.
  const source = {
    cursor: 0,
    get model() { return window.model; },
    info: { scenario: index.start?.scenario ?? '', python: '', clock: 'virtual', mode: 'record', replay: true, showInternal: false },
    status: () => ({ running: false, paused: false }),
    window: { firstTick: 0, ticks: index.ticks, loopTicks: (loop: number) => index.loopTicks(loop) },
  } satisfies PanelSource & { cursor: number };
  const server = new PanelServer(() => undefined);
  server.show(source);
  const times: number[] = [];
  for (let i = 1; i <= Math.min(steps, window.model.ticks.length - 1); i++) {
    const t0 = process.hrtime.bigint();
    source.cursor = i;
    server.update();
    times.push(ms(t0));
  }
  times.sort((a, b) => a - b);

  // A step past the end of the window: the next one is read from the file.
  const t0 = process.hrtime.bigint();
  window = await index.window(window.endTick);
  const nextWindowMs = ms(t0);

  console.log(JSON.stringify({
    events: index.events, ticks: index.ticks, bytes: index.bytes, checkpoints: index.checkpoints.length,
    indexMs, openMs, heapMB: memory.heapUsed / 1e6, rssMB: memory.rss / 1e6,
    windowEvents: window.events, stepP50Ms: times[Math.floor(times.length / 2)], stepP95Ms: times[Math.floor(times.length * 0.95)],
    nextWindowMs,
  }));
}

main(process.argv[2], Number(process.argv[3] ?? 40)).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
