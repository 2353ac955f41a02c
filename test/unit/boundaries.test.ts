// The build fails when a room imports what it may not (esbuild.mjs, BOUNDARIES): pure code in
// src/core reaching Node or vscode, the webview reaching the host's code.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, scenarioDir } from './helpers';

type Check = (entryPoints: string[], base?: string) => Promise<string[]>;

async function checkBoundaries(): Promise<Check> {
  const url = pathToFileURL(join(REPO, 'esbuild.mjs')).href;
  return ((await import(url)) as { checkBoundaries: Check }).checkBoundaries;
}

function tree(files: Record<string, string>): string {
  const base = scenarioDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), text);
  }
  return base;
}

describe('room boundaries in the build', () => {
  it('reports pure code importing Node, vscode or Node-only code, and the webview importing the host', async () => {
    const base = tree({
      'src/core/pure.ts': "import { readFileSync } from 'node:fs';\nimport * as vscode from 'vscode';\nimport { run } from '../node/run';\nexport const x = [readFileSync, vscode, run];\n",
      'src/node/run.ts': "import { spawn } from 'node:child_process';\nexport const run = spawn;\n",
      'webview/main.ts': "import { x } from '../src/core/pure';\nimport { panel } from '../src/extension/panel';\nconsole.log(x, panel);\n",
      'src/extension/panel.ts': 'export const panel = 1;\n',
    });
    const found = await (await checkBoundaries())(['webview/main.ts'], base);
    assert.deepEqual(found.sort(), [
      'src/core/pure.ts → ../node/run (src/core/ may not import src/node/)',
      'src/core/pure.ts → node:fs (src/core/ may not import Node built-ins)',
      'src/core/pure.ts → vscode (src/core/ may not import vscode)',
      'webview/main.ts → ../src/extension/panel (webview/ may not import src/extension/)',
    ]);
  });

});
