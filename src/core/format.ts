// Plain-text formatting shared by the header, the lanes and the side views.
import type { ReasonKind } from '../protocol/events';
import type { TaskInfo } from './model';

/** A loop time: `t=3.000`. */
export function formatLoopTime(t: number): string {
  return `t=${t.toFixed(Math.abs(t) >= 1000 ? 1 : 3)}`;
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** `line 12`, or `helpers.py:12` for another file. */
export function formatLocation(line: number | null | undefined, file?: string): string {
  if (line === null || line === undefined) return file ? basename(file) : '';
  return file ? `${basename(file)}:${line}` : `line ${line}`;
}

export function taskTitle(task: TaskInfo): string {
  return task.label || task.name || `task ${task.id}`;
}

/** Colour family of a wait reason; drives the `reason-*` CSS class of suspended segments. */
export type ReasonCategory = 'timer' | 'yield' | 'await' | 'sync' | 'io' | 'executor' | 'other';

export function reasonCategory(kind: ReasonKind | string | undefined): ReasonCategory {
  switch (kind) {
    case 'sleep': case 'timeout': case 'wait_for': return 'timer';
    case 'yield': return 'yield';
    case 'task': case 'gather': case 'wait': case 'taskgroup': case 'shield': return 'await';
    case 'queue_get': case 'queue_put': case 'queue_join': case 'lock': case 'semaphore':
    case 'event': case 'condition': case 'barrier': return 'sync';
    case 'io_read': case 'io_write': case 'io_connect': case 'io_accept': case 'subprocess': return 'io';
    case 'executor': return 'executor';
    default: return 'other';
  }
}
