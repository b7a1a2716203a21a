// The Open3D comparison of bench/spatial-bench.ts (--open3d): our geometry steps timed one by one
// on the same frames, the same masks and the same per-object voxel size / DBSCAN eps handed to
// Open3D (bench/open3d_steps.py, single thread: OMP_NUM_THREADS=1), per-step medians and ratios.
// Skipped with a note where no Python with Open3D (Debian: python3-open3d) is found.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Pinhole } from '../spatial/camera';
import { liftDepth, liftTransformedInto, type DepthImage } from '../spatial/geometry/lift';
import { maskFromBox } from '../spatial/scene/box-to-mask';
import type { SceneInput } from '../spatial/scene/build-scene-graph';
import { estimateFrame } from '../spatial/scene/gravity-frame';
import { cameraCentre, measureObject } from '../spatial/scene/measurements';
import { denoisedObjectPoints } from '../spatial/scene/noise-aware';
import { cleanObjectCloud } from '../spatial/scene/object-cloud';

const STEPS = ['lift-frame', 'floor', 'box-to-mask', 'lift-objects', 'clean-up', 'boxes'] as const;
type Step = (typeof STEPS)[number];

/** A Python that imports open3d (PATH's python3 first, then Debian's), or null. */
function findOpen3dPython(): { python: string; version: string } | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import open3d; print(open3d.__version__)'], {
      encoding: 'utf8',
    });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The frame search's lifting stride (gravity-frame.ts: about 20k points per frame). */
function frameStride(img: DepthImage): number {
  return Math.max(1, Math.round(Math.sqrt((img.width * img.height) / 20000)));
}

interface ObjectJob {
  pixels: Int32Array;
  voxel: number;
  eps: number;
}

/** One frame through our steps, timed; returns per-step ms and the per-object jobs for Open3D. */
function ourSteps(input: SceneInput): { ms: Record<Step, number>; jobs: ObjectJob[] } {
  const img: DepthImage = { depth: input.depth, width: input.width, height: input.height };
  const k: Pinhole = input.intrinsics;
  const ms = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  let t = performance.now();
  liftDepth(img, k, frameStride(img));
  let t1 = performance.now();
  ms['lift-frame'] = t1 - t;
  t = t1;
  // estimateFrame lifts again: its own lifting is taken out of 'floor'.
  const { frame } = estimateFrame(img, k, input.gravity ?? null);
  t1 = performance.now();
  ms.floor = t1 - t - ms['lift-frame'];
  const cam = cameraCentre(frame);
  const jobs: ObjectJob[] = [];
  const xyz = new Float32Array(input.width * input.height * 3);
  const px = new Int32Array(input.width * input.height);
  for (const obj of input.objects) {
    t = performance.now();
    const mask = maskFromBox(img, k, obj.bbox2d, frame);
    t1 = performance.now();
    ms['box-to-mask'] += t1 - t;
    if (mask.pixels.length === 0) continue;
    t = t1;
    const n = liftTransformedInto(img, k, mask.pixels, frame.rotation, frame.translation, xyz, px);
    t1 = performance.now();
    ms['lift-objects'] += t1 - t;
    t = t1;
    const clean = cleanObjectCloud(xyz, n, cam, (k.fx + k.fy) / 2);
    t1 = performance.now();
    ms['clean-up'] += t1 - t;
    t = t1;
    if (clean.kept.length > 0) {
      const dn = denoisedObjectPoints(img, k, frame, px, clean.kept, clean.medianRange, null);
      const all = Int32Array.from({ length: dn.count }, (_, i) => i);
      measureObject(dn.xyz, all, clean.voxelXyz, clean.voxelCount, frame);
    }
    ms.boxes += performance.now() - t;
    jobs.push({ pixels: mask.pixels.slice(), voxel: clean.voxelSize, eps: 2 * clean.voxelSize });
  }
  return { ms, jobs };
}

export function compareWithOpen3d(inputs: SceneInput[], runs: number, label: string): void {
  const found = findOpen3dPython();
  if (!found) {
    console.log(
      `open3d comparison skipped: no python3 imports open3d (Debian: apt-get install python3-open3d)`,
    );
    return;
  }
  // Ours: warm-up pass, then `runs` frames spread over the inputs.
  for (const input of inputs) ourSteps(input);
  const ours = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  const jobs: ObjectJob[][] = inputs.map(() => []);
  for (let r = 0; r < runs; r++) {
    const res = ourSteps(inputs[r % inputs.length]!);
    for (const s of STEPS) ours[s].push(res.ms[s]);
    jobs[r % inputs.length] = res.jobs;
  }
  // Open3D: the same frames, masks and parameters, written for the Python side.
  const dir = mkdtempSync(join(tmpdir(), 'sqw-o3d-'));
  try {
    const frames = inputs.map((input, f) => {
      writeFileSync(join(dir, `depth${f}.bin`), input.depth);
      return {
        depth: `depth${f}.bin`,
        width: input.width,
        height: input.height,
        k: input.intrinsics,
        stride: frameStride(input),
        objects: jobs[f]!.map((j, o) => {
          writeFileSync(join(dir, `mask${f}_${o}.bin`), j.pixels);
          return { pixels: `mask${f}_${o}.bin`, voxel: j.voxel, eps: j.eps };
        }),
      };
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ frames }));
    const script = resolve(import.meta.dirname, 'open3d_steps.py');
    const r = spawnSync(found.python, [script, dir, String(runs)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (r.status !== 0) {
      console.log(`open3d comparison failed: ${r.stderr.trim().split('\n').pop()}`);
      return;
    }
    const o3d = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      open3d: string;
      threads: string;
      steps: Record<string, number>;
    };
    console.log(
      `\nopen3d ${o3d.open3d} (${found.python}, OMP_NUM_THREADS=${o3d.threads}) vs ours, ${label}, ` +
        `median ms per frame over ${runs} frames (same masks, voxel sizes and eps):`,
    );
    console.log('| step | ours ms | open3d ms | open3d / ours |');
    console.log('| --- | --- | --- | --- |');
    let sumOurs = 0;
    let sumO3d = 0;
    for (const s of STEPS) {
      const a = median(ours[s]);
      const b = o3d.steps[s];
      sumOurs += a;
      if (b !== undefined) sumO3d += b;
      console.log(
        `| ${s} | ${a.toFixed(2)} | ${b === undefined ? 'n/a (no counterpart)' : b.toFixed(2)} | ${
          b === undefined ? '-' : (b / a).toFixed(2)
        } |`,
      );
    }
    const common = sumOurs - median(ours['box-to-mask']);
    console.log(
      `| sum of medians (without box-to-mask) | ${common.toFixed(2)} | ${sumO3d.toFixed(2)} | ${(sumO3d / common).toFixed(2)} |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
