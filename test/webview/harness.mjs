#!/usr/bin/env node
// Headless harness for the webview: serves dist/webview.js + dist/webview.css from 127.0.0.1 under
// the same CSP as the real panel, fakes acquireVsCodeApi (records posted messages, keeps setState),
// themes the page like VS Code does (body class + --vscode-* variables), feeds a trace (.jsonl) as
// the host would (ready -> reset, events in batches, status, cursor) and takes screenshots.
//
//   node test/webview/harness.mjs --trace test/webview/fixtures/downloads.jsonl \
//     [--theme dark|light|hc] [--width 1200] [--height 800] [--axis tick|time] [--cursor N]
//     [--batch 2000] [--screenshot out.png] [--bench] [--show-internal] [--headed]
//
// Build first: node esbuild.mjs. As a module: import { openWebview, readTrace } from './harness.mjs'.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A few of the variables VS Code sets on <html>, per theme kind (Dark Modern, Light Modern, HC Dark). */
export const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'font-weight': 'normal',
      'editor-font-family': '"DejaVu Sans Mono", monospace', 'editor-font-size': '12px',
      foreground: '#cccccc', 'editor-background': '#1f1f1f', 'editor-foreground': '#cccccc',
      descriptionForeground: '#9d9d9d', errorForeground: '#f85149', focusBorder: '#0078d4',
      'panel-border': '#2b2b2b', 'widget-border': '#313131', 'widget-shadow': 'rgba(0, 0, 0, 0.36)',
      'sideBar-background': '#181818', 'badge-background': '#616161', 'badge-foreground': '#f8f8f8',
      'textLink-foreground': '#4daafc', 'textLink-activeForeground': '#4daafc',
      'editorHoverWidget-background': '#202020', 'editorHoverWidget-foreground': '#cccccc',
      'editorHoverWidget-border': '#454545', 'editorWarning-foreground': '#cca700',
      'editorIndentGuide-background1': '#404040',
      'charts-foreground': '#cccccc', 'charts-lines': 'rgba(204, 204, 204, 0.5)', 'charts-red': '#f14c4c',
      'charts-blue': '#3794ff', 'charts-yellow': '#cca700', 'charts-orange': '#d18616', 'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'button-background': '#0078d4', 'button-foreground': '#ffffff', 'button-hoverBackground': '#026ec1',
      'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
      'toolbar-hoverBackground': 'rgba(90, 93, 94, 0.31)', 'toolbar-activeBackground': 'rgba(99, 102, 103, 0.31)',
      'inputOption-activeBackground': 'rgba(36, 137, 219, 0.51)', 'inputOption-activeBorder': '#2488db',
      'inputOption-activeForeground': '#ffffff', 'icon-foreground': '#cccccc',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'font-weight': 'normal',
      'editor-font-family': '"DejaVu Sans Mono", monospace', 'editor-font-size': '12px',
      foreground: '#3b3b3b', 'editor-background': '#ffffff', 'editor-foreground': '#3b3b3b',
      descriptionForeground: '#717171', errorForeground: '#f85149', focusBorder: '#005fb8',
      'panel-border': '#e5e5e5', 'widget-border': '#e5e5e5', 'widget-shadow': 'rgba(0, 0, 0, 0.16)',
      'sideBar-background': '#f8f8f8', 'badge-background': '#cccccc', 'badge-foreground': '#3b3b3b',
      'textLink-foreground': '#005fb8', 'textLink-activeForeground': '#005fb8',
      'editorHoverWidget-background': '#f8f8f8', 'editorHoverWidget-foreground': '#3b3b3b',
      'editorHoverWidget-border': '#c8c8c8', 'editorWarning-foreground': '#bf8803',
      'editorIndentGuide-background1': '#d3d3d3',
      'charts-foreground': '#616161', 'charts-lines': 'rgba(97, 97, 97, 0.5)', 'charts-red': '#e51400',
      'charts-blue': '#1a85ff', 'charts-yellow': '#bf8803', 'charts-orange': '#d18616', 'charts-green': '#388a34',
      'charts-purple': '#652d90',
      'button-background': '#005fb8', 'button-foreground': '#ffffff', 'button-hoverBackground': '#0258a8',
      'button-secondaryBackground': '#e5e5e5', 'button-secondaryForeground': '#3b3b3b',
      'toolbar-hoverBackground': 'rgba(184, 184, 184, 0.31)', 'toolbar-activeBackground': 'rgba(166, 166, 166, 0.31)',
      'inputOption-activeBackground': 'rgba(190, 218, 243, 0.2)', 'inputOption-activeBorder': '#005fb8',
      'inputOption-activeForeground': '#000000', 'icon-foreground': '#3b3b3b',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif', 'font-size': '13px', 'font-weight': 'normal',
      'editor-font-family': '"DejaVu Sans Mono", monospace', 'editor-font-size': '12px',
      foreground: '#ffffff', 'editor-background': '#000000', 'editor-foreground': '#ffffff',
      descriptionForeground: 'rgba(255, 255, 255, 0.7)', errorForeground: '#f48771', focusBorder: '#f38518',
      contrastBorder: '#6fc3df', contrastActiveBorder: '#f38518',
      'panel-border': '#6fc3df', 'widget-border': '#6fc3df', 'widget-shadow': 'transparent',
      'sideBar-background': '#000000', 'badge-background': '#000000', 'badge-foreground': '#ffffff',
      'textLink-foreground': '#21a6ff', 'textLink-activeForeground': '#21a6ff',
      'editorHoverWidget-background': '#0c141f', 'editorHoverWidget-foreground': '#ffffff',
      'editorHoverWidget-border': '#6fc3df', 'editorWarning-foreground': '#ffd370',
      'editorIndentGuide-background1': '#ffffff',
      'charts-foreground': '#ffffff', 'charts-lines': 'rgba(255, 255, 255, 0.5)', 'charts-red': '#f14c4c',
      'charts-blue': '#3794ff', 'charts-yellow': '#ffd370', 'charts-orange': '#d18616', 'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      'button-background': '#000000', 'button-foreground': '#ffffff', 'button-border': '#6fc3df',
      'toolbar-hoverBackground': 'transparent', 'toolbar-hoverOutline': '#f38518',
      'inputOption-activeBackground': 'transparent', 'inputOption-activeBorder': '#6fc3df',
      'inputOption-activeForeground': '#ffffff', 'icon-foreground': '#ffffff',
    },
  },
};

const MIME = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.ttf': 'font/ttf', '.html': 'text/html' };

/** Serves the panel page and dist/ on 127.0.0.1 with the panel's CSP. */
function startServer() {
  return new Promise((resolveServer) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const origin = `http://127.0.0.1:${server.address().port}`;
      const theme = THEMES[url.searchParams.get('theme') ?? 'dark'] ?? THEMES.dark;
      if (url.pathname === '/theme.css') {
        // VS Code sets these on <html> from JS; a stylesheet from the allowed origin is equivalent here.
        const vars = Object.entries(theme.vars).map(([name, value]) => `  --vscode-${name.replace(/\./g, '-')}: ${value};`);
        res.writeHead(200, { 'content-type': 'text/css' });
        res.end(`html {\n${vars.join('\n')}\n}\n`);
        return;
      }
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const nonce = 'harnessNonce' + Math.random().toString(36).slice(2);
        // Same policy and body as src/extension/panel.ts builds (cspSource = this origin).
        const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin}; font-src ${origin}; img-src ${origin} data:`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
        res.end(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/theme.css?theme=${url.searchParams.get('theme') ?? 'dark'}">
<link rel="stylesheet" href="${origin}/dist/webview.css">
<title>Loopscope</title>
</head>
<body class="${theme.bodyClass}" data-vscode-theme-kind="${theme.bodyClass}">
<div id="app"></div>
<script nonce="${nonce}" src="${origin}/dist/webview.js"></script>
</body>
</html>`);
        return;
      }
      if (url.pathname.startsWith('/dist/')) {
        const file = join(ROOT, 'dist', url.pathname.slice('/dist/'.length));
        if (file.startsWith(join(ROOT, 'dist')) && existsSync(file)) {
          res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
          res.end(readFileSync(file));
          return;
        }
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(404);
      res.end();
    });
    server.listen(0, '127.0.0.1', () => resolveServer(server));
  });
}

/** Reads a .jsonl trace into events (bad lines skipped, like the host's decoder). */
export function readTrace(path) {
  const events = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      // skipped
    }
  }
  return events;
}

/** The SessionInfo the host would send for a recorded trace. */
export function sessionFor(events, { showInternal = false } = {}) {
  const start = events.find((e) => e.ev === 'start') ?? {};
  return {
    scenario: start.scenario ?? 'scenario.py', python: start.python ?? '', clock: start.clock ?? 'virtual',
    mode: 'record', replay: true, showInternal,
  };
}

function initScript({ state }) {
  // Runs in the page before webview.js.
  window.__posted = [];
  window.__csp = [];
  window.__savedState = state ?? undefined;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => window.__savedState,
      setState: (next) => { window.__savedState = JSON.parse(JSON.stringify(next)); },
    };
  };
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sourceFile ?? ''}:${e.lineNumber ?? ''} ${e.sample ?? ''}`);
  });
}

/**
 * Opens the webview in headless chromium. Returns helpers:
 * send(msg), feed(events, opts), posted(), clearPosted(), frame(), screenshot(path), state(),
 * reopen() (a hidden/shown cycle: reloads with the saved state), close(); page and browser too.
 */
export async function openWebview({ theme = 'dark', width = 1200, height = 800, state, headed = false } = {}) {
  if (!existsSync(join(ROOT, 'dist', 'webview.js'))) throw new Error('dist/webview.js missing: run node esbuild.mjs');
  const server = await startServer();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: !headed, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const errors = [];
  let page;

  async function load(savedState) {
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()} ${message.location()?.url ?? ''}`); });
    await page.addInitScript(initScript, { state: savedState });
    await page.goto(`${origin}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 15000 });
  }
  await load(state);

  const api = {
    get page() { return page; },
    browser,
    errors,
    origin,
    /** Posts a host message to the webview (as JSON text: playwright's object transfer is slow). */
    async send(message) {
      await page.evaluate((text) => window.postMessage(JSON.parse(text), '*'), JSON.stringify(message));
    },
    /** As the host: reset, events in batches, status, then the cursor (if given). */
    async feed(events, { batch = 2000, cursor, showInternal = false, status } = {}) {
      await api.send({ type: 'reset', session: sessionFor(events, { showInternal }) });
      for (let i = 0; i < events.length; i += batch) await api.send({ type: 'events', events: events.slice(i, i + batch) });
      const end = events.find((e) => e.ev === 'end');
      await api.send({ type: 'status', status: status ?? { running: false, paused: false, outcome: end?.outcome ?? 'crashed' } });
      if (cursor !== undefined) await api.send({ type: 'cursor', tick: cursor });
      await api.frame();
    },
    /** Waits until the webview has drawn everything it received (two animation frames after). */
    async frame() {
      await page.evaluate(() => new Promise((resolve) => {
        const app = window.__loopscope;
        const check = () => {
          if (app && app.drawnVersion !== app.model.version) setTimeout(check, 10);
          else requestAnimationFrame(() => requestAnimationFrame(resolve));
        };
        setTimeout(check, 0);
      }));
    },
    async posted() { return page.evaluate(() => window.__posted); },
    async clearPosted() { await page.evaluate(() => { window.__posted.length = 0; }); },
    async csp() { return page.evaluate(() => window.__csp); },
    async state() { return page.evaluate(() => window.__savedState); },
    async screenshot(path) { await page.screenshot({ path, fullPage: false }); },
    /** Hide + show: a fresh page with the state the webview saved (the host then re-sends everything). */
    async reopen() {
      const saved = await api.state();
      await page.close();
      await load(saved);
    },
    async close() {
      await browser.close();
      server.close();
    },
  };
  return api;
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const args = { trace: join(ROOT, 'test/webview/fixtures/downloads.jsonl'), theme: 'dark', width: 1200, height: 800, batch: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (['bench', 'show-internal', 'headed'].includes(key)) args[key] = true;
    else args[key] = argv[++i];
  }
  for (const key of ['width', 'height', 'batch', 'cursor']) if (args[key] !== undefined) args[key] = Number(args[key]);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const events = readTrace(args.trace);
  const view = await openWebview({ theme: args.theme, width: args.width, height: args.height, headed: args.headed });
  try {
    if (args.axis) await view.send({ type: 'axis', axis: args.axis });
    if (args.bench) await bench(view, events, args.batch);
    else await view.feed(events, { batch: args.batch, cursor: args.cursor, showInternal: args['show-internal'] });
    if (args.screenshot) {
      await view.screenshot(args.screenshot);
      console.log(`screenshot: ${args.screenshot}`);
    }
    const csp = await view.csp();
    if (csp.length) console.log(`CSP violations (${csp.length}):\n  ${[...new Set(csp)].slice(0, 10).join('\n  ')}`);
    if (view.errors.length) console.log(`page errors (${view.errors.length}):\n  ${view.errors.slice(0, 10).join('\n  ')}`);
    const posted = await view.posted();
    console.log(`posted: ${JSON.stringify(posted.slice(0, 20))}`);
  } finally {
    await view.close();
  }
}

async function bench(view, events, batch) {
  const page = view.page;
  // First paint: reset + the first batch, drawn. Then the whole trace, drawn.
  const t0 = Date.now();
  await view.send({ type: 'reset', session: sessionFor(events) });
  await view.send({ type: 'events', events: events.slice(0, batch) });
  await view.frame();
  const firstPaint = Date.now() - t0;
  for (let i = batch; i < events.length; i += batch) await view.send({ type: 'events', events: events.slice(i, i + batch) });
  await view.send({ type: 'status', status: { running: false, paused: false, outcome: 'completed' } });
  await view.frame();
  const loaded = Date.now() - t0;
  const info = await page.evaluate(() => {
    const app = window.__loopscope;
    return { ticks: app.model.ticks.length, tasks: app.model.tasks.size, items: app.timeline.stats.items, debug: app.debug };
  });
  const d = info.debug;
  console.log(`events: ${events.length} in batches of ${batch}; ticks ${info.ticks}, tasks ${info.tasks}`);
  console.log(`first paint (reset + first batch drawn): ${firstPaint} ms`);
  console.log(`everything drawn: ${loaded} ms (in the page: applying events ${d.applyMs.toFixed(0)} ms, `
    + `${d.frames} frames ${d.totalFrameMs.toFixed(0)} ms; the rest is message transport and vis-timeline); items on screen ${info.items}`);

  // Cursor moves: from the message to the end of the next painted frame.
  const cursor = await page.evaluate(async (count) => {
    const app = window.__loopscope;
    const ticks = app.model.ticks.length;
    const times = [];
    const work = [];
    for (let i = 0; i < 20; i++) {
      const tick = Math.floor(((i * 7919) % 997) / 997 * (ticks - 1));
      const t = performance.now();
      window.postMessage({ type: 'cursor', tick }, '*');
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      times.push(performance.now() - t);
      work.push(app.debug.lastFrameMs);
    }
    return { times, work, count };
  }, 20);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`cursor move: median ${median(cursor.times).toFixed(1)} ms to painted frame (max ${Math.max(...cursor.times).toFixed(1)}); `
    + `our frame work median ${median(cursor.work).toFixed(1)} ms`);

  // Zoom in / out with the keyboard, and a pan.
  for (const [label, key] of [['zoom in', '+'], ['zoom in', '+'], ['zoom out', '-'], ['fit', 'f']]) {
    await page.focus('#timeline');
    const t = Date.now();
    await page.keyboard.press(key);
    await view.frame();
    await view.frame();
    const stats = await page.evaluate(() => ({ ...window.__loopscope.timeline.stats }));
    console.log(`${label}: ${Date.now() - t} ms to settle; refresh ${stats.lastRefreshMs.toFixed(1)} ms; items ${stats.items}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
