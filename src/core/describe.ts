// Words for what the model holds: the short forms used in editor decorations and the terminal, and
// the sentences of hovers. Only restates what the tracer reported; it never infers asyncio behaviour.
import type { ReadyEntry, WaitReason } from '../protocol/events';
import type { TaskInfo, TaskSnapshot, TraceModel } from './model';

/** The task's own name when the program gave it one, else its coroutine's name. */
export function displayName(task: TaskInfo): string {
  if (!/^Task-\d+$/.test(task.name)) return task.name;
  return task.coro.split('.').pop() ?? task.name;
}

export function seconds(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** A duration in seconds, in the unit that reads best: 12 µs, 3.4 ms, 1.25 s, 2 min 5 s. */
export function duration(value: number): string {
  const s = Math.abs(value);
  const trim = (n: number, decimals: number) => String(Number(n.toFixed(decimals)));
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${trim(value * 1e6, 0)} µs`;
  if (s < 1) return `${trim(value * 1e3, s < 0.01 ? 2 : 1)} ms`;
  if (s < 60) return `${trim(value, 3)} s`;
  const minutes = Math.floor(s / 60);
  return `${value < 0 ? '-' : ''}${minutes} min ${trim(s - minutes * 60, 1)} s`;
}

/** A compact reason for an after-line decoration, e.g. `sleep 5s → t=5.000`. */
export function shortReason(reason: WaitReason | undefined, model?: TraceModel): string {
  if (!reason) return 'waiting';
  switch (reason.kind) {
    case 'sleep':
      return typeof reason.delay === 'number' && reason.wake !== undefined
        ? `sleep ${+reason.delay.toFixed(3)}s → t=${seconds(reason.wake)}` : 'sleep';
    case 'yield': return 'yield (back in the ready queue)';
    case 'task': return `awaits ${taskName(reason.task, model)}`;
    case 'gather': return reason.pending !== undefined && reason.children
      ? `gather ${reason.children.length - reason.pending}/${reason.children.length} done` : 'gather';
    case 'queue_get': case 'queue_put': case 'queue_join':
      return `${reason.kind.replace('_', '.')}${reason.size !== undefined ? ` (size ${reason.size}${reason.maxsize ? `/${reason.maxsize}` : ''})` : ''}`;
    case 'executor': return `executor ${reason.fn ?? ''}${reason.thread ? ` on ${reason.thread}` : ''}`.trim();
    case 'io_read': case 'io_write': case 'io_connect': case 'io_accept':
      return `${reason.kind.replace('_', ' ')}${reason.peer ? ` ${reason.peer}` : ''}`;
    case 'wait_for': case 'timeout':
      return typeof reason.deadline === 'number' ? `${reason.kind} until t=${seconds(reason.deadline)}` : reason.kind;
    default: return reason.kind.replace('_', ' ');
  }
}

export function taskName(id: number | undefined, model?: TraceModel): string {
  if (id === undefined) return 'a task';
  const task = model?.tasks.get(id);
  return task ? displayName(task) : `task ${id}`;
}

/** One line describing a task at a tick, as the CLI and the hover say it. */
export function describeSnapshot(snapshot: TaskSnapshot): string {
  const where = snapshot.line !== null ? ` at line ${snapshot.line}` : '';
  const who = `${snapshot.task.name} (${snapshot.task.label})`;
  switch (snapshot.state) {
    case 'done': {
      const done = snapshot.task.done!;
      if (done.state === 'ok') return `${who}: done${done.result !== undefined ? ` → ${done.result}` : ''}`;
      if (done.state === 'cancelled') return `${who}: cancelled`;
      return `${who}: raised ${done.error?.type ?? 'an exception'}${done.error?.message ? `: ${done.error.message}` : ''}`;
    }
    case 'new': return `${who}: created, not started yet`;
    case 'ready': return `${who}: ready, in the ready queue${where}${snapshot.reason ? ` (was: ${snapshot.reason.text})` : ''}`;
    case 'suspended': return `${who}: suspended${where}: ${snapshot.reason?.text ?? 'waiting'}`;
  }
}

export function describeReadyEntry(entry: ReadyEntry, model: TraceModel): string {
  if (typeof entry === 'number') {
    const task = model.tasks.get(entry);
    return task ? `step ${task.name} (${task.label})` : `step task ${entry}`;
  }
  const where = entry.line !== undefined ? ` (line ${entry.line})` : '';
  return `${entry.kind === 'timer' ? 'timer' : 'callback'} ${entry.fn}${where}`;
}
