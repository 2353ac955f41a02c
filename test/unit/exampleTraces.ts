// Shared by examples.test.ts and narrate.test.ts: runs an example from examples/ under the tracer
// once per test file and finds lines in its source by their text, so editing an example never
// breaks a test through a shifted line number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceModel } from '../../src/core/model';
import type { SessionResult } from '../../src/node/session';
import { REPO, startSession } from './helpers';

export const EXAMPLES = join(REPO, 'examples');

export interface ExampleTrace {
  name: string;
  source: string;
  model: TraceModel;
  result: SessionResult;
  stdout: string;
  stderr: string;
}

const traces = new Map<string, Promise<ExampleTrace>>();

/** The example `examples/<name>.py` run under the tracer (virtual clock), cached per test file. */
export function traceExample(name: string): Promise<ExampleTrace> {
  let trace = traces.get(name);
  if (!trace) {
    trace = (async () => {
      const file = join(EXAMPLES, `${name}.py`);
      const session = startSession({ scenario: file });
      const out = { stdout: '', stderr: '' };
      session.onOutput(({ stream, data }) => { out[stream] += data.toString('utf8'); });
      const result = await session.done;
      return { name, source: readFileSync(file, 'utf8'), model: session.model, result, ...out };
    })();
    traces.set(name, trace);
  }
  return trace;
}

/** The 1-based line of the only line of `source` containing `text`. */
export function lineOf(source: string, text: string): number {
  const lines = source.split('\n');
  const found = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`expected one line containing ${JSON.stringify(text)}, found ${found.length}`);
  return found[0];
}

/** Loop time of the first tick of `loop`: examples speak in seconds since their start. */
export function startTime(model: TraceModel, loop = 1): number {
  const info = model.loops.get(loop);
  if (!info) throw new Error(`no loop ${loop}`);
  return model.ticks[info.firstTick].t;
}

/** The task whose coroutine is `coro` (and whose label contains `label`, when given). */
export function taskOf(model: TraceModel, coro: string, label?: string) {
  const found = model.taskOrder.filter((t) => t.coro.split('.').pop() === coro && (label === undefined || t.label.includes(label)));
  if (found.length !== 1) throw new Error(`expected one task ${coro} ${label ?? ''}, found ${found.length}`);
  return found[0];
}

/** The Python version the trace ran on, as [major, minor]. */
export function pythonOf(model: TraceModel): [number, number] {
  const [major, minor] = (model.start?.python ?? '0.0').split('.').map(Number);
  return [major, minor];
}
