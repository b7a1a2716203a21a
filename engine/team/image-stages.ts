// The pipeline's stages for one image of a team project: the model stages first
// (model-stages.ts, when the job asks for any), then the CPU stages: its objects (imported,
// detected) and depth (through the blob store, or from the depth model) go through the same
// computation as the desktop's image run (cpu-task.ts, then cpu-stages.ts for what to store and
// record), and the results are written through the two-database layer's stores. Computing happens
// outside any transaction; `write` is called inside the job's completing transaction.
import type { Kysely } from 'kysely';
import type { StageRecord } from '../../db/store/rows';
import { CatalogStore } from '../../db/store/catalog-store';
import { SceneStore } from '../../db/store/scene-store';
import type { DialectName, ProjectTables } from '../../db/store/schema';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { NO_DEPTH, NO_OBJECTS, settleCpuStages, type GeometryStage } from '../pipeline/cpu-stages';
import { MODEL_STAGE_ORDER } from '../pipeline/model-rules';
import type { InferenceLane } from '../pipeline/inference-lane';
import type { ModelStageName } from '../pipeline/model-stage';
import { depthNoisePreset } from '../pipeline/depth-noise';
import { runCpuTask, type CpuTask, type CpuTaskResult } from '../pipeline/cpu-task';
import { storeQa } from '../pipeline/qa-stage';
import { sceneInputs } from '../pipeline/scene-inputs';
import { ALL_STAGES } from '../pipeline/stages';
import { blobKeyOf, type BlobStore } from './blob-store';
import { runModelStages, type WorkerModels } from './model-stages';

/** The stages a worker runs with no model: masks from depth clusters, lift, graph, template QA. */
export const CPU_STAGES = ['segment', 'lift', 'graph', 'qa'] as const;
export type CpuStageName = (typeof CPU_STAGES)[number];

/** The model stages a worker runs with the models it loaded (`sqw worker --device`). */
export const MODEL_STAGES: readonly ModelStageName[] = MODEL_STAGE_ORDER;

export type PipelineStageName = CpuStageName | ModelStageName;

/** Every pipeline stage a worker runs, in the pipeline's order. */
export const PIPELINE_STAGES: readonly PipelineStageName[] = ALL_STAGES;

export interface ImageStagesEnv {
  db: Kysely<ProjectTables>;
  dialect: DialectName;
  blobs: BlobStore;
  /** The run the stage records name; null for a re-derivation after a reviewer's edit. */
  runId: string | null;
  seed: string;
  /** What the detect stage looks for (the run's --labels); empty: the model's vocabulary. */
  labels: readonly string[];
  /** The object-id block the run reserved for the image (db/store/object-id-blocks.ts), if any. */
  firstObjectId?: number | null;
  /** The worker's models for a job's model stages and labels (loaded once per such set). */
  models: (stages: ReadonlySet<ModelStageName>, labels: readonly string[]) => Promise<WorkerModels>;
  lane: InferenceLane;
}

export interface ComputedImage {
  /**
   * Whether the objects (and the stored graph, for QA alone) this was computed from are still the
   * image's, read through `scene`: false once a reviewer's edit or another writer changed them, and
   * then `write` would store a graph and QA of objects that are gone. Called under the locks that
   * keep edits out until the transaction ends (lockObjectEdits), before anything is written.
   */
  isCurrent(scene: SceneStore): Promise<boolean>;
  /**
   * Writes detected objects, model masks, depth and intrinsics, then graph, derived masks, QA and
   * the stage records; returns the records written.
   */
  write(scene: SceneStore, trx: Kysely<ProjectTables>): Promise<StageRecord[]>;
}

export async function computeImageStages(
  env: ImageStagesEnv,
  imageId: number,
  stages: ReadonlySet<PipelineStageName>,
): Promise<ComputedImage> {
  const image = await new CatalogStore(env.db).image(imageId);
  if (!image) throw new Error(`image ${imageId} not in the project`);
  const read = new SceneStore(env.db);
  const stored = await read.objectsWithMasks(imageId);

  const modelStages = new Set(MODEL_STAGES.filter((s) => stages.has(s)));
  let models = null;
  if (modelStages.size) {
    // Model stages are a queued run's (their records and reserved ids name it), never an edit's.
    if (env.runId === null) throw new Error('model stages run only in a queued run');
    models = await runModelStages(
      {
        db: env.db,
        dialect: env.dialect,
        blobs: env.blobs,
        runId: env.runId,
        firstObjectId: env.firstObjectId ?? null,
        models: await env.models(modelStages, env.labels),
        lane: env.lane,
      },
      image,
      stored,
      modelStages,
      await read.stageRecords(imageId),
    );
  }
  const records: StageRecord[] = [...(models?.records ?? [])];
  const objects = models?.objects ?? stored;

  // Segment is a model stage when a segmentation model is installed, else the graph pass derives
  // masks from depth clusters; a stage the model loop settled is not recorded twice.
  const geometryStages = (['segment', 'lift', 'graph'] as const).filter(
    (s): s is GeometryStage =>
      stages.has(s) &&
      !(s === 'segment' && models?.segmentedByModel) &&
      !records.some((r) => r.stage === s),
  );
  const wantGraph = geometryStages.length > 0;
  const wantQa = stages.has('qa');
  const hasDepth = Boolean(models?.modelDepth) || Boolean(image.depthBlob);
  let blocked: string | null = models?.blocked ?? null;
  if (!blocked && wantGraph && !hasDepth) blocked = NO_DEPTH;
  if (!blocked && wantGraph && objects.length === 0) blocked = NO_OBJECTS;

  let task: CpuTask | null = null;
  // What an edit (or another writer) may change under this computation: its objects, and the
  // stored graph when QA is computed from it.
  let graphRead: string | null = null;
  if (!blocked && (wantGraph || wantQa)) {
    const storedGraph = wantGraph
      ? null
      : (((await read.graph(imageId))?.graph as SceneGraph | undefined) ?? null);
    if (!wantGraph) graphRead = JSON.stringify(storedGraph);
    if (wantGraph || storedGraph) {
      let depth: CpuTask['depth'] = null;
      if (wantGraph && models?.modelDepth) depth = { metres: models.modelDepth };
      // A blob that cannot be read fails the job (retried: a shared mount may be back), as a
      // file that cannot be decoded fails the stage.
      else if (wantGraph)
        depth = {
          bytes: await env.blobs.read(blobKeyOf(image.depthBlob!)),
          name: image.depthBlob!,
        };
      task = {
        imageId,
        width: image.width,
        height: image.height,
        intrinsics: models?.intrinsics ?? {
          fx: image.fx,
          fy: image.fy,
          cx: image.cx,
          cy: image.cy,
          source: image.intrinsicsSource,
        },
        depth,
        // The depth sensor's range-noise model named at import, as the desktop run reads it.
        depthError: models ? models.depthError : depthNoisePreset(image),
        objects: sceneInputs(objects),
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
  const objectsRead = JSON.stringify(stored);
  return {
    async isCurrent(scene) {
      if (JSON.stringify(await scene.objectsWithMasks(imageId)) !== objectsRead) return false;
      return (
        graphRead === null ||
        JSON.stringify(((await scene.graph(imageId))?.graph as SceneGraph | undefined) ?? null) ===
          graphRead
      );
    },
    async write(scene, trx) {
      await models?.write(scene, trx);
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
        qaCounts = await storeQa(scene, imageId, cpu.qa);
        qaWriteMs = performance.now() - w0;
      }
      const all = [...records, ...cpu.records({ geometryWriteMs, qaWriteMs, qaCounts })];
      await scene.recordStages(all);
      return all;
    },
  };
}
