// A deterministic generated trace for model tests: many tasks created, stepping, sleeping on
// timers (some cancelled) and finishing, over as many ticks as asked.
import type { TraceEvent } from '../../src/protocol/events';

/** A deterministic pseudo-random trace: tasks created, stepping, sleeping on timers, finishing. */
export function generateTrace(ticks: number, seed = 7): TraceEvent[] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const events: TraceEvent[] = [{
    ev: 'start', protocol: 1, minor: 0, python: '3.11.7', executable: 'python3', scenario: '/s.py', argv: ['/s.py'],
    cwd: '/', clock: 'virtual', pid: 1, limits: { ticks: null, virtualSeconds: null, wallSeconds: null, events: null }, blockingMs: 100,
  }, { ev: 'loop', loop: 1, cls: 'Loop', thread: 'MainThread', t: 0, wall: 0 }];
  let nextTask = 1;
  let nextTimer = 1;
  let ready: number[] = [];
  const sleeping = new Map<number, { task: number; when: number }>();
  const live = new Set<number>();
  let t = 0;
  for (let n = 1; n <= ticks; n++) {
    t += random() < 0.3 ? 0.5 : 0;
    const firing = [...sleeping.entries()].filter(([, s]) => s.when <= t).map(([id]) => id);
    events.push({
      ev: 'tick', loop: 1, n, t, wall: n / 1000, waited: 0, jump: 0,
      ready: [...ready, ...firing.map((timer) => ({ fn: '_set_result_unless_cancelled', kind: 'timer' as const, timer }))],
    });
    const running = ready;
    ready = [];
    for (const timer of firing) {
      ready.push(sleeping.get(timer)!.task);
      sleeping.delete(timer);
    }
    if (random() < 0.2 || live.size === 0) {
      const task = nextTask++;
      live.add(task);
      events.push({ ev: 'task', task, loop: 1, name: `Task-${task}`, coro: 'work', label: `work(${task})`, parent: null, line: 1, internal: false, t, wall: 0 });
      ready.push(task);
    }
    for (const task of running) {
      const roll = random();
      if (roll < 0.15) {
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: null });
        events.push({ ev: 'done', task, t, state: roll < 0.05 ? 'exception' : 'ok' });
        live.delete(task);
      } else if (roll < 0.6) {
        const timer = nextTimer++;
        const when = t + 0.5 + Math.floor(random() * 4) * 0.5;
        events.push({ ev: 'timer', loop: 1, timer, when, fn: '_set_result_unless_cancelled', task, t });
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: 7, stack: [[7, 'work']], reason: { kind: 'sleep', text: `sleep until ${when}`, wake: when, timer } });
        sleeping.set(timer, { task, when });
        if (random() < 0.1) {
          events.push({ ev: 'timer_cancel', loop: 1, timer, t });
          sleeping.delete(timer);
        }
      } else {
        events.push({ ev: 'step', task, t, dur: 0.0001, from: 5, to: 9, reason: { kind: 'yield', text: 'sleep(0)' } });
        ready.push(task);
      }
    }
  }
  return events;
}
