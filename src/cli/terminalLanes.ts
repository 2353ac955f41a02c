// Task lanes drawn with Unicode blocks for `loopscope lanes`: one row per task, one column per slice
// of ticks (or of loop time), the character saying what the task was doing in that slice.
import { firstIndex, type TaskInfo, type TraceModel } from '../core/model';

const GLYPH = { running: '█', ready: '▒', suspended: '─', none: ' ', ok: '✓', exception: '✗', cancelled: '⊘' };
const COLOR = { running: '\x1b[32m', ready: '\x1b[33m', suspended: '\x1b[2m', exception: '\x1b[31m', reset: '\x1b[0m' };
const LABEL_WIDTH = 28;

export interface LaneOptions {
  by: 'tick' | 'time';
  width: number;
  color: boolean;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function drawLanes(model: TraceModel, options: LaneOptions): string {
  const out: string[] = [];
  const columns = Math.max(10, options.width - LABEL_WIDTH - 1);
  const paint = (glyph: keyof typeof COLOR, text: string) => (options.color ? `${COLOR[glyph]}${text}${COLOR.reset}` : text);
  for (const loop of model.loops.values()) {
    const ticks = loop.ticks;
    if (ticks.length === 0) continue;
    const first = model.ticks[ticks[0]].t;
    const last = model.ticks[ticks[ticks.length - 1]].t;
    // Column c covers ticks [tickOf(c), tickOf(c + 1)) of this loop, by count or by loop time.
    const tickOf = (c: number): number => {
      if (options.by === 'tick') return Math.floor((c * ticks.length) / columns);
      const t = first + ((last - first) * c) / columns;
      return c >= columns ? ticks.length : firstIndex(ticks, (index) => model.ticks[index].t >= t);
    };
    const unit = options.by === 'tick' ? `${ticks.length} ticks` : `t=${first.toFixed(3)} → ${last.toFixed(3)} s`;
    out.push(`loop ${loop.id} · ${unit} · ${GLYPH.running} running ${GLYPH.ready} ready ${GLYPH.suspended} suspended`
      + ` ${GLYPH.ok} done ${GLYPH.exception} raised ${GLYPH.cancelled} cancelled`);
    for (const task of model.taskOrder) {
      if (task.loop !== loop.id || task.internal) continue;
      out.push(`${fit(task.label, LABEL_WIDTH)} ${laneRow(model, task, ticks, columns, tickOf, paint)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function laneRow(model: TraceModel, task: TaskInfo, ticks: number[], columns: number,
  tickOf: (c: number) => number, paint: (glyph: keyof typeof COLOR, text: string) => string): string {
  let row = '';
  let doneDrawn = false;
  for (let c = 0; c < columns; c++) {
    const from = tickOf(c);
    const to = Math.max(from + 1, tickOf(c + 1));
    const firstTick = ticks[Math.min(from, ticks.length - 1)];
    const lastTick = ticks[Math.min(to, ticks.length) - 1];
    if (task.created.tick >= lastTick && task.steps[0]?.tick !== lastTick) {
      row += GLYPH.none;
      continue;
    }
    if (task.done && task.done.tick < firstTick) {
      row += doneDrawn ? GLYPH.none : paint(task.done.state === 'ok' ? 'running' : 'exception', GLYPH[task.done.state]);
      doneDrawn = true;
      continue;
    }
    const stepIndex = firstIndex(task.steps, (s) => s.tick >= firstTick);
    if (stepIndex < task.steps.length && task.steps[stepIndex].tick <= lastTick) {
      row += paint('running', GLYPH.running);
      continue;
    }
    const snapshot = model.snapshot(task, firstTick, model.isReadyIn(firstTick, task.id));
    if (snapshot.state === 'ready' || snapshot.state === 'new') row += paint('ready', GLYPH.ready);
    else if (snapshot.state === 'suspended') row += paint('suspended', GLYPH.suspended);
    else row += GLYPH.none;
  }
  if (task.done && !doneDrawn) row += paint(task.done.state === 'ok' ? 'running' : 'exception', GLYPH[task.done.state]);
  return row;
}
