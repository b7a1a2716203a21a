// Synthetic scenes with exact ground truth, for property tests and the benchmark: boxes (with yaw)
// and vertical cylinders standing on a floor (some stacked), optional back and side walls, ray-cast
// to a metric depth map from a camera with random height, pitch and roll, plus depth noise and
// holes. World frame of the ground truth = the frame the engine must recover: y up, floor y = 0,
// camera at (0, h, 0) looking along +z (heading), so x is the viewer's right.
import type { Pinhole } from '../camera';
import { mulberry32, type Rng } from '../geometry/rng';
import type { V3 } from '../geometry/vec';

export interface SynthShape {
  id: number;
  kind: 'box' | 'cylinder';
  cx: number;
  cz: number;
  /** Box: yaw (rad) of its own x axis (cos yaw, 0, sin yaw); cylinders ignore it. */
  yaw: number;
  /** Box: sizes along own x and z; cylinder: sx = sz = diameter. */
  sx: number;
  sz: number;
  y0: number;
  y1: number;
  /** id of the shape this one stands on, if stacked. */
  on: number | null;
}

export interface SynthTruth {
  aabb: { min: V3; max: V3 };
  centre: V3;
  extent: { width: number; height: number; depth: number };
  volume: number;
  elevation: number;
}

export interface SynthScene {
  width: number;
  height: number;
  k: Pinhole;
  depth: Float32Array;
  /** Object id per pixel (-1 background). */
  ids: Int32Array;
  shapes: SynthShape[];
  cameraHeight: number;
  pitch: number;
  roll: number;
  /** Camera-frame up vector (exact gravity). */
  up: V3;
  floorVisible: boolean;
  /** Visible pixels per shape and pixels it would cover alone (occlusion = 1 - visible/alone). */
  visible: Map<number, number>;
  alone: Map<number, number>;
  touchesBorder: Set<number>;
}

export interface SynthOptions {
  width?: number;
  height?: number;
  /** Focal length as a multiple of the width (0.82 = Kinect-like 525 at 640). */
  focalPerWidth?: number;
  objects?: number;
  noFloor?: boolean;
  /** Relative depth noise sigma (fraction of range). */
  noise?: number;
  holes?: number;
  /** Multiplies object sizes (dense scenes for the benchmark use < 1). */
  objectScale?: number;
  /** Range of the floor objects' distance along the ground (m); default [1.8, 5]. */
  objectDistance?: [number, number];
  /** Camera height (m) and pitch (degrees, down) ranges; defaults [1.2, 2] and [8, 35]. */
  cameraHeight?: [number, number];
  pitchDeg?: [number, number];
  /**
   * Extra floor objects placed 0.6-1.2 m in front of an existing one and shifted sideways so
   * that they hide part of it (partial occlusion).
   */
  occluders?: number;
  /**
   * A table (0.72-0.78 m high, large enough to fill most of the view) seen steeply from above,
   * with `objects` small shapes standing on its top (default 3-6); camera 1.1-1.45 m high, pitch
   * 55-80 degrees down unless cameraHeight / pitchDeg say otherwise. The table is shape 1.
   */
  tableTop?: boolean;
}

export function truthOf(s: SynthShape): SynthTruth {
  let hx: number;
  let hz: number;
  if (s.kind === 'cylinder') {
    hx = s.sx / 2;
    hz = s.sx / 2;
  } else {
    const c = Math.abs(Math.cos(s.yaw));
    const n = Math.abs(Math.sin(s.yaw));
    hx = (s.sx * c + s.sz * n) / 2;
    hz = (s.sx * n + s.sz * c) / 2;
  }
  const min: V3 = [s.cx - hx, s.y0, s.cz - hz];
  const max: V3 = [s.cx + hx, s.y1, s.cz + hz];
  return {
    aabb: { min, max },
    centre: [s.cx, (s.y0 + s.y1) / 2, s.cz],
    extent: { width: 2 * hx, height: s.y1 - s.y0, depth: 2 * hz },
    volume: s.sx * s.sz * (s.y1 - s.y0),
    elevation: s.y0,
  };
}

function hitShape(s: SynthShape, cosY: number, sinY: number, o: V3, d: V3): number {
  const ox = o[0] - s.cx;
  const oz = o[2] - s.cz;
  if (s.kind === 'box') {
    // Slab test in the box's own axes.
    const lx = ox * cosY + oz * sinY;
    const lz = -ox * sinY + oz * cosY;
    const dx = d[0] * cosY + d[2] * sinY;
    const dz = -d[0] * sinY + d[2] * cosY;
    let t0 = 0;
    let t1 = Infinity;
    const lo = [-s.sx / 2, s.y0, -s.sz / 2];
    const hi = [s.sx / 2, s.y1, s.sz / 2];
    const p = [lx, o[1], lz];
    const dir = [dx, d[1], dz];
    for (let ax = 0; ax < 3; ax++) {
      let ta = (lo[ax]! - p[ax]!) / dir[ax]!;
      let tb = (hi[ax]! - p[ax]!) / dir[ax]!;
      if (ta > tb) {
        const tmp = ta;
        ta = tb;
        tb = tmp;
      }
      if (ta > t0) t0 = ta;
      if (tb < t1) t1 = tb;
      if (t0 > t1) return Infinity;
    }
    return t0 > 0 ? t0 : Infinity;
  }
  const r = s.sx / 2;
  let best = Infinity;
  const a = d[0] * d[0] + d[2] * d[2];
  const b = 2 * (ox * d[0] + oz * d[2]);
  const cc = ox * ox + oz * oz - r * r;
  const disc = b * b - 4 * a * cc;
  if (a > 0 && disc >= 0) {
    const t = (-b - Math.sqrt(disc)) / (2 * a);
    const y = o[1] + t * d[1];
    if (t > 0 && y >= s.y0 && y <= s.y1) best = t;
  }
  for (const yc of [s.y0, s.y1]) {
    if (d[1] === 0) continue;
    const t = (yc - o[1]) / d[1];
    if (t <= 0 || t >= best) continue;
    const x = ox + t * d[0];
    const z = oz + t * d[2];
    if (x * x + z * z <= r * r) best = t;
  }
  return best;
}

function uniform(rng: Rng, a: number, b: number): number {
  return a + (b - a) * rng();
}

/** Footprints closer than 15 cm (or overlapping heights with overlapping footprints). */
function clashes(cand: SynthShape, shapes: readonly SynthShape[]): boolean {
  const ct = truthOf(cand);
  return shapes.some((s) => {
    const t = truthOf(s);
    return (
      ct.aabb.min[0] < t.aabb.max[0] + 0.15 &&
      t.aabb.min[0] < ct.aabb.max[0] + 0.15 &&
      ct.aabb.min[2] < t.aabb.max[2] + 0.15 &&
      t.aabb.min[2] < ct.aabb.max[2] + 0.15 &&
      ct.aabb.min[1] < t.aabb.max[1] &&
      t.aabb.min[1] < ct.aabb.max[1]
    );
  });
}

/**
 * The table-top scene's shapes: the table (id 1) with its top centred where the optical axis meets
 * it (near edge 5-15 cm in front of the camera), then `n` small boxes and cylinders on its top
 * around that point.
 */
function placeOnTable(
  rng: Rng,
  shapes: SynthShape[],
  n: number,
  h: number,
  pitch: number,
  halfView: [number, number],
): void {
  const top = uniform(rng, 0.72, 0.78);
  const near = uniform(rng, 0.05, 0.15);
  const sz = uniform(rng, 1.3, 1.6);
  shapes.push({
    id: 1,
    kind: 'box',
    cx: uniform(rng, -0.1, 0.1),
    cz: near + sz / 2,
    yaw: 0,
    sx: uniform(rng, 1.6, 2),
    sz,
    y0: 0,
    y1: top,
    on: null,
  });
  const aim = (h - top) / Math.tan(pitch);
  // Half the view's footprint on the top around that point (x; z stretched by 1 / sin(pitch)),
  // so that most objects are seen whole.
  const range = (h - top) / Math.sin(pitch);
  const spreadX = 0.6 * range * halfView[0];
  const spreadZ = (0.6 * range * halfView[1]) / Math.sin(pitch);
  for (let guard = 0; shapes.length < n + 1 && guard < 2000; guard++) {
    const kind = rng() < 0.6 ? 'box' : 'cylinder';
    const sx = uniform(rng, 0.06, 0.2);
    const cand: SynthShape = {
      id: shapes.length + 1,
      kind,
      cx: uniform(rng, -spreadX, spreadX),
      cz: Math.max(near + 0.15, aim + uniform(rng, -spreadZ, spreadZ)),
      yaw: kind === 'box' ? uniform(rng, -0.7, 0.7) : 0,
      sx,
      sz: kind === 'box' ? uniform(rng, 0.06, 0.2) : sx,
      y0: top,
      y1: top + uniform(rng, 0.06, 0.3),
      on: 1,
    };
    if (!clashes(cand, shapes.slice(1))) shapes.push(cand);
  }
}

export function makeSyntheticScene(seed: number, opts: SynthOptions = {}): SynthScene {
  const rng = mulberry32(seed * 7919 + 17);
  const W = opts.width ?? 320;
  const H = opts.height ?? 240;
  const f = (opts.focalPerWidth ?? 0.82) * W;
  const k: Pinhole = { fx: f, fy: f, cx: (W - 1) / 2, cy: (H - 1) / 2 };
  const noFloor = opts.noFloor ?? false;
  const table = opts.tableTop === true && !noFloor;
  const hr = opts.cameraHeight ?? (table ? [1.1, 1.45] : [1.2, 2.0]);
  const pr = opts.pitchDeg ?? (table ? [55, 80] : [8, 35]);
  const h = uniform(rng, hr[0], hr[1]);
  // No-floor scenes look up (the floor leaves the view) at objects hanging on a wall.
  const pitch = noFloor
    ? -uniform(rng, 30, 40) * (Math.PI / 180)
    : uniform(rng, pr[0], pr[1]) * (Math.PI / 180);
  const roll = uniform(rng, -8, 8) * (Math.PI / 180);
  // Camera basis in the world: forward pitched down by `pitch`, then rolled about it.
  const fw: V3 = [0, -Math.sin(pitch), Math.cos(pitch)];
  const up0: V3 = [0, Math.cos(pitch), Math.sin(pitch)];
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  const xc: V3 = [cr, -sr * up0[1], -sr * up0[2]];
  const upc: V3 = [sr, cr * up0[1], cr * up0[2]];
  const yc: V3 = [-upc[0], -upc[1], -upc[2]];
  // Camera-frame up: world (0,1,0) expressed in camera axes (x, y, z) = (xc.y, yc.y, fw.y).
  const up: V3 = [xc[1], yc[1], fw[1]];

  const shapes: SynthShape[] = [];
  const n = opts.objects ?? 3 + Math.floor(rng() * 4);
  const dr = opts.objectDistance ?? [1.8, 5];
  // The back wall stays behind the farthest object (same draw as before for the default range).
  const wallDraw = noFloor ? uniform(rng, 3, 4.5) : uniform(rng, 6, 9);
  const wallZ = opts.objectDistance && !noFloor ? Math.max(wallDraw, dr[1] + 1.5) : wallDraw;
  const sideWall = rng() < 0.5 ? (rng() < 0.5 ? -1 : 1) * uniform(rng, 2.5, 3.5) : null;
  if (table) placeOnTable(rng, shapes, n, h, pitch, [W / 2 / f, H / 2 / f]);
  let guard = 0;
  while (!table && shapes.length < n && guard++ < 5000) {
    const id = shapes.length + 1;
    const kind = rng() < 0.65 ? 'box' : 'cylinder';
    const base = shapes.filter((s) => s.on === null && s.kind === 'box' && s.y1 < 0.8);
    if (!noFloor && base.length > 0 && rng() < 0.25) {
      // Stack a small shape on a box top, centred within its footprint.
      const b = base[Math.floor(rng() * base.length)]!;
      if (shapes.some((s) => s.on === b.id)) continue;
      const size = Math.min(b.sx, b.sz) * uniform(rng, 0.35, 0.6);
      shapes.push({
        id,
        kind,
        cx: b.cx,
        cz: b.cz,
        yaw: kind === 'box' ? b.yaw + uniform(rng, -0.3, 0.3) : 0,
        sx: size,
        sz: kind === 'box' ? size * uniform(rng, 0.7, 1) : size,
        y0: b.y1,
        y1: b.y1 + uniform(rng, 0.1, 0.3),
        on: b.id,
      });
      continue;
    }
    const z = noFloor ? wallZ : uniform(rng, dr[0], dr[1]);
    const halfFov = Math.atan(W / 2 / f);
    const x = uniform(rng, -1, 1) * Math.tan(halfFov) * z * 0.6;
    const sc = opts.objectScale ?? 1;
    const sx = sc * uniform(rng, 0.25, 0.9);
    const sz = kind === 'box' ? sc * uniform(rng, 0.25, 0.9) : sx;
    const hgt = sc * uniform(rng, 0.2, 0.8);
    // Hanging objects sit around the optical axis' elevation (-pitch) on the wall.
    const y0 = noFloor ? h + wallZ * Math.tan(-pitch + uniform(rng, -0.15, 0.15)) - hgt / 2 : 0;
    const cand: SynthShape = {
      id,
      kind,
      cx: x,
      cz: noFloor ? wallZ - sz / 2 - 0.001 : z,
      yaw: kind === 'box' ? uniform(rng, -0.7, 0.7) : 0,
      sx,
      sz,
      y0,
      y1: y0 + hgt,
      on: null,
    };
    if (!clashes(cand, shapes)) shapes.push(cand);
  }
  const scale = opts.objectScale ?? 1;
  for (let o = 0, tries = 0; o < (opts.occluders ?? 0) && tries < 200; tries++) {
    const targets = shapes.filter((s) => s.on === null && s.cz > 1.8);
    if (targets.length === 0) break;
    const t = targets[Math.floor(rng() * targets.length)]!;
    const tw = truthOf(t).extent.width;
    const sx = scale * uniform(rng, 0.25, 0.6);
    const side = rng() < 0.5 ? -1 : 1;
    // Centre offset so that 20-60% of the target's width stays hidden behind the occluder.
    const hidden = uniform(rng, 0.2, 0.6) * tw;
    const cand: SynthShape = {
      id: shapes.length + 1,
      kind: rng() < 0.5 ? 'box' : 'cylinder',
      cx: t.cx + side * (tw / 2 + sx / 2 - hidden),
      cz: t.cz - uniform(rng, 0.6, 1.2),
      yaw: 0,
      sx,
      sz: sx,
      y0: 0,
      y1: Math.min(t.y1, h - 0.2) * uniform(rng, 0.6, 1.3),
      on: null,
    };
    if (!clashes(cand, shapes)) {
      shapes.push(cand);
      o++;
    }
  }

  const depth = new Float32Array(W * H);
  const ids = new Int32Array(W * H).fill(-1);
  const visible = new Map<number, number>();
  const alone = new Map<number, number>();
  const touchesBorder = new Set<number>();
  for (const s of shapes) {
    visible.set(s.id, 0);
    alone.set(s.id, 0);
  }
  const o: V3 = [0, h, 0];
  const sigma = opts.noise ?? 0.001;
  const holes = opts.holes ?? 0.02;
  let floorPixels = 0;
  const cosY = shapes.map((s) => Math.cos(s.yaw));
  const sinY = shapes.map((s) => Math.sin(s.yaw));
  const aloneCount = new Int32Array(shapes.length);
  // Screen rectangle of every shape (projected AABB corners): rays outside it cannot hit it.
  const rect = shapes.map((s) => {
    const t = truthOf(s);
    let u0 = Infinity;
    let u1 = -Infinity;
    let v0 = Infinity;
    let v1 = -Infinity;
    for (let c = 0; c < 8; c++) {
      const p: V3 = [
        (c & 1 ? t.aabb.max[0] : t.aabb.min[0]) - o[0],
        (c & 2 ? t.aabb.max[1] : t.aabb.min[1]) - o[1],
        (c & 4 ? t.aabb.max[2] : t.aabb.min[2]) - o[2],
      ];
      const z = p[0] * fw[0] + p[1] * fw[1] + p[2] * fw[2];
      if (z < 0.05) return [0, W - 1, 0, H - 1];
      const u = (k.fx * (p[0] * xc[0] + p[1] * xc[1] + p[2] * xc[2])) / z + k.cx;
      const v = (k.fy * (p[0] * yc[0] + p[1] * yc[1] + p[2] * yc[2])) / z + k.cy;
      u0 = Math.min(u0, u);
      u1 = Math.max(u1, u);
      v0 = Math.min(v0, v);
      v1 = Math.max(v1, v);
    }
    return [Math.floor(u0) - 1, Math.ceil(u1) + 1, Math.floor(v0) - 1, Math.ceil(v1) + 1];
  });
  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      const a = (u - k.cx) / k.fx;
      const b = (v - k.cy) / k.fy;
      const d: V3 = [
        a * xc[0] + b * yc[0] + fw[0],
        a * xc[1] + b * yc[1] + fw[1],
        a * xc[2] + b * yc[2] + fw[2],
      ];
      let best = Infinity;
      let bestId = -1;
      let isFloor = false;
      if (!noFloor && d[1] < 0) {
        best = -h / d[1];
        isFloor = true;
      }
      if (d[2] > 0) {
        const t = wallZ / d[2];
        if (t < best) {
          best = t;
          isFloor = false;
        }
      }
      if (sideWall !== null && d[0] * sideWall > 0) {
        const t = sideWall / d[0];
        if (t < best) {
          best = t;
          isFloor = false;
        }
      }
      for (let i = 0; i < shapes.length; i++) {
        const r = rect[i]!;
        if (u < r[0]! || u > r[1]! || v < r[2]! || v > r[3]!) continue;
        const t = hitShape(shapes[i]!, cosY[i]!, sinY[i]!, o, d);
        if (t < Infinity) aloneCount[i]!++;
        if (t < best) {
          best = t;
          bestId = shapes[i]!.id;
          isFloor = false;
        }
      }
      if (isFloor) floorPixels++;
      const p = v * W + u;
      if (bestId >= 0) {
        ids[p] = bestId;
        visible.set(bestId, visible.get(bestId)! + 1);
        if (u === 0 || v === 0 || u === W - 1 || v === H - 1) touchesBorder.add(bestId);
      }
      // Noise: sum of three uniforms scaled to unit variance (cheap, bounded at 3 sigma).
      const g = (rng() + rng() + rng() - 1.5) * 2;
      if (best < Infinity && rng() >= holes) depth[p] = best * (1 + sigma * g);
    }
  }
  shapes.forEach((s, i) => alone.set(s.id, aloneCount[i]!));
  return {
    width: W,
    height: H,
    k,
    depth,
    ids,
    shapes,
    cameraHeight: h,
    pitch,
    roll,
    up,
    floorVisible: floorPixels > 0.05 * W * H,
    visible,
    alone,
    touchesBorder,
  };
}

/** COCO-convention 2D box of a shape's visible pixels, or null when not visible. */
export function visibleBox(scene: SynthScene, id: number): [number, number, number, number] | null {
  let u0 = Infinity;
  let v0 = Infinity;
  let u1 = -Infinity;
  let v1 = -Infinity;
  for (let p = 0; p < scene.ids.length; p++) {
    if (scene.ids[p] !== id) continue;
    const v = (p / scene.width) | 0;
    const u = p - v * scene.width;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  return u0 === Infinity ? null : [u0, v0, u1 + 1, v1 + 1];
}

/** Bitmap (row-major) of a shape's visible pixels. */
export function visibleMask(scene: SynthScene, id: number): Uint8Array {
  const m = new Uint8Array(scene.ids.length);
  for (let p = 0; p < m.length; p++) if (scene.ids[p] === id) m[p] = 1;
  return m;
}
