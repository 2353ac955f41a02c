// Runs in the real extension host of a real VS Code (code-server), against the real vscode API.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'loopscope.loopscope';

const SCENARIO = `import asyncio


async def worker(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print(await asyncio.gather(worker("a", 0.01), worker("b", 0.02)))


asyncio.run(main())
`;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function loopscopeTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('loopscope.panel'));
}

describe('Loopscope in VS Code', () => {
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'loopscope-activation-'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command its package.json declares', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = JSON.parse(readFileSync(join(ext.extensionPath, 'package.json'), 'utf8'));
    const declared: string[] = (manifest.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    assert.ok(declared.includes('loopscope.visualize'), 'package.json does not declare loopscope.visualize');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter((c) => !registered.has(c)), [], 'declared but not registered');
  });

  it('opens the Loopscope panel for a Python file', async () => {
    const file = join(scratch, 'gather_demo.py');
    writeFileSync(file, SCENARIO);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    assert.equal(loopscopeTabs().length, 0, 'a Loopscope panel was already open');

    await vscode.commands.executeCommand('loopscope.visualize');

    const tab = await until('a loopscope.panel webview tab', () => loopscopeTabs()[0]);
    assert.equal(tab.label, 'Loopscope: gather_demo.py', 'the panel is titled with the scenario it shows');
  });
});
