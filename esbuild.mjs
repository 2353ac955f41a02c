// Bundles the three runtime entry points (extension host, CLI, webview) into dist/, and the
// test sources into out/test/. `node esbuild.mjs --watch` rebuilds on change.
// Every build also checks the rooms' boundaries (see BOUNDARIES) and fails when one is crossed.
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

function filesUnder(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

/**
 * What each folder may not import. src/core and src/protocol are pure (every view and the CLI use
 * them, the webview too): no Node, no vscode. Node-only code lives in src/node; the webview draws
 * what the host sends and reaches neither Node, vscode, nor the host's code.
 */
const NODE = 'Node built-ins';
const BOUNDARIES = {
  'src/core/': [NODE, 'vscode', 'src/node/', 'src/extension/', 'src/cli/', 'webview/'],
  'src/protocol/': [NODE, 'vscode', 'src/core/', 'src/node/', 'src/extension/', 'src/cli/', 'webview/'],
  'src/node/': ['vscode', 'src/extension/', 'src/cli/', 'webview/'],
  'src/cli/': ['vscode', 'src/extension/', 'webview/'],
  'src/extension/': ['src/cli/', 'webview/'],
  'webview/': [NODE, 'vscode', 'src/node/', 'src/extension/', 'src/cli/'],
};

function isNodeBuiltin(path) {
  return path.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'crypto', 'stream', 'util', 'events',
    'url', 'net', 'worker_threads', 'readline', 'zlib', 'http', 'https'].includes(path.split('/')[0]);
}

/**
 * The imports in an esbuild metafile that cross a boundary, as "importer → imported (rule)" lines.
 * Paths in the metafile are relative to `base` (the working directory of the build).
 */
export function boundaryViolations(metafile, base = root) {
  const found = [];
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const from = relative(base, join(base, input)).replaceAll('\\', '/');
    const room = Object.keys(BOUNDARIES).find((prefix) => from.startsWith(prefix));
    if (!room) continue;
    for (const { path, original } of imports) {
      const target = original ?? path;
      const to = isNodeBuiltin(target) ? NODE : target === 'vscode' ? 'vscode'
        : relative(base, join(base, path)).replaceAll('\\', '/');
      const rule = BOUNDARIES[room].find((banned) => to === banned || to.startsWith(banned));
      if (rule) found.push(`${from} → ${target} (${room} may not import ${rule})`);
    }
  }
  return found;
}

/** Bundles `entryPoints` (nothing written) and returns the imports that cross a boundary. */
export async function checkBoundaries(entryPoints, base = root) {
  const result = await esbuild.build({
    entryPoints, absWorkingDir: base, bundle: true, write: false, metafile: true, logLevel: 'silent',
    platform: 'node', format: 'cjs', outdir: 'out', external: ['vscode'],
  });
  return boundaryViolations(result.metafile, base);
}

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
};

function builds(production) {
  return [
    {
      ...common,
      minify: production,
      entryPoints: { extension: 'src/extension/extension.ts', cli: 'src/cli/main.ts' },
      outdir: 'dist',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
    },
    {
      ...common,
      minify: production,
      entryPoints: { webview: 'webview/main.ts' },
      outdir: 'dist',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    },
    {
      ...common,
      entryPoints: [...filesUnder('test/unit', '.ts'), ...filesUnder('test/vscode', '.ts'), ...filesUnder('test/webview', '.ts')],
      outdir: 'out/test',
      outbase: 'test',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', 'mocha'],
    },
    {
      ...common,
      entryPoints: filesUnder('bench', '.ts'),
      outdir: 'out/bench',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    },
  ];
}

async function main() {
  process.chdir(root);
  const watch = process.argv.includes('--watch');
  const all = builds(process.argv.includes('--production'));
  if (watch) {
    for (const options of all) await (await esbuild.context(options)).watch();
    console.log('esbuild: watching for changes');
    return;
  }
  const results = await Promise.all(all.map((options) => esbuild.build(options)));
  const violations = [...new Set(results.flatMap((result) => boundaryViolations(result.metafile)))];
  if (violations.length) {
    console.error(`esbuild: ${violations.length} import(s) cross a boundary (see BOUNDARIES in esbuild.mjs):\n  ${violations.join('\n  ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await main();
