// Reading the reference fixtures (make_reference.py wrote them) and comparing our outputs with them:
// the kit images decoded as the Python side decoded them, a fixture folder as model-store files,
// the strided pixel_values sample, detection lists as sets, and mask IoU.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeRle, type CocoRle } from '../../../spatial/geometry/mask-rle';
import { iou, type BoxXYXY, type Detection } from '../../adapters/boxes';
import type { ImageInput } from '../../adapters/runtime';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');
const KIT = join(here, 'kit');

export type Family = 'clip' | 'owlv2' | 'gdino' | 'slimsam' | 'depth';

/** Statistics and the strided sample of a processor's pixel_values (make_reference.py stats/sample). */
export interface PixelValues {
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  /** values[i] is the flattened tensor at i · stride. */
  sample: { stride: number; values: number[] };
}

export interface RefDetection {
  box: BoxXYXY;
  score: number;
  label: number;
}

/** expected.json; Python wrote NaN / ±Infinity (GDINO's −inf logits in the ORT check) as bare words. */
export function expected<T>(family: Family): T {
  const text = readFileSync(join(FIXTURES, family, 'expected.json'), 'utf8');
  return JSON.parse(text.replace(/\bNaN\b|-?Infinity\b/g, 'null')) as T;
}

/** Every file of a fixture folder but expected.json, keyed by its path in the model folder. */
export function modelFiles(family: Family): Record<string, Uint8Array> {
  const root = join(FIXTURES, family);
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name !== 'expected.json') files[relative(root, path)] = readFileSync(path);
    }
  };
  walk(root);
  return files;
}

/** A kit image as RGB bytes (PNG: sharp and PIL decode it identically). */
export async function kitImage(name: string): Promise<ImageInput> {
  const { data, info } = await sharp(join(KIT, name))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}

export interface SampleDiff {
  /** Largest |ours − reference| over the sample, in normalised units. */
  max: number;
  /** The same in 8-bit levels (× std · 255 of the value's channel). */
  maxLevels: number;
  /** Share of the sample more than `levels` 8-bit levels apart. */
  over: (levels: number) => number;
  /** Largest difference among the samples `where` selects (by channel, row, column). */
  maxWhere: (where: (c: number, y: number, x: number) => boolean) => number;
  meanDiff: number;
  stdDiff: number;
}

/** Ours (CHW, width `width`) against the reference's strided sample and statistics. */
export function compareSample(
  ours: Float32Array,
  ref: PixelValues,
  width: number,
  std: readonly number[],
): SampleDiff {
  const { stride, values } = ref.sample;
  const plane = ours.length / 3;
  const diffs = values.map((v, i) => {
    const at = i * stride;
    const c = Math.floor(at / plane);
    const p = at - c * plane;
    return { d: Math.abs(ours[at]! - v), c, y: Math.floor(p / width), x: p % width };
  });
  const levels = diffs.map(({ d, c }) => d * std[c]! * 255);
  let sum = 0;
  let sq = 0;
  for (const v of ours) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / ours.length;
  return {
    max: Math.max(...diffs.map((e) => e.d)),
    maxLevels: Math.max(...levels),
    over: (n) => levels.filter((l) => l > n).length / levels.length,
    maxWhere: (where) => Math.max(0, ...diffs.filter((e) => where(e.c, e.y, e.x)).map((e) => e.d)),
    meanDiff: Math.abs(mean - ref.mean),
    stdDiff: Math.abs(Math.sqrt(sq / ours.length - mean * mean) - ref.std),
  };
}

/** The reference box clipped to the image, as our adapters return boxes. */
export function clipBox(b: BoxXYXY, width: number, height: number): BoxXYXY {
  const c = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return [c(b[0], width), c(b[1], height), c(b[2], width), c(b[3], height)];
}

/** Boxes agree: IoU ≥ minIou, or (degenerate, zero-area boxes) every corner within `px`. */
export function sameBox(a: BoxXYXY, b: BoxXYXY, minIou: number, px: number): boolean {
  if (a.every((v, i) => Math.abs(v - b[i]!) <= px)) return true;
  return iou(a, b) >= minIou;
}

export interface SetMatch {
  /** Reference detections above the cut and the one of ours each was matched to (or null). */
  pairs: { ref: RefDetection; ours: Detection | null }[];
  /** Ours above the cut that no reference detection took. */
  extra: Detection[];
  maxScoreDiff: number;
  minIou: number;
}

/**
 * Reference detections (labels as indices into `labels`) against ours as sets: each reference
 * detection scoring above `cut` takes the unused detection of ours with the same label, the closest
 * score and an agreeing box; ours above `cut` left over are `extra`.
 */
export function matchDetections(
  ref: RefDetection[],
  ours: Detection[],
  labels: string[],
  cut: number,
  size: { width: number; height: number },
  tol: { iou: number; px: number; score: number },
): SetMatch {
  const used = new Set<Detection>();
  const pairs: SetMatch['pairs'] = [];
  let maxScoreDiff = 0;
  let minIou = 1;
  for (const r of ref.filter((d) => d.score > cut)) {
    const box = clipBox(r.box, size.width, size.height);
    let best: Detection | null = null;
    for (const d of ours) {
      if (used.has(d) || d.label !== labels[r.label]) continue;
      if (Math.abs(d.score - r.score) > tol.score || !sameBox(d.box, box, tol.iou, tol.px))
        continue;
      if (!best || Math.abs(d.score - r.score) < Math.abs(best.score - r.score)) best = d;
    }
    if (best) {
      used.add(best);
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(best.score - r.score));
      const area = (box[2] - box[0]) * (box[3] - box[1]);
      if (area > 0) minIou = Math.min(minIou, iou(best.box, box));
    }
    pairs.push({ ref: r, ours: best });
  }
  const extra = ours.filter((d) => d.score > cut && !used.has(d));
  return { pairs, extra, maxScoreDiff, minIou };
}

/** Intersection over union of two COCO RLE masks of one size. */
export function maskIou(a: CocoRle, b: CocoRle): number {
  const x = decodeRle(a).mask;
  const y = decodeRle(b).mask;
  if (x.length !== y.length) return 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] && y[i]) inter++;
    if (x[i] || y[i]) union++;
  }
  return union > 0 ? inter / union : 1;
}
