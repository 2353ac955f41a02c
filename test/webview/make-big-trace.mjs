#!/usr/bin/env node
// Writes a synthetic, protocol-valid trace (docs/protocol.md) for perf work on the webview: a small
// simulated event loop (FIFO ready queue, timers, virtual clock) runs N worker tasks that sleep,
// yield, wait on queues/locks/sockets and use an executor, print now and then, sometimes block.
//
//   node test/webview/make-big-trace.mjs [--tasks 1000] [--steps 100000] [--loops 1] [--seed 1]
//     [--clock virtual|real] [--out /tmp/big.jsonl]
import { createWriteStream } from 'node:fs';

const args = { tasks: 1000, steps: 100000, loops: 1, seed: 1, clock: 'virtual', out: '/tmp/loopscope-big.jsonl' };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  args[key] = ['clock', 'out'].includes(key) ? process.argv[i + 1] : Number(process.argv[i + 1]);
}

// Deterministic PRNG (mulberry32).
let seed = args.seed >>> 0;
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (items) => items[Math.floor(random() * items.length)];
const round = (x, digits = 6) => Number(x.toFixed(digits));

const SCENARIO = '/home/dev/bench/crawler.py';
const out = createWriteStream(args.out);
let eventCount = 0;
function emit(event) {
  eventCount++;
  out.write(`${JSON.stringify(event)}\n`);
}

// Scenario lines (a made-up crawler.py).
const LINES = {
  workerDef: 20, fetch: 24, sleep: 26, yield: 29, queueGet: 31, lock: 34, read: 37, executor: 40, print: 42,
  raise: 45, mainDef: 60, create: 64, gather: 70, mainSleep: 67, parse: 12,
};

const totalTasks = args.tasks;
const totalSteps = args.steps;
let wall = 0;
let nextTask = 1;
let nextTimer = 1;
let nextJob = 1;
let ticksTotal = 0;
let stepsTotal = 0;
const workersPerLoop = Math.max(1, Math.floor((totalTasks - args.loops) / args.loops));

function runLoop(loopId, workers, stepsBudget) {
  let t = 0;
  const tasks = new Map();
  const ready = [];
  const timers = []; // {when, id, task}
  const later = new Map(); // tick -> entries to enqueue at that tick (woken by "someone else")
  let n = 0;

  function createTask(label, coro, parent, line, steps) {
    const id = nextTask++;
    tasks.set(id, { id, label, steps, done: false, stack: null });
    emit({ ev: 'task', task: id, loop: loopId, name: `Task-${id}`, coro, label, parent, line, internal: false, t: round(t), wall: round(wall) });
    ready.push(id);
    return id;
  }
  function addTimer(when, task, fn, line) {
    const id = nextTimer++;
    timers.push({ when, id, task, fn, line });
    timers.sort((a, b) => a.when - b.when || a.id - b.id);
    emit({ ev: 'timer', loop: loopId, timer: id, when: round(when), fn, line, task, t: round(t) });
    return id;
  }
  function wakeLater(ticks, entry) {
    const at = n + ticks;
    if (!later.has(at)) later.set(at, []);
    later.get(at).push(entry);
  }

  // main(): creates the workers in batches of 100, sleeping 10 ms between batches, then gathers them.
  const perWorker = Math.max(1, Math.floor((stepsBudget - Math.ceil(workers / 100) - 1) / workers));
  let extra = stepsBudget - Math.ceil(workers / 100) - 1 - perWorker * workers;
  const main = createTask(loopId === 1 ? 'main()' : `main(${loopId})`, 'main', null, 80, 0);
  tasks.get(main).isMain = true;
  let created = 0;
  const children = [];
  emit({ ev: 'loop', loop: loopId, cls: '_UnixSelectorEventLoop', thread: 'MainThread', t: 0, wall: round(wall) });

  const urls = ['example.com', 'python.org', 'docs.python.org', 'pypi.org', 'github.com', 'wikipedia.org'];
  function stepTask(id) {
    const task = tasks.get(id);
    const dur = random() < 0.002 ? 0.12 + random() * 0.3 : 0.00002 + random() * 0.0002;
    const start = { t: round(t), dur: round(dur, 7) };
    // Like the tracer's virtual clock: real time spent running code counts, only waits are skipped.
    t += dur;
    wall += dur + 0.000005;
    stepsTotal++;
    if (task.isMain) {
      const from = task.started ? LINES.mainSleep : LINES.mainDef;
      task.started = true;
      if (created < workers) {
        const batch = Math.min(100, workers - created);
        for (let i = 0; i < batch; i++) {
          let steps = perWorker;
          if (extra > 0) { steps++; extra--; }
          const url = `https://${pick(urls)}/page/${created + i}`;
          children.push(createTask(`crawl('${url}', ${(created + i) % 7})`, 'crawl', id, LINES.create, steps));
        }
        created += batch;
        if (created < workers) {
          const timer = addTimer(t + 0.01, id, 'sleep', LINES.mainSleep);
          emit({ ev: 'step', task: id, ...start, from, to: LINES.mainSleep, stack: [[LINES.mainSleep, 'main']],
            reason: { kind: 'sleep', text: `asyncio.sleep(0.01): timer fires at t=${(t + 0.01).toFixed(3)}`, delay: 0.01, wake: round(t + 0.01), timer } });
          return;
        }
        const pending = children.filter((c) => !tasks.get(c).done).length;
        task.waiting = true;
        emit({ ev: 'step', task: id, ...start, from, to: LINES.gather, stack: [[LINES.gather, 'main']],
          reason: { kind: 'gather', text: `asyncio.gather: waiting for ${children.length} tasks, ${pending} pending`, children: children.slice(0, 50), pending } });
        return;
      }
      emit({ ev: 'step', task: id, ...start, from: LINES.gather, to: null });
      emit({ ev: 'output', stream: 'stdout', text: `crawled ${children.length} pages`, task: id, line: 72, loop: loopId, t: round(t), wall: round(wall) });
      emit({ ev: 'done', task: id, t: round(t), state: 'ok', result: 'None' });
      task.done = true;
      return;
    }

    const from = task.stack ? task.stack[0][0] : LINES.workerDef;
    task.steps--;
    if (random() < 0.1) {
      emit({ ev: 'output', stream: random() < 0.1 ? 'stderr' : 'stdout', text: `${task.label}: ${pick(['fetched', 'parsed', 'retry', 'queued'])} ${Math.floor(random() * 1000)} bytes`,
        task: id, line: LINES.print, loop: loopId, t: round(t), wall: round(wall) });
    }
    if (dur > 0.1) {
      emit({ ev: 'blocking', loop: loopId, what: 'step', task: id, fn: 'parse', line: LINES.parse, dur: round(dur, 7), t: round(t), n, sampled: true });
    }
    if (task.steps <= 0) {
      const r = random();
      const state = r < 0.03 ? 'exception' : r < 0.04 ? 'cancelled' : 'ok';
      emit({ ev: 'step', task: id, ...start, from, to: null });
      if (state === 'exception') emit({ ev: 'done', task: id, t: round(t), state, error: { type: 'TimeoutError', message: `gave up on ${task.label}`, line: LINES.raise } });
      else emit({ ev: 'done', task: id, t: round(t), state, ...(state === 'ok' ? { result: String(Math.floor(random() * 5000)) } : {}) });
      task.done = true;
      const mainTask = tasks.get(main);
      if (mainTask.waiting && children.every((c) => tasks.get(c).done)) {
        mainTask.waiting = false;
        ready.push({ fn: 'gather.<locals>._done_callback', kind: 'soon', wake: main });
      }
      return;
    }
    const r = random();
    let to;
    let reason;
    const sameStack = task.stack && random() < 0.5;
    if (r < 0.4) {
      const delay = pick([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5]) * (0.5 + random());
      to = LINES.sleep;
      const timer = addTimer(t + delay, id, 'sleep', LINES.sleep);
      reason = { kind: 'sleep', text: `asyncio.sleep(${delay.toFixed(3)}): timer fires at t=${(t + delay).toFixed(3)}`, delay: round(delay), wake: round(t + delay), timer };
    } else if (r < 0.6) {
      to = LINES.yield;
      reason = { kind: 'yield', text: 'asyncio.sleep(0): back in the ready queue' };
      ready.push(id);
    } else if (r < 0.75) {
      to = LINES.queueGet;
      reason = { kind: 'queue_get', text: 'queue.get(): waiting for an item (queue empty)', size: 0, maxsize: 100 };
      wakeLater(1 + Math.floor(random() * 30), id);
    } else if (r < 0.85) {
      to = LINES.lock;
      reason = { kind: 'lock', text: 'lock.acquire(): the lock is held by another task', locked: true };
      wakeLater(1 + Math.floor(random() * 10), id);
    } else if (r < 0.95) {
      to = LINES.read;
      const fd = 10 + (id % 50);
      reason = { kind: 'io_read', text: `reading from ${pick(urls)}:443 (fd ${fd})`, fd, peer: `${pick(urls)}:443` };
      wakeLater(1 + Math.floor(random() * 20), { fn: '_SelectorSocketTransport._read_ready', kind: 'io', wake: id, fd });
    } else {
      to = LINES.executor;
      const job = nextJob++;
      const thread = `ThreadPoolExecutor-0_${job % 4}`;
      emit({ ev: 'job', job, loop: loopId, task: id, fn: 'parse_html', line: LINES.executor, t: round(t), wall: round(wall) });
      const startWall = wall + 0.0001;
      const jobDur = 0.001 + random() * 0.01;
      emit({ ev: 'job_start', job, thread, wall: round(startWall) });
      emit({ ev: 'job_end', job, thread, wall: round(startWall + jobDur), dur: round(jobDur), ok: random() > 0.02, ...(random() < 0.02 ? { error: 'ValueError: bad markup' } : {}) });
      reason = { kind: 'executor', text: 'loop.run_in_executor(parse_html): running in a worker thread', fn: 'parse_html', job, thread };
      wakeLater(1 + Math.floor(random() * 5), { fn: 'Future.set_result', kind: 'threadsafe', wake: id });
    }
    const stack = [[LINES.fetch, 'crawl'], [to, 'fetch']];
    emit({ ev: 'step', task: id, ...start, from, to, ...(sameStack && task.stack[1][0] === to ? {} : { stack }), reason });
    task.stack = stack;
  }

  let guard = 0;
  while ([...tasks.values()].some((task) => !task.done)) {
    if (++guard > 5_000_000) throw new Error('simulation does not finish');
    n++;
    let waited = 0.000002;
    let jump = 0;
    let io;
    const woken = later.get(n);
    later.delete(n);
    if (woken) {
      for (const entry of woken) ready.push(entry);
      const fds = woken.filter((e) => typeof e === 'object' && e.fd !== undefined).map((e) => ({ fd: e.fd, events: 'r' }));
      if (fds.length) io = fds;
    }
    if (ready.length === 0 && timers.length > 0 && (later.size === 0 || Math.min(...later.keys()) > n + 1)) {
      const when = timers[0].when;
      if (when > t) {
        jump = when - t;
        if (args.clock === 'real') waited = jump;
        t = when;
      }
    }
    while (timers.length > 0 && timers[0].when <= t) {
      const timer = timers.shift();
      ready.push({ fn: timer.fn, line: timer.line, timer: timer.id, kind: 'timer', wake: timer.task });
    }
    if (ready.length === 0 && later.size === 0 && timers.length === 0) break;
    wall += waited;
    const entries = ready.splice(0, ready.length);
    const tickEvent = {
      ev: 'tick', loop: loopId, n, t: round(t), wall: round(wall), waited: round(args.clock === 'real' ? waited : waited, 7),
      jump: args.clock === 'virtual' ? round(jump) : 0,
      ready: entries.map((e) => (typeof e === 'number' ? e : Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'wake')))),
    };
    if (io) tickEvent.io = io;
    emit(tickEvent);
    ticksTotal++;
    for (const entry of entries) {
      if (typeof entry === 'number') {
        if (!tasks.get(entry).done) stepTask(entry);
        continue;
      }
      const dur = 0.000005 + random() * 0.00002;
      t += dur;
      wall += dur;
      emit({ ev: 'callback', loop: loopId, fn: entry.fn, ...(entry.line ? { line: entry.line } : {}), kind: entry.kind,
        ...(entry.timer ? { timer: entry.timer } : {}), t: round(t), dur: round(dur, 7) });
      if (entry.wake !== undefined && !tasks.get(entry.wake).done) ready.push(entry.wake);
    }
  }
  emit({ ev: 'loop_closed', loop: loopId, t: round(t), wall: round(wall) });
}

emit({
  ev: 'start', protocol: 1, minor: 0, python: '3.12.3', executable: '/usr/bin/python3', scenario: SCENARIO,
  argv: [SCENARIO], cwd: '/home/dev/bench', clock: args.clock, pid: 4242,
  limits: { ticks: null, virtualSeconds: null, wallSeconds: null, events: null }, blockingMs: 100,
});
const stepsPerLoop = Math.floor(totalSteps / args.loops);
for (let loop = 1; loop <= args.loops; loop++) runLoop(loop, workersPerLoop, stepsPerLoop);
emit({
  ev: 'end', outcome: 'completed', limit: null, exitCode: 0, error: null,
  counts: { loops: args.loops, ticks: ticksTotal, tasks: nextTask - 1, steps: stepsTotal, events: eventCount + 1 }, wall: round(wall),
});
out.end(() => console.log(`${args.out}: ${eventCount} events, ${ticksTotal} ticks, ${nextTask - 1} tasks, ${stepsTotal} steps`));
