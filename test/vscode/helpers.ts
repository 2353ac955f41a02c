// Shared by the suites that run in the real extension host: the extension's API, waiting for a
// condition, a setting changed for one test, hovers read back as text, and Visualize Loop on a
// scenario written to a temporary folder.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LoopscopeApi } from '../../src/extension/extension';
import type { Visualization } from '../../src/extension/visualization';

export async function api(): Promise<LoopscopeApi> {
  const extension = vscode.extensions.getExtension<LoopscopeApi>('loopscope.loopscope')!;
  return extension.isActive ? extension.exports : extension.activate();
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `body` with a Loopscope setting changed, then puts the setting back. */
export async function withSetting(key: string, value: unknown, body: () => Promise<void>): Promise<void> {
  const settings = vscode.workspace.getConfiguration('loopscope');
  await settings.update(key, value, vscode.ConfigurationTarget.Global);
  try {
    await body();
  } finally {
    await settings.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

export function lineOf(source: string, marker: string): number {
  return source.split('\n').findIndex((line) => line.includes(marker)) + 1;
}

/** The hover at a 1-based line, as a person reads it (program text is escaped Markdown). */
export async function hoverText(file: string, line: number, column = 8): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider',
    vscode.Uri.file(file), new vscode.Position(line - 1, column));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n')
    .replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!<>])/g, '$1');
}

/** A folder of its own for a suite's scenarios. */
export function scenarioDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `loopscope-${name}-`));
}

/** Writes `source` to `dir/name`, opens it and runs Visualize Loop on it to the end. */
export async function visualizeSource(dir: string, name: string, source: string, outcome = 'completed'): Promise<{ file: string; run: Visualization }> {
  const file = join(dir, name);
  writeFileSync(file, source);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), vscode.ViewColumn.One);
  const run = (await vscode.commands.executeCommand<Visualization>('loopscope.visualize', vscode.Uri.file(file)))!;
  assert.ok(run, 'Visualize Loop returned no visualization');
  const result = await run.session!.done;
  assert.equal(result.outcome, outcome, JSON.stringify(result));
  return { file, run };
}
