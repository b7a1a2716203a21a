// The pipeline's CPU stages for one image of a team project: its objects (imported boxes and
// masks) and depth (through the blob store) go through the same computation as the desktop's
// image run (cpu-task.ts, then cpu-stages.ts for what to store and record), and the results are
// written through the two-database layer's SceneStore. Computing happens outside any
// transaction; `write` is called inside the job's completing transaction.
import type { Kysely } from 'kysely';
import type { StageRecord } from '../../db/repositories/stage-results';
import { CatalogStore } from '../../db/store/catalog-store';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectTables } from '../../db/store/schema';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import {
  NO_DEPTH,
  NO_OBJECTS,
  segmentSkipReason,
  settleCpuStages,
  type GeometryStage,
} from '../pipeline/cpu-stages';
import { depthNoisePreset } from '../pipeline/depth-noise';
import { runCpuTask, type CpuTask, type CpuTaskResult } from '../pipeline/cpu-task';
import { generatedQaRows } from '../pipeline/qa-stage';
import { sceneInputs } from '../pipeline/scene-inputs';
import { blobKeyOf, type BlobStore } from './blob-store';

/** The stages a worker runs with no model: masks from depth clusters, lift, graph, template QA. */
export const CPU_STAGES = ['segment', 'lift', 'graph', 'qa'] as const;
export type CpuStageName = (typeof CPU_STAGES)[number];

export interface ImageStagesEnv {
  db: Kysely<ProjectTables>;
  blobs: BlobStore;
  /** The run the stage records name; null for a re-derivation after a reviewer's edit. */
  runId: string | null;
  seed: string;
}

export interface ComputedImage {
  /** Writes graph, masks, QA and the stage records; returns the records written. */
  write(scene: SceneStore): Promise<StageRecord[]>;
}

export async function computeImageStages(
  env: ImageStagesEnv,
  imageId: number,
  stages: ReadonlySet<CpuStageName>,
): Promise<ComputedImage> {
  const image = await new CatalogStore(env.db).image(imageId);
  if (!image) throw new Error(`image ${imageId} not in the project`);
  const read = new SceneStore(env.db);
  const stored = await read.objectsWithMasks(imageId);
  const objects = stored.map((o) => ({ hasMask: Boolean(o.maskRle) }));
  const rec = (stage: string, status: StageRecord['status'], reason: string | null) => ({
    imageId,
    stage,
    status,
    reason,
    provenance: null,
    tookMs: null,
    jobId: env.runId,
  });
  // As the desktop's model loop records segment with no segmentation model installed.
  const before: StageRecord[] = [];
  const segmentSkip = stages.has('segment') ? segmentSkipReason(objects) : null;
  if (segmentSkip) before.push(rec('segment', 'skipped', segmentSkip));

  const geometryStages = (['segment', 'lift', 'graph'] as const).filter(
    (s): s is GeometryStage => stages.has(s) && !(s === 'segment' && segmentSkip),
  );
  const wantGraph = geometryStages.length > 0;
  const wantQa = stages.has('qa');
  let blocked: string | null = null;
  if (wantGraph && !image.depthBlob) blocked = NO_DEPTH;
  if (!blocked && wantGraph && stored.length === 0) blocked = NO_OBJECTS;

  let task: CpuTask | null = null;
  if (!blocked && (wantGraph || wantQa)) {
    const storedGraph = wantGraph
      ? null
      : (((await read.graph(imageId))?.graph as SceneGraph | undefined) ?? null);
    if (wantGraph || storedGraph) {
      task = {
        imageId,
        width: image.width,
        height: image.height,
        intrinsics: {
          fx: image.fx,
          fy: image.fy,
          cx: image.cx,
          cy: image.cy,
          source: image.intrinsicsSource,
        },
        // A blob that cannot be read fails the job (retried: a shared mount may be back), as a
        // file that cannot be decoded fails the stage.
        depth: wantGraph
          ? { bytes: await env.blobs.read(blobKeyOf(image.depthBlob!)), name: image.depthBlob! }
          : null,
        // The depth sensor's range-noise model named at import, as the desktop run reads it.
        depthError: depthNoisePreset(image),
        objects: sceneInputs(stored),
        buildGraph: wantGraph,
        graph: storedGraph,
        qa: wantQa ? { seed: env.seed } : null,
      };
    }
  }
  const result: CpuTaskResult | null = task
    ? await runCpuTask(task).catch((err: unknown) => ({
        decodeMs: 0,
        geometry: { ok: false as const, reason: (err as Error).message, tookMs: 0 },
        qa: null,
      }))
    : null;
  const cpu = settleCpuStages({
    imageId,
    jobId: env.runId,
    seed: env.seed,
    geometryStages,
    wantQa,
    blocked,
    result,
  });
  return {
    async write(scene) {
      let geometryWriteMs = 0;
      if (cpu.geometry) {
        const w0 = performance.now();
        for (const [objectId, rle] of cpu.geometry.derivedMasks)
          await scene.setMask(objectId, JSON.stringify(rle), 'depth-cluster');
        await scene.saveGraph(imageId, cpu.geometry.graph, cpu.geometry.notes);
        geometryWriteMs = performance.now() - w0;
      }
      let qaWriteMs = 0;
      let qaCounts = null;
      if (cpu.qa) {
        const w0 = performance.now();
        qaCounts = await scene.upsertQa(imageId, generatedQaRows(cpu.qa));
        await scene.replaceAmbiguities(imageId, cpu.qa.ambiguities);
        qaWriteMs = performance.now() - w0;
      }
      const records = [...before, ...cpu.records({ geometryWriteMs, qaWriteMs, qaCounts })];
      await scene.recordStages(records);
      return records;
    },
  };
}
