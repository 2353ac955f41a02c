// Traced vs untraced wall time of one scenario on one Python: runs alternate (untraced, traced) so
// both see the same machine noise; traced runs write events to a pipe read by a real Session.
// Prints one JSON object with the medians and their ratio.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Session } from '../src/node/session';

const TRACER = resolve(__dirname, '..', '..', 'src', 'tracer');

function untraced(python: string, scenario: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(python, [scenario], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => (code === 0 ? done(Number(process.hrtime.bigint() - started) / 1e9) : fail(new Error(`exit ${code}`))));
  });
}

async function traced(python: string, scenario: string, clock: 'virtual' | 'real'): Promise<{ seconds: number; events: number }> {
  const started = process.hrtime.bigint();
  const session = new Session({ python, scenario, cwd: join(scenario, '..'), clock, tracerPath: TRACER, timeoutSeconds: 600 }).start();
  const result = await session.done;
  if (result.outcome !== 'completed') throw new Error(`traced run ended ${result.outcome}: ${result.message ?? ''}`);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, events: session.decoder.stats.events };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const [python, scenarioArg, runsText = '5', clock = 'virtual'] = process.argv.slice(2);
  const scenario = resolve(scenarioArg);
  const runs = Number(runsText);
  const plain: number[] = [];
  const withTracer: number[] = [];
  let events = 0;
  for (let i = 0; i < runs; i++) {
    plain.push(await untraced(python, scenario));
    const run = await traced(python, scenario, clock as 'virtual' | 'real');
    withTracer.push(run.seconds);
    events = run.events;
  }
  console.log(JSON.stringify({
    python, scenario, runs, clock, events, untraced: median(plain), traced: median(withTracer),
    ratio: median(withTracer) / median(plain),
  }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
