#!/usr/bin/env node
// The panel on a big trace: the real bundle (dist/, build it first) in headless Chromium under the
// panel's CSP, served by the same PanelServer as the extension host, in this Node process
// (test/webview/harness.mjs): the host reads the trace and answers the panel's requests across the
// process boundary, as VS Code's extension host does. Run with --expose-gc. Prints ONE JSON line:
//
//   firstPaintMs      median (and all runs) from the start of reading the trace file to the end of
//                     the first frame that shows it (lanes drawn, side views and header at the first
//                     tick), while the rest of the file is still read (Open Trace shows a trace from
//                     its beginning); wholeMs to the frame that shows the whole trace, read to its end.
//                     The first run on a fresh page, the others in the open panel.
//   hostHeapMB/RssMB  this process after the trace is open and a garbage collection: the heap (the
//                     model and the server) and the resident size (also playwright's client).
//   webviewHeapMB     the page's JavaScript heap after a garbage collection (CDP), with the trace on
//                     screen; webviewNodes its DOM nodes.
//   stepP50Ms/P95Ms   from the host moving its cursor (as Step Tick Forward does) to the end of the
//                     first frame painted after the panel drew that tick (header, side views, cursor
//                     bar, the lanes' new segments when the window moved), that end taken on the
//                     page's clock and brought to this process's by an offset measured before each
//                     step (see clockOffset): single steps with about 100 ticks on screen, then
//                     random jumps.
//   stepCpuP95Ms      the CPU time of a step's work: the host's (serving the cursor move and the view
//                     requests it brings) plus the page's main thread (CDP ThreadTime) until drawn.
//   panZoomFrameP95Ms frame durations (deltas between animation frames) while real input (CDP) zooms
//                     with Ctrl+wheel, drags the lanes sideways and pans with Shift+wheel;
//                     panZoomFrameCpuP95Ms the main thread's CPU time per frame of the same input,
//                     played again under a Chrome trace (its tasks' thread time between frames).
//
// "End of a frame" is taken in a task queued from a requestAnimationFrame callback, which runs after
// that frame's style, layout and paint. Durations (…Ms) are wall-clock and depend on what else the
// machine runs (`load`: the 1-minute load average before and after); CPU times depend on it less.
//
//   node --expose-gc bench/webview.mjs --trace trace.jsonl [--runs 3] [--steps 40] [--width 1200] [--height 800]
//
// --runs 1 --steps 0 measures little more than pan/zoom. With LOOPSCOPE_BENCH_CHROME_TRACE=file.json the
// Chrome trace of the pan/zoom is written there (with paint details: open it in DevTools' Performance tab).
import { writeFileSync } from 'node:fs';
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
    /** The end of the first frame after which nothing is pending (unless `anyPending`) and `ready()` holds. */
    async settled(ready, timeoutMs = 60000, anyPending = false) {
      const began = performance.now();
      for (;;) {
        const end = await probe.afterFrame();
        if ((anyPending || pending.size === 0) && ready()) return end;
        if (end - began > timeoutMs) throw new Error('the webview did not settle');
      }
    },
    app() { return window.__loopscope; },
  };
  window.__bench = probe;
}

/** The page's clock (performance.now) minus this process's wall clock (timeOrigin + now), ms. */
export async function clockOffset(page) {
  // The two processes' time origins disagree by up to hundreds of ms (each converts its monotonic
  // clock to wall time once, at its start), so it is measured: the quickest of a few round trips,
  // its midpoint taken as the moment the page read its clock (off by at most half that trip).
  let best;
  for (let i = 0; i < 5; i++) {
    const sent = performance.timeOrigin + performance.now();
    const at = await page.evaluate(() => performance.now());
    const back = performance.timeOrigin + performance.now();
    if (!best || back - sent < best.trip) best = { trip: back - sent, offset: at - (sent + back) / 2 };
  }
  return best.offset;
}

/** Resolves at the end of the first frame after the panel drew tick `tick` and asked for nothing more. */
export async function drawnTick(tick) {
  const probe = window.__bench;
  return probe.settled(() => {
    const app = probe.app();
    const timeline = app.timeline;
    return app.debug.tick === tick && !app.pendingMoment && !timeline.inFlight && !timeline.answer && !timeline.stale && !timeline.settle
      && timeline.strip?.painted !== undefined;
  });
}

/**
 * Resolves at the end of the first frame that shows tick `tick` (header, side views, cursor) and
 * segments in the lanes, though the panel may still be asking for more (a trace still being read).
 */
export async function drawnFirst(tick) {
  const probe = window.__bench;
  return probe.settled(() => {
    const app = probe.app();
    return app.debug.tick === tick && !app.pendingMoment && app.timeline.strip?.painted !== undefined;
  }, 60000, true);
}

/** Resolves at the end of the first frame after the panel drew the whole trace (`ticks` of it) at its first tick. */
export async function drawnWhole(ticks) {
  const probe = window.__bench;
  return probe.settled(() => {
    const app = probe.app();
    const timeline = app.timeline;
    return timeline.shape.ticks === ticks && app.debug.tick === 0 && !app.pendingMoment && !timeline.inFlight && !timeline.answer
      && !timeline.stale && !timeline.settle && timeline.strip?.painted !== undefined;
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
  // The host's CPU time in serving the panel: its cursor moves and the panel's requests.
  let hostCpuMs = 0;
  for (const name of ['update', 'receive']) {
    const serve = host.server[name].bind(host.server);
    host.server[name] = (...args) => {
      const before = process.cpuUsage();
      try {
        return serve(...args);
      } finally {
        const spent = process.cpuUsage(before);
        hostCpuMs += (spent.user + spent.system) / 1000;
      }
    };
  }
  try {
    await page().evaluate(installProbe);
    const cdp = await page().context().newCDPSession(page());
    await cdp.send('Performance.enable');
    const threadMs = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime').value * 1000;

    // 1. Open: the first paint, while the file is read, then the whole trace.
    const open = [];
    for (let run = 0; run < args.runs; run++) {
      const t0 = performance.now();
      const { read } = await host.open(args.trace);
      await page().evaluate(drawnFirst, 0);
      const first = performance.now() - t0;
      await read;
      const readMs = performance.now() - t0;
      await page().evaluate(drawnWhole, host.model.ticks.length);
      open.push({ first, read: readMs, whole: performance.now() - t0 });
      log(`open ${run + 1}/${args.runs}: first paint ${first.toFixed(0)} ms, read ${readMs.toFixed(0)} ms, whole drawn ${open[run].whole.toFixed(0)} ms`);
    }
    const ticks = host.model.ticks.length;

    // 2. Memory, with the trace open and on screen.
    global.gc();
    const memory = process.memoryUsage();
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
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
    const stepCpu = [];
    for (const tick of targets) {
      // A step comes at any point of a frame: 0 to 16 ms after one ended.
      await page().evaluate(() => window.__bench.afterFrame());
      await new Promise((r) => setTimeout(r, random(16)));
      const offset = await clockOffset(page());
      const thread = await threadMs();
      hostCpuMs = 0;
      // The page watches for the frame before the host moves its cursor, and says when that frame
      // ended on its own clock: the time its answer takes back to this process (busy with the host's
      // own work after the step, as the extension host would be) is not the panel's.
      const drawn = page().evaluate(drawnTick, tick);
      const t0 = performance.timeOrigin + performance.now();
      host.setCursor(tick);
      steps.push((await drawn) - (t0 + offset));
      stepCpu.push({ host: hostCpuMs, page: (await threadMs()) - thread });
    }
    log(`steps: p50 ${quantile(steps, 0.5).toFixed(1)} p95 ${quantile(steps, 0.95).toFixed(1)} ms; CPU p95 ${quantile(stepCpu.map((c) => c.host + c.page), 0.95).toFixed(1)} ms`);

    // 4. Pan and zoom with real input: back to the whole run, then Ctrl+wheel in, drag left and
    // right, Shift+wheel, Ctrl+wheel out. Played twice: for the frame durations, then under a trace.
    const box = await page().$eval('#timeline .vis-center', (node) => {
      const r = node.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    const cx = box.x + box.width / 2;
    const cy = box.y + Math.min(box.height / 2, 120);
    const gesture = async (phase) => {
      await page().focus('#timeline');
      await page().keyboard.press('f');
      await page().evaluate(() => window.__bench.settled(() => true));
      await page().mouse.move(cx, cy);
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
    };
    const mark = (name) => page().evaluate((label) => window.__bench.frames?.marks.push([label, performance.now()]), name);
    await gesture(async (name) => {
      if (name === 'zoomIn') await page().evaluate(startFrames);
      await mark(name);
    });
    const frames = await page().evaluate(stopFrames);
    log(`pan/zoom: ${frames.deltas.length} frames in ${frames.span.toFixed(0)} ms, p95 ${quantile(frames.deltas, 0.95).toFixed(1)} ms, `
      + `max ${Math.max(...frames.deltas).toFixed(1)} ms, long animation frames ${frames.loaf.length}`);
    let traced = false;
    await gesture(async (name) => {
      if (name !== 'zoomIn' || traced) return;
      traced = true;
      const details = process.env.LOOPSCOPE_BENCH_CHROME_TRACE ? ['disabled-by-default-devtools.timeline.paint'] : [];
      await view.browser.startTracing(page(), { categories: [...details, 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame'] });
    });
    await page().evaluate(() => window.__bench.settled(() => { const t = window.__bench.app().timeline; return !t.settle && !t.inFlight && !t.answer && !t.stale; }));
    const chromeTrace = (await view.browser.stopTracing()).toString();
    if (process.env.LOOPSCOPE_BENCH_CHROME_TRACE) writeFileSync(process.env.LOOPSCOPE_BENCH_CHROME_TRACE, chromeTrace);
    const frameCpu = mainThreadCpuPerFrame(JSON.parse(chromeTrace).traceEvents);
    log(`pan/zoom under a trace: ${frameCpu.length} frames, main-thread CPU p95 ${quantile(frameCpu, 0.95).toFixed(1)} ms`);

    if (view.errors.length) log(`page errors:\n  ${view.errors.slice(0, 5).join('\n  ')}`);
    const cpu = stepCpu.map((c) => c.host + c.page);
    const result = {
      firstPaintMs: round1(quantile(open.map((o) => o.first), 0.5)),
      wholeMs: round1(quantile(open.map((o) => o.whole), 0.5)),
      hostHeapMB: round1(memory.heapUsed / 1e6),
      hostRssMB: round1(memory.rss / 1e6),
      webviewHeapMB: round1(usedSize / 1e6),
      webviewNodes: nodes,
      stepP50Ms: round1(quantile(steps, 0.5)),
      stepP95Ms: round1(quantile(steps, 0.95)),
      stepCpuP50Ms: round1(quantile(cpu, 0.5)),
      stepCpuP95Ms: round1(quantile(cpu, 0.95)),
      panZoomFrameP95Ms: round1(quantile(frames.deltas, 0.95)),
      panZoomFrameP50Ms: round1(quantile(frames.deltas, 0.5)),
      panZoomFrameCpuP95Ms: round1(quantile(frameCpu, 0.95)),
      samples: { open: open.length, steps: steps.length, frames: frames.deltas.length, tracedFrames: frameCpu.length },
      load: [round1(loadBefore), round1(loadavg()[0])],
      detail: {
        firstPaintRunsMs: open.map((o) => round1(o.first)),
        readMs: open.map((o) => round1(o.read)),
        wholeRunsMs: open.map((o) => round1(o.whole)),
        stepSingleP95Ms: round1(quantile(steps.slice(0, args.steps), 0.95)),
        stepJumpP95Ms: round1(quantile(steps.slice(args.steps), 0.95)),
        stepHostCpuP95Ms: round1(quantile(stepCpu.map((c) => c.host), 0.95)),
        stepPageCpuP95Ms: round1(quantile(stepCpu.map((c) => c.page), 0.95)),
        stepSingleCpuP95Ms: round1(quantile(cpu.slice(0, args.steps), 0.95)),
        stepJumpCpuP95Ms: round1(quantile(cpu.slice(args.steps), 0.95)),
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

/**
 * The page's main-thread CPU time of each frame in a Chrome trace: the thread time of its tasks
 * between one BeginMainThreadFrame and the next (the renderer whose main thread worked most).
 */
export function mainThreadCpuPerFrame(events) {
  const mains = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const busy = new Map();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.name === 'RunTask' && mains.has(thread)) busy.set(thread, (busy.get(thread) ?? 0) + (e.tdur ?? 0));
  }
  const main = [...busy].sort((a, b) => b[1] - a[1])[0]?.[0];
  const on = events.filter((e) => `${e.pid}:${e.tid}` === main);
  const frames = on.filter((e) => e.name === 'BeginMainThreadFrame').map((e) => e.ts).sort((a, b) => a - b);
  const tasks = on.filter((e) => e.name === 'RunTask' && e.ph === 'X').sort((a, b) => a.ts - b.ts);
  const perFrame = [];
  let k = 0;
  for (let i = 0; i + 1 < frames.length; i++) {
    while (k < tasks.length && tasks[k].ts < frames[i]) k++;
    let cpu = 0;
    for (let j = k; j < tasks.length && tasks[j].ts < frames[i + 1]; j++) cpu += tasks[j].tdur ?? 0;
    perFrame.push(cpu / 1000);
  }
  return perFrame;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
