// The parts of the noise-aware extents (issue 20): depth error models, the noise estimate from an
// object's own pixels, the plane-fit smoothing, the window choice, the outline statuses, and the
// box -> mask counting sort against the sort-based clustering it replaced.
import { describe, expect, it } from 'vitest';
import {
  DEPTH_ERROR_PRESETS,
  depthSigma,
  estimateRelativeNoise,
  relativeDepthError,
} from '../depth-error';
import { smoothObjectDepths } from '../geometry/depth-smoothing';
import { mulberry32 } from '../geometry/rng';
import { maskFromBox } from './box-to-mask';
import { extentStatuses, hiddenEnds, outlineSides } from './extent-status';
import { smoothingRadius } from './noise-aware';
import { baseCutHeight, MIN_TOP_ROWS, topFaceRowSpacing, emptyGeometry } from './measurements';
import type { WorldFrame } from './scene-graph';

const W = 60;
const H = 40;

/** Depth of a tilted plane with Gaussian-ish relative noise `rel` over the image. */
function planeDepth(rel: number, seed = 1): Float32Array {
  const rng = mulberry32(seed);
  const d = new Float32Array(W * H);
  for (let v = 0; v < H; v++)
    for (let u = 0; u < W; u++) {
      const z = 3 + 0.01 * u + 0.02 * v;
      const g = (rng() + rng() + rng() - 1.5) * 2;
      d[v * W + u] = z * (1 + rel * g);
    }
  return d;
}

function rectPixels(u0: number, u1: number, v0: number, v1: number): Int32Array {
  const out: number[] = [];
  for (let v = v0; v <= v1; v++) for (let u = u0; u <= u1; u++) out.push(v * W + u);
  return Int32Array.from(out);
}

describe('depth error models', () => {
  it('presets give the published sigma(z)', () => {
    // Khoshelham & Elberink 2012: 1.425e-3 z^2 -> 1.4 mm at 1 m, 3.6 cm at 5 m.
    expect(depthSigma(DEPTH_ERROR_PRESETS['kinect-v1'], 1)).toBeCloseTo(0.001425, 6);
    expect(depthSigma(DEPTH_ERROR_PRESETS['kinect-v1'], 5)).toBeCloseTo(0.035625, 6);
    expect(depthSigma(DEPTH_ERROR_PRESETS['realsense-d435'], 2)).toBeCloseTo(
      (4 * 0.08) / (447 * 0.05),
      6,
    );
    expect(depthSigma(relativeDepthError(0.004), 6)).toBeCloseTo(0.024, 9);
  });

  it('estimates the relative noise of an object from its own pixels', () => {
    for (const rel of [0.001, 0.004, 0.01]) {
      const est = estimateRelativeNoise(planeDepth(rel), W, rectPixels(5, 54, 5, 34), 50 * 30)!;
      expect(est / rel).toBeGreaterThan(0.8);
      expect(est / rel).toBeLessThan(1.2);
    }
    expect(estimateRelativeNoise(planeDepth(0.004), W, rectPixels(0, 3, 0, 3), 16)).toBeNull();
  });

  it('smooths only when the noise matters next to a pixel footprint', () => {
    expect(smoothingRadius(0.001, 0.01)).toBe(0);
    expect(smoothingRadius(0.005, 0.01)).toBe(2);
    expect(smoothingRadius(0.02, 0.01)).toBe(3);
  });
});

describe('plane-fit smoothing', () => {
  it('reproduces a noise-free plane exactly, also at the outline and around holes', () => {
    const d = planeDepth(0);
    const px = Array.from(rectPixels(10, 30, 8, 25)).filter((p) => p % 7 !== 0); // holes
    const out = new Float64Array(px.length);
    smoothObjectDepths(d, W, px, px.length, 3, out);
    px.forEach((p, i) => expect(out[i]).toBeCloseTo(d[p]!, 5));
  });

  it('divides the noise by about the window size', () => {
    const clean = planeDepth(0);
    const noisy = planeDepth(0.01, 9);
    const px = rectPixels(10, 49, 5, 34);
    const out = new Float64Array(px.length);
    smoothObjectDepths(noisy, W, px, px.length, 3, out);
    let raw = 0;
    let sm = 0;
    px.forEach((p, i) => {
      raw += (noisy[p]! - clean[p]!) ** 2;
      sm += (out[i]! - clean[p]!) ** 2;
    });
    // 7x7 window: 1/7 of the noise inside, more at the outline (one-sided fits).
    expect(Math.sqrt(sm / raw)).toBeLessThan(0.25);
  });
});

describe('smoothing only where an extreme can be', () => {
  it('computes the outline and every other pixel of every other row inside, with the full values', () => {
    const noisy = planeDepth(0.01, 5);
    const px = Array.from(rectPixels(10, 49, 5, 34)).filter((p) => p % 11 !== 0); // holes
    const all = new Float64Array(px.length);
    smoothObjectDepths(noisy, W, px, px.length, 3, all);
    const out = new Float64Array(px.length);
    const sel = new Int32Array(px.length);
    const m = smoothObjectDepths(noisy, W, px, px.length, 3, out, sel);
    const inObject = new Set(px);
    let expected = 0;
    for (const p of px) {
      const u = p % W;
      const v = Math.floor(p / W);
      const inside = [p - 1, p + 1, p - W, p + W].every((q) => inObject.has(q));
      if (!inside || (u % 2 === 0 && v % 2 === 0)) expected++;
    }
    expect(m).toBe(expected);
    expect(m).toBeLessThan(0.7 * px.length); // 9% holes: many outline pixels
    for (let j = 0; j < m; j++) {
      expect(j === 0 || sel[j]! > sel[j - 1]!).toBe(true);
      expect(out[j]).toBe(all[sel[j]!]);
      const p = px[sel[j]!]!;
      const inside = [p - 1, p + 1, p - W, p + W].every((q) => inObject.has(q));
      expect(!inside || ((p % W) % 2 === 0 && Math.floor(p / W) % 2 === 0)).toBe(true);
    }
  });
});

describe('observed and bounded extents', () => {
  it('a side next to a nearer surface is occluded, one at the image border is cut', () => {
    const d = new Float32Array(W * H).fill(5); // background wall
    const obj = rectPixels(20, 40, 10, 30);
    for (const p of obj) d[p] = 3;
    for (let v = 0; v < H; v++) for (let u = 41; u < 50; u++) d[v * W + u] = 2; // occluder right
    const gate = () => 0.05;
    const sides = outlineSides({
      depth: d,
      width: W,
      height: H,
      pixels: obj,
      count: obj.length,
      gate,
    });
    expect(sides).toEqual({
      left: 'observed',
      right: 'occluded',
      top: 'observed',
      bottom: 'observed',
    });
    expect(extentStatuses(sides, true)).toEqual({
      width: 'occluded',
      height: 'observed',
      depth: 'observed',
    });
    expect(extentStatuses(sides, false).depth).toBe('occluded');
    // The occluder on the right hides the width's right end, and may hide the nearest part.
    expect(hiddenEnds(sides, extentStatuses(sides, true))).toEqual({
      width: ['right'],
      height: [],
      depth: [],
    });
    expect(hiddenEnds(sides, extentStatuses(sides, false))).toEqual({
      width: ['right'],
      height: [],
      depth: ['near', 'far'],
    });
    const clear = {
      left: 'observed',
      right: 'observed',
      top: 'observed',
      bottom: 'observed',
    } as const;
    expect(hiddenEnds(clear, extentStatuses(clear, false)).depth).toEqual(['far']);
    const topCut = { ...clear, top: 'image-border' } as const;
    expect(hiddenEnds(topCut, extentStatuses(topCut, true))).toEqual({
      width: [],
      height: ['top'],
      depth: ['far'],
    });
    const edge = rectPixels(0, 10, 10, 30);
    const s2 = outlineSides({
      depth: d,
      width: W,
      height: H,
      pixels: edge,
      count: edge.length,
      gate,
    });
    expect(s2.left).toBe('image-border');
  });
});

/** The clustering box -> mask used before the counting sort: full sort + binary search. */
function referenceClusters(zs: number[]): number[] {
  const sorted = [...zs].sort((a, b) => a - b);
  const starts = [sorted[0]!];
  for (let t = 1; t < sorted.length; t++)
    if (sorted[t]! - sorted[t - 1]! > Math.max(0.05, 0.04 * sorted[t - 1]!))
      starts.push(sorted[t]!);
  return zs.map((z) => {
    let c = 0;
    while (c + 1 < starts.length && starts[c + 1]! <= z) c++;
    return c;
  });
}

describe('box -> mask counting sort', () => {
  it('keeps exactly the pixels the sort-based clustering keeps', () => {
    const rng = mulberry32(5);
    const k = { fx: 50, fy: 50, cx: (W - 1) / 2, cy: (H - 1) / 2 };
    for (let t = 0; t < 60; t++) {
      // Layers at random depths (some 1 mm apart, some across a split), noise, holes.
      const layers = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => 0.5 + rng() * 6);
      const depth = new Float32Array(W * H);
      for (let p = 0; p < W * H; p++) {
        if (rng() < 0.05) continue;
        const z = layers[Math.floor(rng() * layers.length)]! + (rng() - 0.5) * 0.06;
        depth[p] = z;
      }
      const box = [5, 5, 45, 35];
      const got = maskFromBox({ depth, width: W, height: H }, k, box, null).pixels;
      // Reference: same pixels, same centre weighting, clusters from the full sort.
      const idx: number[] = [];
      for (let v = 5; v < 35; v++)
        for (let u = 5; u < 45; u++) if (depth[v * W + u]! > 0) idx.push(v * W + u);
      const labels = referenceClusters(idx.map((p) => depth[p]!));
      const score = new Map<number, number>();
      idx.forEach((p, i) => {
        const v = Math.floor(p / W);
        const u = p - v * W;
        const r = Math.max(Math.abs(u - 24.5) / 19.5, Math.abs(v - 19.5) / 14.5);
        score.set(labels[i]!, (score.get(labels[i]!) ?? 0) + Math.max(0.1, 1 - r * r));
      });
      let best = 0;
      for (const [c, s] of score)
        if (s > score.get(best)! || (s === score.get(best)! && c < best)) best = c;
      expect(Array.from(got)).toEqual(idx.filter((_, i) => labels[i] === best));
    }
  });
});

describe('base band and top-face sampling', () => {
  const camera: [number, number, number] = [0, 1.5, 0];
  /** A vertical wall 1 m wide, from y0 to 1 m, 3 m in front of the camera, 1 cm grid. */
  function wall(y0: number): Float32Array {
    const pts: number[] = [];
    for (let y = y0; y <= 1; y += 0.01) for (let x = -0.5; x <= 0.5; x += 0.01) pts.push(x, y, 3);
    return Float32Array.from(pts);
  }

  it('cuts the base band plus 3 sigma of height noise above the plane, not a flat object', () => {
    const xyz = wall(0.02);
    const n = xyz.length / 3;
    const cut = baseCutHeight(xyz, n, 0, 0.03, 0.01, camera)!;
    // Vertical share of the rays from 1.5 m down to 0..1 m at 3 m: about 0.2-0.45.
    expect(cut).toBeGreaterThan(0.03 + 3 * 0.01 * 0.15);
    expect(cut).toBeLessThan(0.03 + 3 * 0.01 * 0.5);
    // Under half the points above the cut: nothing is cut.
    const flat = wall(0.9);
    expect(baseCutHeight(flat, flat.length / 3, 0.9, 0.05, 0.05, camera)).toBeNull();
  });

  it('row spacing on a top face grows with the square of the distance over the height above it', () => {
    const frame = {
      aligned: true,
      translation: [0, 1.5, 0],
    } as unknown as WorldFrame;
    const g = emptyGeometry();
    g.aabb = { min: [-0.25, 0, 5.5], max: [0.25, 0.5, 6] };
    g.extent = { width: 0.5, height: 0.5, depth: 0.5 };
    const s = topFaceRowSpacing(g, frame, 525)!;
    expect(s).toBeCloseTo((36 + 1) / 525, 6); // ~7 cm: the 0.5 m top spans ~7 rows
    expect(s * MIN_TOP_ROWS).toBeLessThanOrEqual(g.extent.depth);
    g.aabb.max[1] = 1.45; // camera 5 cm above the top: ~1.4 m a row, edge-on
    expect(topFaceRowSpacing(g, frame, 525)! * MIN_TOP_ROWS).toBeGreaterThan(g.extent.depth);
    g.aabb.max[1] = 1.49; // within 2 cm: the top is not seen
    expect(topFaceRowSpacing(g, frame, 525)).toBeNull();
  });
});
