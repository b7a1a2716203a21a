// Pure helpers for drawing objects and showing QA: per-object colours, label placement that keeps
// labels inside the image and off each other, QA value text and `<regionN>` token splitting.
import type { SceneObject } from '../../../contract/entities';
import { formatNumber } from './format';

/** Distinct hues that read on photos and on the dark theme (stroke and label background). */
export const OBJECT_PALETTE = [
  '#ff6b6b',
  '#4dabf7',
  '#ffd43b',
  '#69db7c',
  '#da77f2',
  '#ff922b',
  '#3bc9db',
  '#f783ac',
  '#a9e34b',
  '#9775fa',
] as const;

/** Colour per object id: objects are ordered by id, so colours stay put between reloads. */
export function objectColors(objects: readonly Pick<SceneObject, 'id'>[]): Map<number, string> {
  const ids = [...new Set(objects.map((o) => o.id))].sort((a, b) => a - b);
  return new Map(ids.map((id, i) => [id, OBJECT_PALETTE[i % OBJECT_PALETTE.length]!]));
}

/** `#rrggbb` as [r, g, b] bytes (the 3D view colours points and boxes with the 2D palette). */
export function hexRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.replace(/^#/, ''), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The text drawn on a box: the label, and the score when the object has one. */
export function objectCaption(o: Pick<SceneObject, 'label' | 'score'>): string {
  return o.score === null ? o.label : `${o.label} ${o.score.toFixed(2)}`;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Top-left corners for box labels (all in image pixels). A label sits just above its box, or inside
 * its top edge when there is no room above; it is kept within the image and, when it would cover
 * an earlier label, moved down one label height at a time (a few tries, then left where it is).
 */
export function placeLabels(
  boxes: ReadonlyArray<readonly [number, number, number, number]>,
  sizes: ReadonlyArray<{ width: number; height: number }>,
  bounds: { width: number; height: number },
): Array<{ x: number; y: number }> {
  const placed: Rect[] = [];
  return boxes.map((box, i) => {
    const size = sizes[i] ?? { width: 0, height: 0 };
    const [x0, y0] = box;
    const x = Math.max(0, Math.min(x0, bounds.width - size.width));
    let y = y0 - size.height >= 0 ? y0 - size.height : Math.max(0, y0);
    y = Math.min(y, Math.max(0, bounds.height - size.height));
    let rect: Rect = { x, y, ...size };
    for (let tries = 0; tries < 6 && placed.some((p) => overlaps(p, rect)); tries++) {
      const below = Math.max(...placed.filter((p) => overlaps(p, rect)).map((p) => p.y + p.height));
      if (below + size.height > bounds.height) break;
      rect = { ...rect, y: below };
    }
    placed.push(rect);
    return { x: rect.x, y: rect.y };
  });
}

const UNIT_TEXT: Record<string, string> = { m: 'm', oclock: "o'clock", count: '' };

/**
 * A QA pair's machine value as short text: metres with 2 decimals, yes/no, clock hours, counts,
 * object ids with their labels (`labelOf`), anything else as compact JSON.
 */
export function formatQaValue(
  value: unknown,
  unit: string | null,
  labelOf: (id: number) => string | undefined = () => undefined,
): string {
  if (value === null || value === undefined) return 'no value (tie)';
  const suffix = unit === null ? '' : (UNIT_TEXT[unit] ?? unit);
  const withUnit = (s: string) => (suffix ? `${s} ${suffix}` : s);
  const one = (v: unknown): string => {
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    if (typeof v === 'number') {
      if (unit === null && Number.isInteger(v)) {
        const label = labelOf(v);
        if (label !== undefined) return `${label} #${v}`;
      }
      return withUnit(formatNumber(v, 2));
    }
    if (typeof v === 'string') return withUnit(v);
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v);
    }
  };
  const text = Array.isArray(value) ? value.map(one).join(', ') : one(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

export type QuestionPart = { text: string } | { region: number };

/** Splits `Is <region0> left of <region1>?` into text and region references (placeholder order). */
export function splitRegions(s: string): QuestionPart[] {
  const parts: QuestionPart[] = [];
  const re = /<region(\d+)>/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) parts.push({ text: s.slice(last, m.index) });
    parts.push({ region: Number(m[1]) });
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last) });
  return parts;
}

/** Sorted unique ids as `1,3,5`: the form of the `data-*` id lists tests compare. */
export function idList(ids: Iterable<number>): string {
  return [...new Set(ids)].sort((a, b) => a - b).join(',');
}
