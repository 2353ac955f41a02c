// The .vsix holds only what runs, and the README states its size.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, scenarioDir } from './helpers';

const ALLOWED = [
  /^extension\/(package\.json|readme\.md|LICENSE\.txt|changelog\.md)$/i,
  /^extension\/dist\/(extension|cli|webview)\.js$/,
  /^extension\/dist\/webview\.css$/,
  /^extension\/dist\/[\w-]+\.(ttf|woff2?)$/,
  /^extension\/src\/tracer\/loopscope_tracer\/\w+\.py$/,
  /^extension\/src\/tracer\/loopscope_tracer\/_accel\.c$/,
  /^extension\/media\/.+\.(png|svg|md)$/,
  /^extension\/examples\/\w+\.py$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
];

describe('the .vsix package', function () {
  this.timeout(120_000);
  const vsix = join(scenarioDir(), 'loopscope.vsix');
  let files: string[] = [];

  before(() => {
    execFileSync(process.execPath, [join(REPO, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies',
      '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: REPO, stdio: 'pipe' });
    files = execFileSync('zipinfo', ['-1', vsix], { encoding: 'utf8' }).trim().split('\n');
  });

  it('holds the bundles, the tracer, media and docs', () => {
    for (const needed of ['extension/dist/extension.js', 'extension/dist/cli.js', 'extension/dist/webview.js',
      'extension/dist/webview.css', 'extension/src/tracer/loopscope_tracer/__main__.py',
      'extension/src/tracer/loopscope_tracer/_accel.c', 'extension/media/icon.png',
      'extension/readme.md', 'extension/LICENSE.txt', 'extension/changelog.md', 'extension/package.json']) {
      assert.ok(files.includes(needed), `${needed} is missing from the .vsix`);
    }
  });

  it('holds nothing else: no sources, tests, maps or packages', () => {
    assert.deepEqual(files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file))), []);
  });

  it('has the size the README states, within a quarter', () => {
    const stated = /The `\.vsix` is about (\d+) KB/.exec(readFileSync(join(REPO, 'README.md'), 'utf8'));
    assert.ok(stated, 'the README states the .vsix size as "The `.vsix` is about N KB"');
    const actual = statSync(vsix).size / 1024;
    const ratio = actual / Number(stated[1]);
    assert.ok(ratio > 0.75 && ratio < 1.25, `README says ${stated[1]} KB, the package is ${actual.toFixed(0)} KB`);
  });
});
