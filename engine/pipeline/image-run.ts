// One image through the requested stages. Model stages run in the inference lane and commit their
// output with its stage record at once (objects, masks, depth, intrinsics); their skip rules make a
// replay after a crash add nothing twice (objects present -> no detection, model depth present and
// done in this job -> no depth run). The CPU stages run in the pool and commit graph, QA, stage
// records and the job item in one transaction: until that commits, the image is still pending.
// Results are read and written through the two-database layer's stores (SceneStore,
// ModelOutputStore), the queries a team worker writes the same results with; each transaction
// awaits nothing but the database (db/store/sqlite-dialect.ts).
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ProjectStore } from '../../db/project-store';
import type { ImageRow } from '../../db/store/rows';
import type { StageRecord } from '../../db/store/rows';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { JobItemStore } from '../../db/store/job-item-store';
import { ModelOutputStore } from '../../db/store/model-output-store';
import { SceneStore } from '../../db/store/scene-store';
import type { ProjectTables } from '../../db/store/schema';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import type { CpuPool } from './cpu-pool';
import type { CpuTask } from './cpu-task';
import type { InferenceLane } from './inference-lane';
import { writeModelDepth } from './model-depth-blob';
import { NO_DEPTH, NO_OBJECTS, settleCpuStages } from './cpu-stages';
import {
  blockObjectIds,
  checkDepthOutput,
  checkIntrinsicsOutput,
  depthSource,
  detectionsToStore,
  MODEL_STAGE_ORDER,
  modelFailureReason,
  modelSkipReason,
  stageStart,
} from './model-rules';
import { storeQa } from './qa-stage';
import { sceneInputs } from './scene-inputs';
import type { DecodedImage, ModelStage, ModelStageName } from './model-stage';
import { FINISHED_SKIPS, type StageName } from './stages';
import { depthErrorPresetForModel } from '../../spatial/depth-error';
import { depthNoisePreset } from './depth-noise';
import { decodeRgb } from './decode-rgb';

const FINISHED: ReadonlySet<string> = new Set(FINISHED_SKIPS);
const MODEL_STAGES: ReadonlySet<string> = new Set(MODEL_STAGE_ORDER);

export interface ImageRunEnv {
  store: ProjectStore;
  items: JobItemStore;
  jobId: string;
  stages: ReadonlySet<StageName>;
  onlyPending: boolean;
  seed: string;
  /** Model stages with an installed model; a wanted model stage missing here is skipped. */
  models: Partial<Record<ModelStageName, ModelStage>>;
  /** Reasons to record for wanted model stages with no model. */
  missing: Partial<Record<ModelStageName, string>>;
  lane: InferenceLane;
  pool: CpuPool;
  onProvider(stage: ModelStageName, provider: string): void;
  /** Called as an image starts (progress: the current image). */
  onImage?(relPath: string): void;
}

export interface ImageRunOutcome {
  imageId: number;
  image: string;
  item: 'done' | 'skipped' | 'failed';
  records: StageRecord[];
}

/** Decoded upright RGB of an image (the stored upright copy when the source needed one). */
export async function decodeImage(store: ProjectStore, image: ImageRow): Promise<DecodedImage> {
  return image.uprightBlob
    ? decodeRgb(join(store.folder, image.uprightBlob), true, image)
    : decodeRgb(image.sourcePath, false, image);
}

export async function runImage(env: ImageRunEnv, imageId: number): Promise<ImageRunOutcome> {
  const { store, jobId, stages } = env;
  const db = sqliteHandle(store.db);
  const read = new SceneStore(db);
  /** One short write transaction through the layer's stores. */
  const write = <T>(fn: (scene: SceneStore, trx: Kysely<ProjectTables>) => Promise<T>) =>
    db.transaction().execute((trx) => fn(new SceneStore(trx), trx));
  const image = await new CatalogStore(db).image(imageId);
  if (!image) return { imageId, image: `#${imageId}`, item: 'skipped', records: [] };
  env.onImage?.(image.relPath);
  const records: StageRecord[] = [];
  const rec = (
    stage: StageName,
    status: StageRecord['status'],
    reason: string | null,
    provenance: Record<string, unknown> | null = null,
    tookMs: number | null = null,
  ): StageRecord => {
    const r: StageRecord = { imageId, stage, status, reason, provenance, tookMs, jobId };
    records.push(r);
    return r;
  };
  // Stages settled earlier: by this job before a crash/pause, or by any run with --only-pending.
  const prior = new Map((await read.stageRecords(imageId)).map((r) => [r.stage, r]));
  const settled = (stage: StageName): boolean => {
    const p = prior.get(stage);
    if (!p) return false;
    if (env.onlyPending)
      return p.status === 'done' || (p.status === 'skipped' && FINISHED.has(p.reason ?? ''));
    // Resume: a model stage commits on its own, before the image's final transaction; the CPU
    // stages of a pending image never committed (or are from an attempt being retried).
    return p.jobId === jobId && p.status === 'done' && MODEL_STAGES.has(stage);
  };
  const jobOf = (stage: StageName) => prior.get(stage)?.jobId ?? null;

  let blocked: string | null = null;
  let objectsChanged = false;
  let failure: { stage: string; reason: string } | null = null;
  let rgb: Promise<DecodedImage> | null = null;
  const decoded = () => (rgb ??= decodeImage(store, image));
  const stored = await read.objectsWithMasks(imageId);
  let { objects, intrinsics } = stageStart(stored, image);
  let depth: CpuTask['depth'] = image.depthBlob
    ? { file: join(store.folder, image.depthBlob) }
    : null;
  let depthError = depthNoisePreset(image);

  // A filter verdict from before a resume still applies.
  const filterPrior = prior.get('filter');
  if (filterPrior?.status === 'done' && filterPrior.provenance?.keep === false && settled('filter'))
    blocked = `filtered out by the scene filter: ${String(filterPrior.provenance.reason ?? '')}`;

  for (const stage of MODEL_STAGE_ORDER) {
    if (!stages.has(stage) || settled(stage)) continue;
    if (blocked) {
      rec(stage, 'skipped', blocked);
      continue;
    }
    const skip = skipReason(stage);
    if (skip) {
      rec(stage, 'skipped', skip);
      continue;
    }
    const model = env.models[stage];
    if (!model) {
      // Without a segmentation model, the graph pass derives masks from depth clusters.
      if (stage !== 'segment') rec(stage, 'skipped', env.missing[stage] ?? 'no model installed');
      continue;
    }
    const t0 = performance.now();
    try {
      const img = await decoded();
      const { output, provider } = await env.lane.runStage(model, {
        imageId,
        image: img,
        objects,
        intrinsics,
      });
      env.onProvider(stage, provider);
      const provenance = {
        model: model.model.modelId,
        checksum: model.model.checksum,
        provider,
        params: model.model.params,
      };
      await commitModelOutput(stage, output, provenance, performance.now() - t0);
    } catch (err) {
      const reason = modelFailureReason(model.model.modelId, (err as Error).message);
      rec(stage, 'failed', reason, { model: model.model.modelId }, performance.now() - t0);
      failure ??= { stage, reason };
      blocked = `${stage} failed`;
    }
  }

  function skipReason(stage: ModelStageName): string | null {
    return modelSkipReason(stage, {
      objects,
      importedObjects: stored.some((o) => o.provenance === 'imported'),
      depthSource: depthSource(image!.depthBlob, image!.depthJson),
      modelDepthFromThisRun: jobOf('depth') === jobId,
      intrinsicsSource: intrinsics.source,
    });
  }

  async function commitModelOutput(
    stage: ModelStageName,
    output: unknown,
    provenance: Record<string, unknown>,
    tookMs: number,
  ): Promise<void> {
    const r = (extra: Record<string, unknown> = {}): StageRecord =>
      rec(stage, 'done', null, { ...provenance, ...extra }, tookMs);
    if (stage === 'filter') {
      const o = output as { keep: boolean; score: number; reason: string };
      await read.recordStages([r({ keep: o.keep, score: o.score, reason: o.reason })]);
      if (!o.keep) blocked = `filtered out by the scene filter: ${o.reason}`;
    } else if (stage === 'detect') {
      const o = output as {
        objects: Array<{ label: string; score: number; box: [number, number, number, number] }>;
      };
      const { kept, note } = detectionsToStore(o.objects);
      // The image's block (reserved as the job queued it), so the ids do not depend on the order
      // images reach this point; without one, the next free ids.
      const block = blockObjectIds(await env.items.firstObjectId(jobId, imageId), kept.length);
      const ids = await write(async (scene, trx) => {
        const out = new ModelOutputStore(trx);
        const taken = block ?? (await out.nextFreeObjectIds(kept.length, 'sqlite'));
        await out.addDetectedObjects(
          imageId,
          kept.map((d, i) => ({ id: taken[i]!, label: d.label, score: d.score, box: d.box })),
        );
        await scene.recordStages([r({ objects: kept.length, ...(note ? { note } : {}) })]);
        return taken;
      });
      objectsChanged = true;
      objects = kept.map((d, i) => ({
        id: ids[i]!,
        label: d.label,
        score: d.score,
        box: d.box,
        hasMask: false,
      }));
    } else if (stage === 'segment') {
      const o = output as { masks: Array<{ objectId: number; rle: CocoRle }> };
      const known = new Set(objects.map((x) => x.id));
      await write(async (scene) => {
        for (const m of o.masks)
          if (known.has(m.objectId))
            await scene.setMask(m.objectId, JSON.stringify(m.rle), 'model');
        await scene.recordStages([r({ masks: o.masks.length })]);
      });
      objectsChanged = true;
      const got = new Set(o.masks.map((m) => m.objectId));
      objects = objects.map((x) => (got.has(x.id) ? { ...x, hasMask: true } : x));
    } else if (stage === 'depth') {
      const o = output as { metres: Float32Array; width: number; height: number };
      checkDepthOutput(o, image!);
      // The model's own range-noise figure, stored with its depth like an imported sensor preset.
      const noisePreset = depthErrorPresetForModel(String(provenance.model));
      const blob = await writeModelDepth(
        store.folder,
        image!.sha256,
        o.metres,
        o.width,
        o.height,
        noisePreset,
      );
      await write(async (scene, trx) => {
        await new ModelOutputStore(trx).setModelDepth(imageId, {
          depth: blob.depth,
          preview: blob.preview,
          info: blob.info,
        });
        await scene.recordStages([r({ validRatio: blob.info.validRatio, noisePreset })]);
      });
      depth = { metres: blob.metres };
      depthError = noisePreset;
    } else {
      const o = output as { fx: number; fy: number; cx: number; cy: number };
      checkIntrinsicsOutput(o);
      await write(async (scene, trx) => {
        await new ModelOutputStore(trx).setModelIntrinsics(imageId, o);
        await scene.recordStages([r({ fx: o.fx, fy: o.fy, cx: o.cx, cy: o.cy })]);
      });
      intrinsics = { ...o, source: 'model' };
    }
  }

  // CPU stages: segment (depth clusters) + lift + graph are one pass of the spatial engine; qa next.
  // A stage the model loop already settled (segment skipped: no objects, every mask present) is
  // not recorded twice: the live counts would show the image twice.
  const geometryStages = (['segment', 'lift', 'graph'] as const).filter(
    (s) =>
      stages.has(s) &&
      !settled(s) &&
      !(s === 'segment' && env.models.segment) &&
      !records.some((r) => r.stage === s),
  );
  const wantGraph = geometryStages.length > 0;
  const wantQa = stages.has('qa') && !settled('qa');
  let graphBlocked = blocked;
  if (!graphBlocked && wantGraph && !depth) graphBlocked = NO_DEPTH;
  if (!graphBlocked && wantGraph && objects.length === 0) graphBlocked = NO_OBJECTS;

  let task: CpuTask | null = null;
  if (!graphBlocked && (wantGraph || wantQa)) {
    const storedGraph = wantGraph
      ? null
      : (((await read.graph(imageId))?.graph as SceneGraph | undefined) ?? null);
    if (wantGraph || storedGraph) {
      // Read again only when a model stage added objects or masks in this run.
      const withMasks = objectsChanged ? await read.objectsWithMasks(imageId) : stored;
      task = {
        imageId,
        width: image.width,
        height: image.height,
        intrinsics,
        depth: wantGraph ? depth : null,
        objects: sceneInputs(withMasks),
        depthError,
        buildGraph: wantGraph,
        graph: storedGraph,
        qa: wantQa ? { seed: env.seed } : null,
      };
    }
  }

  const result = task
    ? await env.pool.run(task).catch((err: unknown) => ({
        decodeMs: 0,
        geometry: { ok: false as const, reason: (err as Error).message, tookMs: 0 },
        qa: null,
      }))
    : null;

  const cpu = settleCpuStages({
    imageId,
    jobId,
    seed: env.seed,
    geometryStages,
    wantQa,
    blocked: graphBlocked,
    result,
  });
  failure ??= cpu.failure;
  // Everything the CPU stages produced, the stage records and the job item: one transaction.
  await write(async (scene, trx) => {
    let geometryWriteMs = 0;
    if (cpu.geometry) {
      const { graph, derivedMasks, notes } = cpu.geometry;
      const w0 = performance.now();
      for (const [objectId, rle] of derivedMasks)
        await scene.setMask(objectId, JSON.stringify(rle), 'depth-cluster');
      await scene.saveGraph(imageId, graph, notes);
      geometryWriteMs = performance.now() - w0;
    }
    let qaWriteMs = 0;
    let qaCounts = null;
    if (cpu.qa) {
      const w0 = performance.now();
      qaCounts = await storeQa(scene, imageId, cpu.qa);
      qaWriteMs = performance.now() - w0;
    }
    records.push(...cpu.records({ geometryWriteMs, qaWriteMs, qaCounts }));
    await scene.recordStages(records);
    const item = failure ? 'failed' : records.some((r) => r.status === 'done') ? 'done' : 'skipped';
    await new JobItemStore(trx, 'sqlite').finish(jobId, imageId, item, failure);
  });

  const item = failure ? 'failed' : records.some((r) => r.status === 'done') ? 'done' : 'skipped';
  return { imageId, image: image.relPath, item, records };
}
