// Boxes shared by the detectors: the Detection they return, centre-size → corner conversion, and
// class-wise non-maximum suppression (neither Grounding DINO nor OWLv2 exports include NMS, and
// transformers.js adds none: onnx-models.md §1a step 5, §1b).

/** [x0, y0, x1, y1] in original-image pixels. */
export type BoxXYXY = [number, number, number, number];

export interface Detection {
  label: string;
  score: number;
  box: BoxXYXY;
}

/** Normalised (cx, cy, w, h) → pixel corners: x · sx, y · sy, clipped to [0, clipW] × [0, clipH]. */
export function cxcywhToXyxy(
  cx: number,
  cy: number,
  w: number,
  h: number,
  sx: number,
  sy: number,
  clipW: number,
  clipH: number,
): BoxXYXY {
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [
    clip((cx - w / 2) * sx, clipW),
    clip((cy - h / 2) * sy, clipH),
    clip((cx + w / 2) * sx, clipW),
    clip((cy + h / 2) * sy, clipH),
  ];
}

export function iou(a: BoxXYXY, b: BoxXYXY): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const area = (r: BoxXYXY) => Math.max(0, r[2] - r[0]) * Math.max(0, r[3] - r[1]);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS within each label: highest score first, drop boxes overlapping a kept box of the same
 * label by more than `iouThreshold`. Boxes of different labels never suppress each other. Returns
 * the kept detections sorted by score (descending), at most `maxPerLabel` per label.
 */
export function classWiseNms(
  detections: readonly Detection[],
  iouThreshold: number,
  maxPerLabel = Infinity,
): Detection[] {
  const byLabel = new Map<string, Detection[]>();
  for (const d of detections) {
    const list = byLabel.get(d.label) ?? [];
    list.push(d);
    byLabel.set(d.label, list);
  }
  const kept: Detection[] = [];
  for (const list of byLabel.values()) {
    list.sort((a, b) => b.score - a.score);
    const mine: Detection[] = [];
    for (const d of list) {
      if (mine.length >= maxPerLabel) break;
      if (mine.every((k) => iou(k.box, d.box) <= iouThreshold)) mine.push(d);
    }
    kept.push(...mine);
  }
  return kept.sort((a, b) => b.score - a.score);
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
