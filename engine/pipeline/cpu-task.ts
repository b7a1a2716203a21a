// The CPU work of one image, with no database: decode the stored depth, lift and build the scene
// graph (segment from depth clusters where no mask exists), then generate its QA. Runs in a
// worker thread (cpu-pool.ts) or inline; the owning thread writes the result in one transaction.
import { readFile } from 'node:fs/promises';
import type { DepthErrorPreset } from '../../spatial/depth-error';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import { generateQa } from '../../spatial/qa/generate';
import { buildScene, type SceneObjectInput } from '../../spatial/scene/build-scene-graph';
import type { QaResult } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { decodeDepthFile } from '../import/depth';

export interface CpuTask {
  imageId: number;
  width: number;
  height: number;
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
  /**
   * Canonical depth blob (16-bit PNG, mm) as a file or its bytes (read from a team's blob store),
   * or depth already in metres (from the depth model).
   */
  depth: { file: string } | { bytes: Uint8Array; name: string } | { metres: Float32Array } | null;
  objects: SceneObjectInput[];
  /** Range-noise preset of the depth (engine/pipeline/depth-noise.ts); null: estimated. */
  depthError?: string | null;
  /** segment + lift + graph; when false, `graph` must hold the stored graph for qa. */
  buildGraph: boolean;
  graph: SceneGraph | null;
  qa: { seed: string; imperialShare?: number } | null;
}

export type StepResult<T> =
  { ok: true; value: T; tookMs: number } | { ok: false; reason: string; tookMs: number };

export interface CpuTaskResult {
  decodeMs: number;
  geometry: StepResult<{
    graph: SceneGraph;
    derivedMasks: Array<[number, CocoRle]>;
    notes: string[];
    /** Name of the range-noise model the extents used; null: estimated per object. */
    depthError: string | null;
  }> | null;
  qa: StepResult<QaResult> | null;
}

/** Canonical depth blobs are 16-bit PNG in millimetres (engine/import), 0 = missing. */
export async function loadDepthMetres(
  file: string,
  width: number,
  height: number,
): Promise<Float32Array> {
  return depthMetresFromBytes(await readFile(file), file, width, height);
}

/** The same from the blob's bytes (a team worker reads them through its blob store). */
export async function depthMetresFromBytes(
  buf: Uint8Array,
  name: string,
  width: number,
  height: number,
): Promise<Float32Array> {
  const raw = await decodeDepthFile(buf, name);
  if (typeof raw === 'string') throw new Error(raw);
  if (raw.width !== width || raw.height !== height)
    throw new Error(`stored depth is ${raw.width}x${raw.height}, image is ${width}x${height}`);
  const metres = new Float32Array(raw.data.length);
  for (let i = 0; i < raw.data.length; i++) metres[i] = raw.data[i]! / 1000;
  return metres;
}

function step<T>(fn: () => T): StepResult<T> {
  const t0 = performance.now();
  try {
    return { ok: true, value: fn(), tookMs: performance.now() - t0 };
  } catch (err) {
    return { ok: false, reason: (err as Error).message, tookMs: performance.now() - t0 };
  }
}

export async function runCpuTask(task: CpuTask): Promise<CpuTaskResult> {
  const out: CpuTaskResult = { decodeMs: 0, geometry: null, qa: null };
  let graph = task.graph;
  if (task.buildGraph) {
    let depth: Float32Array | null = null;
    const t0 = performance.now();
    try {
      if (!task.depth) throw new Error('no depth');
      depth =
        'file' in task.depth
          ? await loadDepthMetres(task.depth.file, task.width, task.height)
          : 'bytes' in task.depth
            ? await depthMetresFromBytes(task.depth.bytes, task.depth.name, task.width, task.height)
            : task.depth.metres;
    } catch (err) {
      out.decodeMs = performance.now() - t0;
      out.geometry = {
        ok: false,
        reason: `depth unreadable: ${(err as Error).message}`,
        tookMs: out.decodeMs,
      };
      return out;
    }
    out.decodeMs = performance.now() - t0;
    const d = depth;
    out.geometry = step(() => {
      const build = buildScene({
        depth: d,
        width: task.width,
        height: task.height,
        intrinsics: task.intrinsics,
        objects: task.objects,
        // An unknown name fails the build with the list of known presets.
        depthError: (task.depthError ?? null) as DepthErrorPreset | null,
      });
      return {
        graph: build.graph,
        derivedMasks: [...build.derivedMasks],
        notes: build.notes,
        depthError: build.depthError?.name ?? null,
      };
    });
    graph = out.geometry.ok ? out.geometry.value.graph : null;
  }
  if (task.qa && graph) {
    const g = graph;
    const qa = task.qa;
    out.qa = step(() =>
      generateQa(g, {
        imageId: String(task.imageId),
        seed: qa.seed,
        imperialShare: qa.imperialShare,
      }),
    );
  }
  return out;
}
