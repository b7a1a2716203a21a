// The model stages (filter, detect, segment, depth, calibrate) of one image of a team project, with
// the desktop's models and rules (model-stage.ts, model-rules.ts), split from their writes: the
// desktop's image run commits each model stage's output as it goes, a worker keeps the outputs
// and writes them with the CPU stages' results and the job's completion in one transaction.
// Detected objects take their ids from the image's block, reserved when the run was queued
// (db/store/object-id-blocks.ts), so the graph and QA (which hash the ids) can be computed before
// anything is stored, and are the same whichever worker, in whichever order, runs the image. The colour image and any written depth map go through the
// blob store.
import type { Kysely } from 'kysely';
import type { ImageRow } from '../../db/store/rows';
import type { StageRecord } from '../../db/store/rows';
import { ModelOutputStore, type DetectedObject } from '../../db/store/model-output-store';
import type { SceneStore, StoredObjectRow } from '../../db/store/scene-store';
import type { DialectName, ProjectTables } from '../../db/store/schema';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import { decodeRgb } from '../pipeline/decode-rgb';
import { depthNoisePreset } from '../pipeline/depth-noise';
import { depthErrorPresetForModel } from '../../spatial/depth-error';
import type { InferenceLane } from '../pipeline/inference-lane';
import { encodeModelDepth } from '../pipeline/model-depth-blob';
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
} from '../pipeline/model-rules';
import type {
  DecodedImage,
  ModelStage,
  ModelStageName,
  StageOutputs,
} from '../pipeline/model-stage';
import type { StoredObject } from '../pipeline/scene-inputs';
import { blobKeyOf, sourceBlobKey, type BlobStore } from './blob-store';

/** A worker's loaded models, as setUpModels gives them. */
export interface WorkerModels {
  models: Partial<Record<ModelStageName, ModelStage>>;
  /** Per-image skip reason of each wanted stage without a usable model. */
  missing: Partial<Record<ModelStageName, string>>;
}

export interface ModelStagesEnv {
  db: Kysely<ProjectTables>;
  dialect: DialectName;
  blobs: BlobStore;
  runId: string;
  /** The start of the object-id block the run reserved for this image, if it reserved one. */
  firstObjectId: number | null;
  models: WorkerModels;
  lane: InferenceLane;
}

/**
 * A failure that is not the image's or the model's (the blob folder or the database could not be
 * reached): it fails the job, which the queue retries, instead of being recorded as the stage's.
 */
export class JobRetryError extends Error {}

/** What the model stages leave for the CPU stages, and the writes they owe. */
export interface ModelStagesOutcome {
  records: StageRecord[];
  /** Why the CPU stages cannot run (filtered out, a model stage failed), or null. */
  blocked: string | null;
  /** The objects as the CPU stages take them (stored ones, detected ones, masks from the model). */
  objects: StoredObject[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
  /** Depth from the model in this job (what was stored, in metres); null: the stored depth. */
  modelDepth: Float32Array | null;
  depthError: string | null;
  /** A segmentation model ran the segment stage: the graph pass does not derive masks. */
  segmentedByModel: boolean;
  write(scene: SceneStore, trx: Kysely<ProjectTables>): Promise<void>;
}

/**
 * The image's upright RGB from the shared blob folder: its upright copy, else its source (the
 * workers' model stages, the team server's click-to-refine).
 */
export async function decodeFromBlobs(blobs: BlobStore, image: ImageRow): Promise<DecodedImage> {
  const key = image.uprightBlob ? blobKeyOf(image.uprightBlob) : sourceBlobKey(image);
  let bytes: Buffer;
  try {
    bytes = await blobs.read(key);
  } catch (err) {
    if (!image.uprightBlob && (err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        `its colour image is not in the shared blob folder (${key}): the project was copied to PostgreSQL before \`sqw project copy\` shared colour images, or its source was unreadable then; run \`sqw project share-sources --project <database> --blobs <shared folder>\` where the source files are`,
      );
    throw new JobRetryError(`cannot read ${key} from the blob folder: ${(err as Error).message}`);
  }
  return decodeRgb(bytes, Boolean(image.uprightBlob), image);
}

export async function runModelStages(
  env: ModelStagesEnv,
  image: ImageRow,
  stored: readonly StoredObjectRow[],
  stages: ReadonlySet<ModelStageName>,
  priorRecords: readonly StageRecord[],
): Promise<ModelStagesOutcome> {
  const imageId = image.id;
  const records: StageRecord[] = [];
  const rec = (
    stage: ModelStageName,
    status: StageRecord['status'],
    reason: string | null,
    provenance: Record<string, unknown> | null = null,
    tookMs: number | null = null,
  ) => records.push({ imageId, stage, status, reason, provenance, tookMs, jobId: env.runId });

  let { objects, intrinsics } = stageStart(stored, image);
  let blocked: string | null = null;
  let rgb: Promise<DecodedImage> | null = null;
  const decoded = () => (rgb ??= decodeFromBlobs(env.blobs, image));
  // The writes owed, in the order the desktop makes them.
  let detected: DetectedObject[] = [];
  const modelMasks = new Map<number, CocoRle>();
  let depthRow: { depth: string; preview: string; info: Record<string, unknown> } | null = null;
  let modelDepth: Float32Array | null = null;
  let modelNoisePreset: string | null = null;
  let calibrated: StageOutputs['calibrate'] | null = null;
  const depthByThisRun = priorRecords.some((r) => r.stage === 'depth' && r.jobId === env.runId);

  for (const stage of MODEL_STAGE_ORDER) {
    if (!stages.has(stage)) continue;
    if (blocked) {
      rec(stage, 'skipped', blocked);
      continue;
    }
    const skip = modelSkipReason(stage, {
      objects,
      importedObjects: stored.some((o) => o.provenance === 'imported'),
      depthSource: depthSource(image.depthBlob, image.depthJson),
      modelDepthFromThisRun: depthByThisRun,
      intrinsicsSource: intrinsics.source,
    });
    if (skip) {
      rec(stage, 'skipped', skip);
      continue;
    }
    const model = env.models.models[stage];
    if (!model) {
      // Without a segmentation model, the graph pass derives masks from depth clusters.
      if (stage !== 'segment')
        rec(stage, 'skipped', env.models.missing[stage] ?? 'no model installed');
      continue;
    }
    const t0 = performance.now();
    try {
      const { output, provider } = await env.lane.runStage(model, {
        imageId,
        image: await decoded(),
        objects,
        intrinsics,
      });
      const provenance = {
        model: model.model.modelId,
        checksum: model.model.checksum,
        provider,
        params: model.model.params,
      };
      const done = (extra: Record<string, unknown>) =>
        rec(stage, 'done', null, { ...provenance, ...extra }, performance.now() - t0);
      if (stage === 'filter') {
        const o = output as StageOutputs['filter'];
        done({ keep: o.keep, score: o.score, reason: o.reason });
        if (!o.keep) blocked = `filtered out by the scene filter: ${o.reason}`;
      } else if (stage === 'detect') {
        const o = output as StageOutputs['detect'];
        const { kept, note } = detectionsToStore(o.objects);
        const ids =
          blockObjectIds(env.firstObjectId, kept.length) ??
          (await new ModelOutputStore(env.db)
            .reserveObjectIds(kept.length, env.dialect)
            .catch((err: Error) => {
              throw new JobRetryError(`cannot reserve object ids: ${err.message}`);
            }));
        detected = kept.map((d, i) => ({ id: ids[i]!, ...d }));
        objects = detected.map((d) => ({ ...d, hasMask: false }));
        done({ objects: detected.length, ...(note ? { note } : {}) });
      } else if (stage === 'segment') {
        const o = output as StageOutputs['segment'];
        const known = new Set(objects.map((x) => x.id));
        for (const m of o.masks) if (known.has(m.objectId)) modelMasks.set(m.objectId, m.rle);
        objects = objects.map((x) => (modelMasks.has(x.id) ? { ...x, hasMask: true } : x));
        done({ masks: o.masks.length });
      } else if (stage === 'depth') {
        const o = output as StageOutputs['depth'];
        checkDepthOutput(o, image);
        // The model's own range-noise figure, as the desktop stores it (image-run.ts).
        modelNoisePreset = depthErrorPresetForModel(String(provenance.model));
        const { files, metres, ...row } = await encodeModelDepth(
          image.sha256,
          o.metres,
          o.width,
          o.height,
          modelNoisePreset,
        );
        // The files before the rows that name them, as the desktop writes them.
        for (const f of files)
          await env.blobs.write(blobKeyOf(f.relPath), Buffer.from(f.data)).catch((err: Error) => {
            throw new JobRetryError(`cannot write ${f.relPath}: ${err.message}`);
          });
        depthRow = row;
        modelDepth = metres;
        done({ validRatio: row.info.validRatio, noisePreset: modelNoisePreset });
      } else {
        const o = output as StageOutputs['calibrate'];
        checkIntrinsicsOutput(o);
        calibrated = o;
        intrinsics = { ...o, source: 'model' };
        done({ fx: o.fx, fy: o.fy, cx: o.cx, cy: o.cy });
      }
    } catch (err) {
      if (err instanceof JobRetryError) throw err;
      const reason = modelFailureReason(model.model.modelId, (err as Error).message);
      rec(stage, 'failed', reason, { model: model.model.modelId }, performance.now() - t0);
      blocked = `${stage} failed`;
    }
  }

  // The objects as they will be stored: detected ones have no mask but the model's.
  const withMask = (o: { id: number; maskRle: string | null; maskProvenance: string | null }) => {
    const m = modelMasks.get(o.id);
    return m ? { maskRle: JSON.stringify(m), maskProvenance: 'model' } : o;
  };
  const cpuObjects: StoredObject[] = [
    ...stored.map((o) => ({ ...o, ...withMask(o) })),
    ...detected.map((d) => ({
      id: d.id,
      label: d.label,
      box: d.box,
      attributes: [],
      excluded: null,
      ...withMask({ id: d.id, maskRle: null, maskProvenance: null }),
    })),
  ].map((o) => ({
    id: o.id,
    label: o.label,
    box: o.box,
    maskRle: o.maskRle,
    maskProvenance: o.maskProvenance,
    attributes: o.attributes,
    excluded: o.excluded,
  }));

  return {
    records,
    blocked,
    objects: cpuObjects,
    intrinsics,
    modelDepth,
    depthError: modelDepth ? modelNoisePreset : depthNoisePreset(image),
    segmentedByModel: Boolean(env.models.models.segment),
    async write(scene, trx) {
      const out = new ModelOutputStore(trx);
      await out.addDetectedObjects(imageId, detected);
      for (const [objectId, rle] of modelMasks)
        await scene.setMask(objectId, JSON.stringify(rle), 'model');
      if (depthRow) await out.setModelDepth(imageId, depthRow);
      if (calibrated) await out.setModelIntrinsics(imageId, calibrated);
    },
  };
}
