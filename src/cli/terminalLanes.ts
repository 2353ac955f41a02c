// Task lanes drawn with Unicode blocks for `loopscope lanes`: the segments the panel draws
// (core/lanes.ts), one row per task, one character per slice of ticks (or of loop time): running
// when the task ran in that slice at all, else the state that covers most of it.
import { buildLanes, laneSegments, type Segment } from '../core/lanes';
import { Layout } from '../core/layout';
import type { TraceModel } from '../core/model';

const GLYPH = { running: '█', ready: '▒', suspended: '─', none: ' ', ok: '✓', exception: '✗', cancelled: '⊘' };
const COLOR = { running: '\x1b[32m', ready: '\x1b[33m', suspended: '\x1b[2m', exception: '\x1b[31m', reset: '\x1b[0m' };
const LABEL_WIDTH = 28;

export interface LaneOptions {
  by: 'tick' | 'time';
  width: number;
  color: boolean;
}

type Paint = (glyph: keyof typeof COLOR, text: string) => string;

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function drawLanes(model: TraceModel, options: LaneOptions): string {
  const out: string[] = [];
  const columns = Math.max(10, options.width - LABEL_WIDTH - 1);
  const paint: Paint = (glyph, text) => (options.color ? `${COLOR[glyph]}${text}${COLOR.reset}` : text);
  const layout = new Layout(model, options.by, model.start?.clock !== 'real');
  const lanes = buildLanes(model, false);
  for (const loop of model.loops.values()) {
    const ticks = loop.ticks;
    if (ticks.length === 0) continue;
    const from = layout.cursorX(ticks[0]);
    const to = layout.loopEnd(loop.id);
    const unit = options.by === 'tick' ? `${ticks.length} ticks`
      : `t=${model.ticks[ticks[0]].t.toFixed(3)} → ${to.toFixed(3)} s`;
    out.push(`loop ${loop.id} · ${unit} · ${GLYPH.running} running ${GLYPH.ready} ready ${GLYPH.suspended} suspended`
      + ` ${GLYPH.ok} done ${GLYPH.exception} raised ${GLYPH.cancelled} cancelled`);
    const cell = (to - from) / columns;
    const query = { from, to, coarse: options.by === 'tick' && cell > 1 };
    for (const lane of lanes) {
      if (lane.kind !== 'task' || lane.loop !== loop.id) continue;
      const row = laneRow(laneSegments(lane, model, layout, query), from, cell, columns, paint);
      out.push(`${fit(lane.task!.label, LABEL_WIDTH)} ${row}`.trimEnd());
    }
    out.push('');
  }
  return out.join('\n');
}

/** One character per cell of `cell` axis units from `from`, then the done mark. */
function laneRow(segments: Segment[], from: number, cell: number, columns: number, paint: Paint): string {
  const weights = Array.from({ length: columns }, () => ({ running: 0, ready: 0, suspended: 0 }));
  let done: { at: number; state: 'ok' | 'exception' | 'cancelled' } | undefined;
  for (const seg of segments) {
    const kind = seg.info.kind;
    if (kind === 'done') {
      // In the first cell after the task's last step ended.
      done = { at: Math.ceil((seg.start - from) / cell), state: seg.info.task.done!.state };
      continue;
    }
    if (kind !== 'running' && kind !== 'ready' && kind !== 'suspended') continue;
    const first = Math.max(0, Math.floor((seg.start - from) / cell));
    const last = Math.min(columns - 1, Math.floor((seg.end - from) / cell));
    for (let c = first; c <= last; c++) {
      const overlap = Math.min(seg.end, from + (c + 1) * cell) - Math.max(seg.start, from + c * cell);
      weights[c][kind] += Math.max(overlap, cell * 0.01);
    }
  }
  const glyphs = weights.map((w) => {
    if (w.running > 0) return paint('running', GLYPH.running);
    if (w.ready === 0 && w.suspended === 0) return GLYPH.none;
    return w.ready >= w.suspended ? paint('ready', GLYPH.ready) : paint('suspended', GLYPH.suspended);
  });
  if (done) {
    const mark = paint(done.state === 'ok' ? 'running' : 'exception', GLYPH[done.state]);
    if (done.at >= columns) glyphs.push(mark);
    else glyphs[Math.max(0, done.at)] = mark;
  }
  return glyphs.join('');
}
