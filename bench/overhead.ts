// Traced vs untraced wall time of one scenario on one Python: runs alternate (untraced, traced) so
// both see the same machine noise; traced runs write events to a pipe read by a real Session.
// With --floor, each round also runs the scenario under a sys.setprofile hook that does nothing
// (bench/noop_profile.py): the least any profile-hook tracer costs, the floor for the tracer's ratio;
// and traced with its events written to /dev/null, no Session reading them ("alone"): on 2 cores
// the Session decoding beside the program slows it too, and this tells the two costs apart.
// Prints one JSON object with the medians and their ratios.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Session } from '../src/node/session';

const TRACER = resolve(__dirname, '..', '..', 'src', 'tracer');
const NOOP_PROFILE = resolve(__dirname, '..', '..', 'bench', 'noop_profile.py');

/** Wall seconds of `python ...args` (without the tracer, unless args run it). */
function plain(python: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(python, args, { stdio: ['ignore', 'ignore', 'inherit'], env });
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
  const args = process.argv.slice(2);
  const withFloor = args.includes('--floor');
  const [python, scenarioArg, runsText = '5', clock = 'virtual'] = args.filter((arg) => arg !== '--floor');
  const scenario = resolve(scenarioArg);
  const runs = Number(runsText);
  const untraced: number[] = [];
  const withTracer: number[] = [];
  const underNoopProfile: number[] = [];
  const alone: number[] = [];
  const aloneEnv = { ...process.env, PYTHONPATH: TRACER };
  let events = 0;
  for (let i = 0; i < runs; i++) {
    untraced.push(await plain(python, [scenario]));
    const run = await traced(python, scenario, clock as 'virtual' | 'real');
    withTracer.push(run.seconds);
    events = run.events;
    if (withFloor) {
      underNoopProfile.push(await plain(python, [NOOP_PROFILE, scenario]));
      alone.push(await plain(python, ['-m', 'loopscope_tracer', '--events-file', '/dev/null', '--clock', clock, scenario],
        aloneEnv));
    }
  }
  const floor = withFloor ? {
    floor: median(underNoopProfile), floorRatio: median(underNoopProfile) / median(untraced),
    alone: median(alone), aloneRatio: median(alone) / median(untraced),
  } : {};
  console.log(JSON.stringify({
    python, scenario, runs, clock, events, untraced: median(untraced), traced: median(withTracer),
    ratio: median(withTracer) / median(untraced), ...floor,
  }));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
