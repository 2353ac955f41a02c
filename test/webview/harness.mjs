#!/usr/bin/env node
// Headless harness for the webview: serves dist/webview.js + dist/webview.css from 127.0.0.1 under
// the same CSP as the real panel, fakes acquireVsCodeApi (records posted messages, keeps setState),
// themes the page like VS Code does (body class + --vscode-* variables), and serves it a trace as the
// extension host does: through the same PanelServer (out/test/webview/host.js), across the process
// boundary between this Node process and the browser. Takes screenshots.
//
//   node test/webview/harness.mjs --trace trace.jsonl \
//     [--theme dark|light|hc] [--width 1200] [--height 800] [--axis tick|time] [--cursor N]
//     [--screenshot out.png] [--show-internal] [--headed]
//
// Build first: node esbuild.mjs. As a module: import { openWebview, readTrace } from './harness.mjs'.
import { createRequire } from 'node:module';
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
      postMessage: (message) => {
        const text = JSON.stringify(message);
        window.__posted.push(JSON.parse(text));
        // To the host in the harness's Node process (exposed before the page loads).
        window.__toHost?.(text);
      },
      getState: () => window.__savedState,
      setState: (next) => { window.__savedState = JSON.parse(JSON.stringify(next)); },
    };
  };
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__csp.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sourceFile ?? ''}:${e.lineNumber ?? ''} ${e.sample ?? ''}`);
  });
}

/** The webview has drawn everything it was sent and asked for (no request in flight, nothing queued). */
function settledInPage() {
  const app = window.__loopscope;
  const timeline = app?.timeline;
  return !!app && !app.pendingMoment && !app.frameQueued && !timeline.inFlight && !timeline.answer && !timeline.stale && !timeline.settle;
}

/**
 * Opens the webview in headless chromium, with a host (HarnessHost) serving it. Returns helpers:
 * show(events, opts) / open(path, opts) (the host shows a trace), send(msg) (a host message as is),
 * host, posted(), clearPosted(), frame(), screenshot(path), state(), reopen() (a hidden/shown cycle:
 * reloads with the saved state, the host shows the trace again), close(); page and browser too.
 */
export async function openWebview({ theme = 'dark', width = 1200, height = 800, state, headed = false } = {}) {
  if (!existsSync(join(ROOT, 'dist', 'webview.js'))) throw new Error('dist/webview.js missing: run node esbuild.mjs');
  const { HarnessHost } = createRequire(import.meta.url)(join(ROOT, 'out', 'test', 'webview', 'host.js'));
  const server = await startServer();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: !headed, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const errors = [];
  let page;
  // Host -> webview, in order: each message is posted in the page once the one before it was.
  let delivering = Promise.resolve();
  let pending = 0;
  const deliver = (message) => {
    const text = JSON.stringify(message);
    pending++;
    delivering = delivering.then(() => page.evaluate((m) => window.postMessage(JSON.parse(m), '*'), text))
      .catch((error) => { if (!page.isClosed()) errors.push(`deliver: ${error.message}`); })
      .finally(() => { pending--; });
  };
  const host = new HarnessHost(deliver);
  // Webview -> host.
  await context.exposeBinding('__toHost', (_source, text) => host.receive(JSON.parse(text)));

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
    host,
    /** Posts a host message to the webview as it is. */
    async send(message) {
      deliver(message);
      await delivering;
    },
    /** The host shows a trace (events), then (optionally) moves the cursor; waits until drawn. */
    async show(events, { cursor, showInternal = false, status } = {}) {
      host.show(events, { cursor, showInternal, status });
      await api.frame();
    },
    /** The host opens a trace file as Open Trace does; waits until drawn. */
    async open(path, { cursor, showInternal = false } = {}) {
      await host.open(path, { cursor, showInternal });
      await api.frame();
    },
    /** Waits until the host and the webview are done: every message delivered, answered and drawn (then two frames). */
    async frame() {
      for (;;) {
        await delivering;
        const settled = await page.evaluate(settledInPage);
        if (settled && pending === 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      await delivering;
    },
    async posted() { return page.evaluate(() => window.__posted); },
    async clearPosted() { await page.evaluate(() => { window.__posted.length = 0; }); },
    async csp() { return page.evaluate(() => window.__csp); },
    async state() { return page.evaluate(() => window.__savedState); },
    async screenshot(path) { await page.screenshot({ path, fullPage: false }); },
    /** Hide + show: a fresh page with the state the webview saved; its `ready` makes the host show the trace again. */
    async reopen() {
      const saved = await api.state();
      await page.close();
      await load(saved);
      await api.frame();
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
  const args = { theme: 'dark', width: 1200, height: 800 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (['show-internal', 'headed'].includes(key)) args[key] = true;
    else args[key] = argv[++i];
  }
  for (const key of ['width', 'height', 'cursor']) if (args[key] !== undefined) args[key] = Number(args[key]);
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.trace) throw new Error('--trace trace.jsonl is needed');
  const view = await openWebview({ theme: args.theme, width: args.width, height: args.height, headed: args.headed });
  try {
    if (args.axis) await view.send({ type: 'axis', axis: args.axis });
    await view.open(resolve(args.trace), { cursor: args.cursor, showInternal: args['show-internal'] });
    if (args.screenshot) {
      await view.screenshot(args.screenshot);
      console.log(`screenshot: ${args.screenshot}`);
    }
    const csp = await view.csp();
    if (csp.length) console.log(`CSP violations (${csp.length}):\n  ${[...new Set(csp)].slice(0, 10).join('\n  ')}`);
    if (view.errors.length) console.log(`page errors (${view.errors.length}):\n  ${view.errors.slice(0, 10).join('\n  ')}`);
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
