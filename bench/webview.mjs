#!/usr/bin/env node
// The panel on a big trace: the real bundle (dist/, build it first) in headless Chromium under the
// panel's CSP, served by the same PanelServer as the extension host, in this Node process
// (test/webview/harness.mjs): the host reads the trace and answers the panel's requests across the
// process boundary, as VS Code's extension host does. Run with --expose-gc. Prints ONE JSON line:
//
//   openMs            median (and all runs) from the start of reading the trace file to the end of
//                     the frame that shows it (lanes drawn, side views and header at the first tick):
//                     the first run on a fresh page, the others in the open panel.
//   hostHeapMB/RssMB  this process after the trace is open and a garbage collection: the heap (the
//                     model and the server) and the resident size (also playwright's client).
//   webviewHeapMB     the page's JavaScript heap after a garbage collection (CDP), with the trace on
//                     screen; webviewNodes its DOM nodes.
//   stepP50Ms/P95Ms   from the host moving its cursor (as Step Tick Forward does) to the end of the
//                     first frame painted after the panel drew that tick (header, side views, cursor
//                     bar): single steps with about 100 ticks on screen, then random jumps.
//   panZoomFrameP95Ms frame durations (deltas between animation frames) while real input (CDP) zooms
//                     with Ctrl+wheel, drags the lanes sideways and pans with Shift+wheel.
//
// "End of a frame" is taken in a task queued from a requestAnimationFrame callback, which runs after
// that frame's style, layout and paint. Timings are wall-clock: `load` gives the 1-minute load
// average before and after, as they depend on what else the machine runs.
//
//   node --expose-gc bench/webview.mjs --trace trace.jsonl [--runs 3] [--steps 40] [--width 1200] [--height 800]
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWebview } from '../test/webview/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (text) => process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------------------------------------
// In the page

/** Installed after each load: counts pending animation frames and offers frame-exact waits. */
export function installProbe() {
  const raf = window.requestAnimationFrame.bind(window);
  const caf = window.cancelAnimationFrame.bind(window);
  const pending = new Set();
  // Every animation frame the page asks for (ours are not counted): while one is pending, somebody
  // still has something to draw.
  window.requestAnimationFrame = (callback) => {
    const id = raf((time) => {
      pending.delete(id);
      callback(time);
    });
    pending.add(id);
    return id;
  };
  window.cancelAnimationFrame = (id) => {
    pending.delete(id);
    caf(id);
  };
  const sentinels = new Map();
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.type === '__bench') sentinels.get(data.id)?.();
  });
  let nextSentinel = 0;
  const probe = {
    /** The real requestAnimationFrame: the probe's own frames are not counted as pending. */
    raf,
    /** Resolves once the webview has handled every message posted before this one. */
    sentinel() {
      const id = nextSentinel++;
      const done = new Promise((resolve) => sentinels.set(id, resolve));
      window.postMessage({ type: '__bench', id }, '*');
      return done.then(() => sentinels.delete(id));
    },
    /** performance.now() after the style, layout and paint of the next frame. */
    afterFrame() {
      return new Promise((resolve) => raf(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now());
        channel.port2.postMessage(0);
      }));
    },
    /** The end of the first frame after which nothing is pending and `ready()` holds. */
    async settled(ready, timeoutMs = 60000) {
      const began = performance.now();
      for (;;) {
        const end = await probe.afterFrame();
        if (pending.size === 0 && ready()) return end;
        if (end - began > timeoutMs) throw new Error('the webview did not settle');
      }
    },
    app() { return window.__loopscope; },
  };
  window.__bench = probe;
}

/** Resolves at the end of the first frame after the panel drew tick `tick` and asked for nothing more. */
export async function drawnTick(tick) {
  const probe = window.__bench;
  return probe.settled(() => {
    const app = probe.app();
    const timeline = app.timeline;
    return app.debug.tick === tick && !app.pendingMoment && !timeline.inFlight && !timeline.answer && !timeline.stale && !timeline.settle
      && document.querySelector('.vis-item[data-lane]') !== null;
  });
}

/** Starts recording animation-frame times (and long animation frames, when the browser reports them). */
export function startFrames() {
  const probe = window.__bench;
  const record = { times: [], loaf: [], marks: [], running: true };
  probe.frames = record;
  const loop = () => {
    if (!record.running) return;
    record.times.push(performance.now());
    probe.raf(loop);
  };
  probe.raf(loop);
  try {
    record.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) record.loaf.push({ start: entry.startTime, duration: entry.duration, blocking: entry.blockingDuration });
    });
    record.observer.observe({ type: 'long-animation-frame' });
  } catch {
    // not supported
  }
}

export async function stopFrames() {
  const probe = window.__bench;
  const record = probe.frames;
  // Until the panel applied the answer it asks for once the gesture stopped.
  await probe.settled(() => { const t = probe.app().timeline; return !t.settle && !t.inFlight && !t.answer && !t.stale; });
  record.running = false;
  record.observer?.disconnect();
  const deltas = [];
  // Frame durations, and the phase (record.marks) each frame ended in.
  const phases = {};
  for (let i = 1; i < record.times.length; i++) {
    const delta = record.times[i] - record.times[i - 1];
    deltas.push(delta);
    const mark = record.marks.filter(([, at]) => at <= record.times[i]).pop();
    if (mark) (phases[mark[0]] ??= []).push(delta);
  }
  return { deltas, phases, loaf: record.loaf, span: record.times[record.times.length - 1] - record.times[0] };
}

// ---------------------------------------------------------------------------------------------
// In node

const quantile = (values, q) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const round1 = (x) => Math.round(x * 10) / 10;

async function main() {
  const args = { runs: 3, steps: 40, width: 1200, height: 800, trace: undefined };
  for (let i = 2; i < process.argv.length; i += 2) {
    const key = process.argv[i].replace(/^--/, '');
    args[key] = key === 'trace' ? resolve(process.argv[i + 1]) : Number(process.argv[i + 1]);
  }
  if (!args.trace) throw new Error('--trace trace.jsonl is needed');
  if (!global.gc) throw new Error('run with node --expose-gc');
  const loadBefore = loadavg()[0];
  const view = await openWebview({ theme: 'dark', width: args.width, height: args.height });
  const page = () => view.page;
  const host = view.host;
  try {
    await page().evaluate(installProbe);
    // 1. Open and first paint.
    const open = [];
    for (let run = 0; run < args.runs; run++) {
      const t0 = performance.now();
      await host.open(args.trace);
      const read = performance.now() - t0;
      await page().evaluate(drawnTick, 0);
      open.push({ ms: performance.now() - t0, read });
      log(`open ${run + 1}/${args.runs}: ${open[run].ms.toFixed(0)} ms (reading ${read.toFixed(0)} ms)`);
    }
    const ticks = host.model.ticks.length;

    // 2. Memory, with the trace open and on screen.
    global.gc();
    const memory = process.memoryUsage();
    const cdp = await page().context().newCDPSession(page());
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const nodes = metrics.find((m) => m.name === 'Nodes')?.value;
    log(`memory: host heap ${(memory.heapUsed / 1e6).toFixed(0)} MB, rss ${(memory.rss / 1e6).toFixed(0)} MB; webview heap ${(usedSize / 1e6).toFixed(1)} MB`);

    // 3. Steps: about 100 ticks on screen around the middle, single steps forward (from T+50 the
    // cursor reaches the edge every 10 steps or so and scrolls the window), then random jumps.
    const start = Math.floor(ticks / 2);
    host.setCursor(start);
    await page().evaluate(drawnTick, start);
    await page().evaluate((n) => window.__bench.app().timeline.zoom(Math.min(1, 100 / (n * 1.04))), ticks);
    await page().evaluate(drawnTick, start);
    let seed = 7;
    const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const targets = [
      ...Array.from({ length: args.steps }, (_, i) => Math.min(ticks - 1, start + 1 + i)),
      ...Array.from({ length: args.steps }, () => random(ticks)),
    ];
    const steps = [];
    for (const tick of targets) {
      // A step comes at any point of a frame: 0 to 16 ms after one ended.
      await page().evaluate(() => window.__bench.afterFrame());
      await new Promise((r) => setTimeout(r, random(16)));
      const t0 = performance.now();
      host.setCursor(tick);
      await page().evaluate(drawnTick, tick);
      steps.push(performance.now() - t0);
    }
    log(`steps: p50 ${quantile(steps, 0.5).toFixed(1)} p95 ${quantile(steps, 0.95).toFixed(1)} ms`);

    // 4. Pan and zoom with real input: back to the whole run, then Ctrl+wheel in, drag left and
    // right, Shift+wheel, Ctrl+wheel out.
    await page().focus('#timeline');
    await page().keyboard.press('f');
    await page().evaluate(() => window.__bench.settled(() => true));
    const box = await page().$eval('#timeline .vis-center', (node) => {
      const r = node.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    const cx = box.x + box.width / 2;
    const cy = box.y + Math.min(box.height / 2, 120);
    await page().mouse.move(cx, cy);
    await page().evaluate(startFrames);
    const phase = (name) => page().evaluate((label) => window.__bench.frames.marks.push([label, performance.now()]), name);
    await phase('zoomIn');
    await page().keyboard.down('Control');
    for (let i = 0; i < 20; i++) await page().mouse.wheel(0, -100);
    await page().keyboard.up('Control');
    await phase('drag');
    for (const direction of [-1, 1, -1]) {
      await page().mouse.down();
      for (let i = 1; i <= 40; i++) await page().mouse.move(cx + direction * i * 8, cy);
      await page().mouse.up();
      await page().mouse.move(cx, cy);
    }
    await phase('shiftWheel');
    await page().keyboard.down('Shift');
    for (let i = 0; i < 20; i++) await page().mouse.wheel(0, 100);
    await page().keyboard.up('Shift');
    await phase('zoomOut');
    await page().keyboard.down('Control');
    for (let i = 0; i < 20; i++) await page().mouse.wheel(0, 100);
    await page().keyboard.up('Control');
    const frames = await page().evaluate(stopFrames);
    log(`pan/zoom: ${frames.deltas.length} frames in ${frames.span.toFixed(0)} ms, p95 ${quantile(frames.deltas, 0.95).toFixed(1)} ms, `
      + `max ${Math.max(...frames.deltas).toFixed(1)} ms, long animation frames ${frames.loaf.length}`);

    if (view.errors.length) log(`page errors:\n  ${view.errors.slice(0, 5).join('\n  ')}`);
    const result = {
      openMs: round1(quantile(open.map((o) => o.ms), 0.5)),
      hostHeapMB: round1(memory.heapUsed / 1e6),
      hostRssMB: round1(memory.rss / 1e6),
      webviewHeapMB: round1(usedSize / 1e6),
      webviewNodes: nodes,
      stepP50Ms: round1(quantile(steps, 0.5)),
      stepP95Ms: round1(quantile(steps, 0.95)),
      panZoomFrameP95Ms: round1(quantile(frames.deltas, 0.95)),
      panZoomFrameP50Ms: round1(quantile(frames.deltas, 0.5)),
      samples: { open: open.length, steps: steps.length, frames: frames.deltas.length },
      load: [round1(loadBefore), round1(loadavg()[0])],
      detail: {
        openRunsMs: open.map((o) => round1(o.ms)),
        readMs: open.map((o) => round1(o.read)),
        stepSingleP95Ms: round1(quantile(steps.slice(0, args.steps), 0.95)),
        stepJumpP95Ms: round1(quantile(steps.slice(args.steps), 0.95)),
        panZoomFrameMaxMs: round1(Math.max(...frames.deltas)),
        panZoomFrameP95ByPhaseMs: Object.fromEntries(Object.entries(frames.phases).map(([name, d]) => [name, round1(quantile(d, 0.95))])),
        longAnimationFrames: frames.loaf.length,
        framesOver33Ms: frames.deltas.filter((d) => d > 33).length,
      },
      trace: { events: host.eventCount, ticks, tasks: host.model.tasks.size },
      viewport: `${args.width}x${args.height}`,
      errors: view.errors.length,
    };
    console.log(JSON.stringify(result));
  } finally {
    await view.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
