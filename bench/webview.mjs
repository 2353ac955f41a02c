#!/usr/bin/env node
// Webview performance on a big trace (1,000 tasks, 100,000 steps): the real bundle (dist/, build it
// first) in headless Chromium under the panel's CSP (test/webview/harness.mjs). Prints ONE JSON line:
//
//   firstPaintMs      median (and p95) from the host's first message (reset) to the end of the frame
//                     that shows the whole trace (lanes drawn, side views and header at the cursor),
//                     on fresh pages (--cold, also reported alone) then again on the last one (--warm,
//                     a new trace in an open panel). The replay is posted as panel.ts sends it (reset,
//                     axis, events in chunks of 20,000, status, cursor), all at once. Cloning the
//                     messages is included, on both sides (in VS Code the sending side runs in another
//                     process; detail.firstPaintPostMs says how long it took here); the harness's own
//                     transport into the page is not (the events are in the page before the clock starts).
//   cursorP50Ms/P95Ms from posting {type:'cursor'} (0-16 ms after a frame, as messages come at any
//                     time) to the end of the first frame painted after the webview drew the new tick
//                     (header, side views, cursor bar): random jumps with the whole run on screen, and
//                     single steps forward zoomed in (some scroll the window).
//   panZoomFrameP95Ms frame durations (deltas between animation frames) while real input (CDP) zooms
//                     with Ctrl+wheel, drags the lanes sideways and pans with Shift+wheel.
//
// "End of a frame" is taken in a task queued from a requestAnimationFrame callback, which runs after
// that frame's style, layout and paint; the page counts are taken only once no animation frame is
// pending (nobody has more to draw). Timings are wall-clock: `load` gives the 1-minute load average
// before and after, as they depend on what else the machine runs.
//
//   node bench/webview.mjs [--cold 5] [--warm 25] [--cursor 40] [--width 1200] [--height 800] [--trace file.jsonl]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWebview, readTrace, sessionFor } from '../test/webview/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (text) => process.stderr.write(`${text}\n`);
const CHUNK = 20000; // as src/extension/panel.ts replays a trace

/** The big trace, generated into bench/.cache on first use. */
export function bigTrace(path = join(root, 'bench', '.cache', 'webview-big.jsonl')) {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    log(`generating ${path}`);
    execFileSync(process.execPath, [join(root, 'test/webview/make-big-trace.mjs'), '--tasks', '1000', '--steps', '100000', '--out', path],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return readTrace(path);
}

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
    batches: [],
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
    /** Everything the last message asked for is drawn. */
    drawn(tick) {
      const app = window.__loopscope;
      return app.drawnVersion === app.model.version && !app.catchUp && (tick === undefined || app.drawnCursor === tick)
        && document.querySelector('.vis-item[data-lane]') !== null;
    },
  };
  window.__bench = probe;
}

export async function replay({ session, cursor }) {
  const probe = window.__bench;
  const t0 = performance.now();
  performance.mark('loopscope-bench-first-message');
  window.postMessage({ type: 'reset', session }, '*');
  window.postMessage({ type: 'axis', axis: 'tick' }, '*');
  for (const batch of probe.batches) window.postMessage({ type: 'events', events: batch }, '*');
  window.postMessage({ type: 'status', status: { running: false, paused: false, outcome: 'completed' } }, '*');
  window.postMessage({ type: 'cursor', tick: cursor }, '*');
  const posted = performance.now() - t0;
  await probe.sentinel();
  const end = await probe.settled(() => probe.drawn(cursor));
  performance.measure('loopscope-bench-first-paint', { start: t0, end });
  const app = probe.app();
  return { ms: end - t0, posted, items: app.timeline.stats.items, ticks: app.model.ticks.length, tasks: app.model.tasks.size };
}

export async function cursorMoves(ticks) {
  const probe = window.__bench;
  const app = probe.app();
  const out = [];
  let seed = 11;
  for (const tick of ticks) {
    await probe.afterFrame();
    // A message arrives at any point of a frame: post it 0 to 16 ms after one ended.
    seed = (seed * 1103515245 + 12345) % 2147483648;
    await new Promise((resolve) => setTimeout(resolve, (seed / 2147483648) * 16));
    const framesBefore = app.debug.frames;
    const t0 = performance.now();
    window.postMessage({ type: 'cursor', tick }, '*');
    await probe.sentinel();
    const end = await probe.settled(() => probe.drawn(tick));
    out.push({ ms: end - t0, work: app.debug.frames > framesBefore ? app.debug.lastFrameMs : 0 });
  }
  return out;
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
  await probe.settled(() => true);
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

/** Installs the probe and puts the events into the page, in the host's chunks. */
export async function loadEvents(view, events) {
  await view.page.evaluate(installProbe);
  for (let i = 0; i < events.length; i += CHUNK) {
    await view.page.evaluate((text) => window.__bench.batches.push(JSON.parse(text)), JSON.stringify(events.slice(i, i + CHUNK)));
  }
}

async function main() {
  const args = { cold: 5, warm: 25, cursor: 40, width: 1200, height: 800, trace: undefined };
  for (let i = 2; i < process.argv.length; i += 2) {
    const key = process.argv[i].replace(/^--/, '');
    args[key] = key === 'trace' ? process.argv[i + 1] : Number(process.argv[i + 1]);
  }
  const events = bigTrace(args.trace);
  const session = sessionFor(events);
  const tickCount = events.filter((e) => e.ev === 'tick').length;
  const loadBefore = loadavg()[0];
  const view = await openWebview({ theme: 'dark', width: args.width, height: args.height });
  const page = () => view.page;
  try {
    // 1. First complete paint, on fresh pages, then again on the last one.
    const firstPaint = [];
    const posted = [];
    let info;
    for (let run = 0; run < args.cold + args.warm; run++) {
      if (run > 0 && run < args.cold) await view.reopen();
      if (run < args.cold) await loadEvents(view, events);
      info = await page().evaluate(replay, { session, cursor: tickCount - 1 });
      firstPaint.push(info.ms);
      posted.push(info.posted);
      log(`first paint ${run + 1}/${args.cold + args.warm}${run < args.cold ? ' (fresh page)' : ''}: ${info.ms.toFixed(0)} ms (${info.items} items)`);
    }
    const cold = firstPaint.slice(0, args.cold);

    // 2. Cursor moves: random jumps with the whole run on screen...
    let seed = 7;
    const random = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const jumps = Array.from({ length: args.cursor }, () => random(tickCount));
    const jumpSamples = await page().evaluate(cursorMoves, jumps);
    // ... and single steps forward with about 100 ticks on screen around tick T, from T+30 to T+70:
    // from T+50 on, the cursor reaches the edge about every 10 steps and scrolls the window.
    const start = Math.floor(tickCount / 2);
    await page().evaluate(async ({ tick, ticks }) => {
      const probe = window.__bench;
      window.postMessage({ type: 'cursor', tick }, '*');
      await probe.sentinel();
      // The fitted window spans the run plus 2 % on each side; zoom to about 100 ticks around the cursor.
      probe.app().timeline.zoom(100 / (ticks * 1.04));
      await probe.settled(() => probe.drawn(tick));
    }, { tick: start, ticks: tickCount });
    const steps = Array.from({ length: args.cursor }, (_, i) => start + 30 + i);
    const stepSamples = await page().evaluate(cursorMoves, steps);
    const cursorTimes = [...jumpSamples, ...stepSamples].map((s) => s.ms);
    log(`cursor: jumps p50 ${quantile(jumpSamples.map((s) => s.ms), 0.5).toFixed(1)} p95 ${quantile(jumpSamples.map((s) => s.ms), 0.95).toFixed(1)}; `
      + `steps p50 ${quantile(stepSamples.map((s) => s.ms), 0.5).toFixed(1)} p95 ${quantile(stepSamples.map((s) => s.ms), 0.95).toFixed(1)} ms`);

    // 3. Pan and zoom with real input: back to the whole run, then Ctrl+wheel in, drag left and
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
    const began = Date.now();
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
    const interactionMs = Date.now() - began;
    log(`pan/zoom: ${frames.deltas.length} frames in ${frames.span.toFixed(0)} ms, p95 ${quantile(frames.deltas, 0.95).toFixed(1)} ms, `
      + `max ${Math.max(...frames.deltas).toFixed(1)} ms, long animation frames ${frames.loaf.length}`);

    // 4. Fit after zooming in (a keyboard F): time until drawn.
    const fit = [];
    for (let i = 0; i < 5; i++) {
      await page().focus('#timeline');
      await page().keyboard.press('+');
      await page().keyboard.press('+');
      await page().evaluate(() => window.__bench.settled(() => true));
      const ms = await page().evaluate(async () => {
        const t0 = performance.now();
        document.getElementById('timeline').dispatchEvent(new KeyboardEvent('keydown', { key: 'f', bubbles: true }));
        return (await window.__bench.settled(() => true)) - t0;
      });
      fit.push(ms);
    }

    if (view.errors.length) log(`page errors:\n  ${view.errors.slice(0, 5).join('\n  ')}`);
    const result = {
      firstPaintMs: round1(quantile(firstPaint, 0.5)),
      firstPaintP95Ms: round1(quantile(firstPaint, 0.95)),
      firstPaintColdMs: round1(quantile(cold, 0.5)),
      cursorP95Ms: round1(quantile(cursorTimes, 0.95)),
      cursorP50Ms: round1(quantile(cursorTimes, 0.5)),
      panZoomFrameP95Ms: round1(quantile(frames.deltas, 0.95)),
      panZoomFrameP50Ms: round1(quantile(frames.deltas, 0.5)),
      panZoomFrameMaxMs: round1(Math.max(...frames.deltas)),
      fitP50Ms: round1(quantile(fit, 0.5)),
      samples: { firstPaint: firstPaint.length, cursor: cursorTimes.length, frames: frames.deltas.length, fit: fit.length },
      load: [round1(loadBefore), round1(loadavg()[0])],
      detail: {
        firstPaintColdMs: cold.map(round1),
        firstPaintMaxMs: round1(Math.max(...firstPaint)),
        firstPaintPostMs: round1(quantile(posted, 0.5)),
        cursorJumpP95Ms: round1(quantile(jumpSamples.map((s) => s.ms), 0.95)),
        cursorStepP95Ms: round1(quantile(stepSamples.map((s) => s.ms), 0.95)),
        cursorOwnWorkP50Ms: round1(quantile([...jumpSamples, ...stepSamples].map((s) => s.work), 0.5)),
        panZoomInputMs: interactionMs,
        panZoomFrameP95ByPhaseMs: Object.fromEntries(Object.entries(frames.phases).map(([name, d]) => [name, round1(quantile(d, 0.95))])),
        longAnimationFrames: frames.loaf.length,
        framesOver33Ms: frames.deltas.filter((d) => d > 33).length,
        itemsAtFit: info.items,
      },
      trace: { events: events.length, ticks: info.ticks, tasks: info.tasks },
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
