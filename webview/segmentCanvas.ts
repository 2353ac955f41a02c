// The lanes' segments drawn on one canvas instead of an element each: a dense window brings over a
// thousand segments, and each element costs the browser about the same to style, lay out and paint
// whatever it holds, which made a jump to another window several frames long. One canvas for all
// lanes, not one each: each canvas is a layer of its own, and committing thirty of them to the
// compositor cost about as much as drawing them. How a segment looks
// still comes from styles.css: a hidden element of each segment class is read once (its fill,
// stripes, bottom line, left border, outline, corner radius, text font and colour, whether it comes
// on top), so the theme's colours and the high-contrast outlines apply as before.
import type { SegmentRow } from '../src/protocol/panel';
import { el } from './dom';

/** Segment height in px (matches .vis-item.seg in styles.css). */
export const SEGMENT_PX = 16;
/** Room above and below the segments for outlines drawn outside them, px. */
const PAD_PX = 2;
/** Browsers refuse bigger canvases; a wider strip is stretched (only while zoomed far beyond its answer). */
const MAX_CANVAS_PX = 16384;

interface Look {
  radius: number;
  fill?: string;
  stripes?: CanvasPattern;
  /** An inset box-shadow along the bottom (suspended segments). */
  bottom?: { color: string; height: number };
  borderLeft?: { color: string; width: number };
  outline?: { color: string; width: number; offset: number };
  /** z-index above the others (markers, blocking): drawn after all the others. */
  onTop: boolean;
  text: {
    color: string;
    font: string;
    padLeft: number;
    /** Drawn outside, right of the segment, in a box of its own (the blocking bar's label). */
    label?: { background: string; border: string; borderWidth: number; marginLeft: number; padRight: number };
  };
}

/** Where each segment of a lane was drawn (css px from the canvas's left), for hit tests and tests. */
export interface Painted {
  /** Segment indexes in the order drawn (the last on top). */
  order: number[];
  left: Float64Array;
  /** The right edge, its label included. */
  right: Float64Array;
  /** The width the canvas was drawn for, css px. */
  width: number;
  /** Segments not drawn yet (see paintLane's `near`). */
  pending: number[];
}

const transparent = (color: string): boolean => color === 'transparent' || /^rgba\(.*,\s*0\)$/.test(color) || /\/\s*0\)$/.test(color);

/** Reads how each segment class looks from styles.css, once per class and theme. */
export class SegmentLooks {
  private readonly looks = new Map<string, Look>();
  private readonly probeParent = el('div', 'lane-segments segment-probe');
  private readonly tile = el('canvas').getContext('2d')!;

  /** `within`: where the probe goes, for the variables the segment rules use (--muted is the panel's). */
  constructor(private readonly within: HTMLElement, changed: () => void) {
    this.probeParent.setAttribute('aria-hidden', 'true');
    // The theme's colours come as the html element's style and body classes.
    new MutationObserver(() => {
      this.looks.clear();
      changed();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'], subtree: false });
    new MutationObserver(() => {
      this.looks.clear();
      changed();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  get(cls: string): Look {
    let look = this.looks.get(cls);
    if (!look) {
      look = this.read(cls);
      this.looks.set(cls, look);
    }
    return look;
  }

  private read(cls: string): Look {
    if (this.probeParent.parentElement !== this.within) this.within.appendChild(this.probeParent);
    const node = el('div', `vis-item ${cls}`);
    const span = el('span', 'seg-text', 'x');
    node.append(span);
    this.probeParent.replaceChildren(node);
    const s = getComputedStyle(node);
    const t = getComputedStyle(span);
    const px = (value: string): number => parseFloat(value) || 0;
    const look: Look = {
      radius: px(s.borderTopLeftRadius),
      onTop: s.zIndex !== 'auto' && Number(s.zIndex) > 0,
      text: { color: t.color, font: `${t.fontStyle} ${t.fontWeight} ${t.fontSize} ${t.fontFamily}`, padLeft: px(t.paddingLeft) },
    };
    if (!transparent(s.backgroundColor)) look.fill = s.backgroundColor;
    if (s.backgroundImage !== 'none') look.stripes = this.stripes(s.backgroundImage);
    const shadow = /^(.*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px.*inset/.exec(s.boxShadow);
    if (shadow && px(shadow[3]) !== 0) look.bottom = { color: shadow[1], height: -px(shadow[3]) };
    if (px(s.borderLeftWidth) > 0 && s.borderLeftStyle !== 'none') look.borderLeft = { color: s.borderLeftColor, width: px(s.borderLeftWidth) };
    if (s.outlineStyle !== 'none' && px(s.outlineWidth) > 0) {
      look.outline = { color: s.outlineColor, width: px(s.outlineWidth), offset: px(s.outlineOffset) };
    }
    if (t.position === 'absolute') {
      look.text.label = {
        background: t.backgroundColor, border: t.borderTopColor, borderWidth: px(t.borderTopWidth),
        marginLeft: px(t.marginLeft), padRight: px(t.paddingRight),
      };
    }
    return look;
  }

  /**
   * A repeating-linear-gradient as a canvas pattern: one period of its stops on a tile, turned to
   * its angle. The stripes run on across neighbouring segments instead of starting anew in each.
   */
  private stripes(image: string): CanvasPattern | undefined {
    const inner = /^repeating-linear-gradient\((.*)\)$/.exec(image)?.[1];
    if (!inner) return undefined;
    const parts: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] === '(') depth++;
      else if (inner[i] === ')') depth--;
      else if (inner[i] === ',' && depth === 0) {
        parts.push(inner.slice(start, i).trim());
        start = i + 1;
      }
    }
    parts.push(inner.slice(start).trim());
    const angle = /^(-?[\d.]+)deg$/.exec(parts[0]);
    const stops = parts.slice(angle ? 1 : 0).map((part) => /^(.*\S)\s+(-?[\d.]+)px$/.exec(part)).filter((m) => m !== null);
    const period = stops.length ? Number(stops[stops.length - 1][2]) : 0;
    if (!(period > 0)) return undefined;
    const canvas = this.tile.canvas;
    canvas.width = Math.ceil(period);
    canvas.height = 1;
    const gradient = this.tile.createLinearGradient(0, 0, period, 0);
    for (const [, color, at] of stops) gradient.addColorStop(Math.min(1, Math.max(0, Number(at) / period)), color);
    this.tile.clearRect(0, 0, canvas.width, 1);
    this.tile.fillStyle = gradient;
    this.tile.fillRect(0, 0, period, 1);
    const pattern = this.tile.createPattern(canvas, 'repeat');
    // CSS angles: 0deg points up, 90deg right; the tile's stops run along x (90deg).
    pattern?.setTransform(new DOMMatrix().rotate((angle ? Number(angle[1]) : 180) - 90));
    return pattern ?? undefined;
  }
}

/**
 * Sizes `canvas` for `width` x `height` css px (its segment rows and PAD_PX above and below) and
 * clears it. Resizing a canvas allocates it anew; one the same size is only cleared.
 */
export function clearCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const ctx = canvas.getContext('2d')!;
  const pixels = Math.max(1, Math.round(width * Math.min(ratio, MAX_CANVAS_PX / Math.max(1, width))));
  const rows = Math.max(1, Math.round((height + 2 * PAD_PX) * ratio));
  if (canvas.width !== pixels || canvas.height !== rows) {
    canvas.width = pixels;
    canvas.height = rows;
  } else {
    ctx.resetTransform();
    ctx.clearRect(0, 0, pixels, rows);
  }
  canvas.style.height = `${height + 2 * PAD_PX}px`;
  ctx.textBaseline = 'middle';
  return ctx;
}

/**
 * Draws one lane's `segments` (axis range [from, to] over `width` css px) in the row `top` css px
 * down the canvas: those on top (markers, blocking) after the others, each after the ones before
 * it as the elements were. With `near` (css px), only the segments that reach into it: the others
 * wait in `pending` for paintPending.
 */
export function paintLane(
  ctx: CanvasRenderingContext2D, looks: SegmentLooks, segments: SegmentRow[], from: number, to: number, width: number, top: number,
  near?: [number, number],
): Painted {
  const painted: Painted = {
    order: [], left: new Float64Array(segments.length), right: new Float64Array(segments.length), width, pending: [],
  };
  const perUnit = width / (to - from || 1);
  const indexes: number[] = [];
  segments.forEach((seg, index) => {
    painted.left[index] = (seg.start - from) * perUnit;
    painted.right[index] = (seg.end - from) * perUnit;
    if (near && (painted.right[index] < near[0] || painted.left[index] > near[1])) painted.pending.push(index);
    else indexes.push(index);
  });
  paintIndexes(ctx, looks, segments, top, painted, indexes);
  return painted;
}

/** Draws the segments paintLane left pending. */
export function paintPending(ctx: CanvasRenderingContext2D, looks: SegmentLooks, segments: SegmentRow[], top: number, painted: Painted): void {
  const pending = painted.pending;
  painted.pending = [];
  paintIndexes(ctx, looks, segments, top, painted, pending);
}

function paintIndexes(
  ctx: CanvasRenderingContext2D, looks: SegmentLooks, segments: SegmentRow[], top: number, painted: Painted, indexes: number[],
): void {
  const ratio = window.devicePixelRatio || 1;
  fontSet = undefined;
  ctx.setTransform(ctx.canvas.width / painted.width, 0, 0, ratio, 0, (top + PAD_PX) * ratio);
  const later: number[] = [];
  for (const index of indexes) {
    if (looks.get(segments[index].cls).onTop) later.push(index);
    else paintOne(ctx, looks, segments[index], index, painted);
  }
  for (const index of later) paintOne(ctx, looks, segments[index], index, painted);
}

/** The font last set on the canvas being drawn. */
let fontSet: string | undefined;

function paintOne(ctx: CanvasRenderingContext2D, looks: SegmentLooks, seg: SegmentRow, index: number, painted: Painted): void {
  const look = looks.get(seg.cls);
  const x = painted.left[index];
  const w = painted.right[index] - x;
  const h = SEGMENT_PX;
  painted.order.push(index);
  ctx.beginPath();
  if (look.radius > 0 && w >= 2 * look.radius) ctx.roundRect(x, 0, w, h, look.radius);
  else ctx.rect(x, 0, w, h);
  if (look.fill) {
    ctx.fillStyle = look.fill;
    ctx.fill();
  }
  if (look.stripes) {
    ctx.fillStyle = look.stripes;
    ctx.fill();
  }
  if (look.bottom) {
    ctx.fillStyle = look.bottom.color;
    ctx.fillRect(x, h - look.bottom.height, w, look.bottom.height);
  }
  const border = look.borderLeft ? Math.min(w, look.borderLeft.width) : 0;
  if (look.borderLeft) {
    ctx.fillStyle = look.borderLeft.color;
    ctx.fillRect(x, 0, border, h);
  }
  if (look.outline) {
    const { width, offset, color } = look.outline;
    const out = offset + width / 2;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.strokeRect(x - out, -out, w + 2 * out, h + 2 * out);
  }
  if (!seg.text) return;
  const text = look.text;
  // Setting a font parses it (and reading it back gives another spelling).
  if (fontSet !== text.font) {
    ctx.font = text.font;
    fontSet = text.font;
  }
  const label = text.label;
  if (label) {
    const left = x + w + label.marginLeft;
    const boxWidth = ctx.measureText(seg.text).width + text.padLeft + label.padRight + 2 * label.borderWidth;
    ctx.beginPath();
    ctx.roundRect(left, 0, boxWidth, h, look.radius);
    ctx.fillStyle = label.background;
    ctx.fill();
    if (label.borderWidth > 0) {
      ctx.beginPath();
      ctx.roundRect(left + label.borderWidth / 2, label.borderWidth / 2, boxWidth - label.borderWidth, h - label.borderWidth, look.radius);
      ctx.strokeStyle = label.border;
      ctx.lineWidth = label.borderWidth;
      ctx.stroke();
    }
    ctx.fillStyle = text.color;
    ctx.fillText(seg.text, left + label.borderWidth + text.padLeft, h / 2);
    painted.right[index] = left + boxWidth;
    return;
  }
  // The text is clipped at the segment's end, as its element's overflow was.
  ctx.fillStyle = text.color;
  const room = w - border - text.padLeft;
  if (room >= textWidth(ctx, text.font, seg.text)) {
    ctx.fillText(seg.text, x + border + text.padLeft, h / 2);
    return;
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(x + border, 0, w - border, h);
  ctx.clip();
  ctx.fillText(seg.text, x + border + text.padLeft, h / 2);
  ctx.restore();
}

/** Measured widths by font and text: a window's segments repeat the same few words. */
const widths = new Map<string, number>();

function textWidth(ctx: CanvasRenderingContext2D, font: string, text: string): number {
  const key = `${font}\n${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    if (widths.size > 10_000) widths.clear();
    width = ctx.measureText(text).width;
    widths.set(key, width);
  }
  return width;
}

/** The segment drawn on top at `x` css px from the canvas's left, or -1. */
export function segmentAtX(painted: Painted, x: number): number {
  for (let k = painted.order.length - 1; k >= 0; k--) {
    const index = painted.order[k];
    if (x >= painted.left[index] && x <= painted.right[index]) return index;
  }
  return -1;
}

export const CANVAS_PAD_PX = PAD_PX;
