// Per-step times of buildScene's work on box-only frames (bench/spatial-bench.ts --steps): the same
// steps buildScene runs per frame and per object, called one by one with a timer around each, for
// this checkout and (--baseline) an older one in the same process, frames alternating between the
// two. The steps are loaded from each checkout's own modules, so both must export them with the
// signatures used here (true since the 2026-12-04 noise-aware extents).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pinhole } from '../spatial/camera';
import type { SceneInput } from '../spatial/scene/build-scene-graph';
import type * as BoxToMask from '../spatial/scene/box-to-mask';
import type * as ExtentStatus from '../spatial/scene/extent-status';
import type * as GravityFrame from '../spatial/scene/gravity-frame';
import type * as Lift from '../spatial/geometry/lift';
import type * as MaskRle from '../spatial/geometry/mask-rle';
import type * as Measurements from '../spatial/scene/measurements';
import type * as NoiseAware from '../spatial/scene/noise-aware';
import type * as ObjectCloud from '../spatial/scene/object-cloud';
import type * as Relations from '../spatial/scene/relations';

export const STEP_NAMES = [
  'frame (floor search)',
  'box-to-mask',
  'encode mask',
  'lift objects',
  'clean-up',
  'smoothing',
  'boxes (AABB + yaw box)',
  'extent status',
  'relations',
] as const;
type StepName = (typeof STEP_NAMES)[number];

interface Modules {
  boxToMask: typeof BoxToMask;
  extentStatus: typeof ExtentStatus;
  gravity: typeof GravityFrame;
  lift: typeof Lift;
  rle: typeof MaskRle;
  measure: typeof Measurements;
  noise: typeof NoiseAware;
  cloud: typeof ObjectCloud;
  relations: typeof Relations;
}

export async function loadSteps(root: string): Promise<Modules> {
  const load = async <T>(path: string): Promise<T> =>
    (await import(pathToFileURL(resolve(root, path)).href)) as T;
  return {
    boxToMask: await load('spatial/scene/box-to-mask.ts'),
    extentStatus: await load('spatial/scene/extent-status.ts'),
    gravity: await load('spatial/scene/gravity-frame.ts'),
    lift: await load('spatial/geometry/lift.ts'),
    rle: await load('spatial/geometry/mask-rle.ts'),
    measure: await load('spatial/scene/measurements.ts'),
    noise: await load('spatial/scene/noise-aware.ts'),
    cloud: await load('spatial/scene/object-cloud.ts'),
    relations: await load('spatial/scene/relations.ts'),
  };
}

/** One frame through the steps (objects given as boxes), ms per step. */
export function timeSteps(m: Modules, input: SceneInput): Record<StepName, number> {
  const ms = Object.fromEntries(STEP_NAMES.map((s) => [s, 0])) as Record<StepName, number>;
  const img = { depth: input.depth, width: input.width, height: input.height };
  const k: Pinhole = input.intrinsics;
  const focal = (k.fx + k.fy) / 2;
  // CPU time of the process (user + system), not wall time: on a shared machine the wall clock
  // also counts the time other jobs hold the cores.
  const now = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = now();
  const lap = (step: StepName): void => {
    const t1 = now();
    ms[step] += t1 - t;
    t = t1;
  };
  const { frame } = m.gravity.estimateFrame(img, k, input.gravity ?? null);
  lap('frame (floor search)');
  const cam = m.measure.cameraCentre(frame);
  const xyz = new Float32Array(input.width * input.height * 3);
  const px = new Int32Array(input.width * input.height);
  const nodes: Parameters<typeof m.relations.relateNodes>[0] = [];
  for (const obj of input.objects) {
    t = now();
    const mask = m.boxToMask.maskFromBox(img, k, obj.bbox2d, frame);
    lap('box-to-mask');
    if (mask.pixels.length === 0) continue;
    m.rle.encodeRlePixels(mask.pixels, input.width, input.height);
    lap('encode mask');
    const n = m.lift.liftTransformedInto(
      img,
      k,
      mask.pixels,
      frame.rotation,
      frame.translation,
      xyz,
      px,
    );
    lap('lift objects');
    const clean = m.cloud.cleanObjectCloud(xyz, n, cam, focal);
    lap('clean-up');
    if (clean.kept.length === 0) continue;
    const dn = m.noise.denoisedObjectPoints(img, k, frame, px, clean.kept, clean.medianRange, null);
    lap('smoothing');
    const all = identityOf(dn.count);
    const g = m.measure.measureObject(dn.xyz, all, clean.voxelXyz, clean.voxelCount, frame);
    lap('boxes (AABB + yaw box)');
    m.extentStatus.outlineSides({
      depth: input.depth,
      width: input.width,
      height: input.height,
      pixels: dn.pixels,
      count: dn.pixels.length,
      gate: (z) => Math.max(0.05, 0.04 * z, 3 * dn.sigma),
    });
    lap('extent status');
    nodes.push({
      id: obj.id,
      label: obj.label,
      attributes: [],
      bbox2d: obj.bbox2d,
      maskRef: null,
      maskProvenance: 'depth-cluster',
      centroid: g.centroid,
      aabb: g.aabb,
      obb: g.obb,
      extent: g.extent,
      numPoints: g.numPoints,
      elevation: g.elevation,
      distanceFromCamera: g.distanceFromCamera,
      quality: { ok: true, flags: [] },
    });
  }
  t = now();
  m.relations.relateNodes(nodes, frame);
  lap('relations');
  return ms;
}

// buildScene's reused identity index list (not an allocation per object).
let identity = new Int32Array(0);
function identityOf(n: number): Int32Array {
  if (identity.length < n) identity = Int32Array.from({ length: n * 2 }, (_, i) => i);
  return identity.subarray(0, n);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Per-step medians (ms per frame) over `runs` frames spread over `inputs`, implementations
 * alternating frame by frame after one warm-up pass each; prints a markdown table.
 */
export function printStepTable(
  impls: { name: string; modules: Modules }[],
  inputs: SceneInput[],
  runs: number,
  label: string,
): void {
  for (const impl of impls) for (const input of inputs) timeSteps(impl.modules, input);
  const samples = impls.map(
    () =>
      Object.fromEntries(STEP_NAMES.map((s) => [s, [] as number[]])) as Record<StepName, number[]>,
  );
  const totals = impls.map(() => [] as number[]);
  for (let r = 0; r < runs; r++)
    impls.forEach((impl, i) => {
      const ms = timeSteps(impl.modules, inputs[r % inputs.length]!);
      let sum = 0;
      for (const s of STEP_NAMES) {
        samples[i]![s].push(ms[s]);
        sum += ms[s];
      }
      totals[i]!.push(sum);
    });
  console.log(`\nsteps, ${label}, median CPU ms per frame over ${runs} frames:`);
  console.log(
    `| step | ${impls.map((x) => x.name).join(' | ')} |${impls.length === 2 ? ' new/old |' : ''}`,
  );
  console.log(`| --- |${impls.map(() => ' --- |').join('')}${impls.length === 2 ? ' --- |' : ''}`);
  const row = (name: string, vals: number[]): void =>
    console.log(
      `| ${name} | ${vals.map((v) => v.toFixed(2)).join(' | ')} |` +
        (vals.length === 2 ? ` ${(vals[1]! / vals[0]!).toFixed(2)} |` : ''),
    );
  for (const s of STEP_NAMES)
    row(
      s,
      samples.map((x) => median(x[s])),
    );
  row('sum of steps (median of per-frame sums)', totals.map(median));
}
