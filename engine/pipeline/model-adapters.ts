// Each perception adapter wrapped as the ModelStage of its pipeline stage: the adapter's typed result
// becomes that stage's StageOutputs entry. Which manifests each one runs is decided by the adapters'
// own adapterKind(), so the catalogue, user manifests and the pipeline agree on it.
import { createGeoCalib } from '../../native-models/adapters/calibration';
import { createClipSceneFilter } from '../../native-models/adapters/clip';
import { createGroundingDino } from '../../native-models/adapters/grounding-dino';
import { adapterKind, type AdapterKind } from '../../native-models/adapters/index';
import { createMetric3d } from '../../native-models/adapters/metric3d';
import { createOwlv2 } from '../../native-models/adapters/owlv2';
import type { Detection } from '../../native-models/adapters/boxes';
import {
  openGraph,
  type AdapterContext,
  type ImageInput,
} from '../../native-models/adapters/runtime';
import { createSam } from '../../native-models/adapters/sam';
import { createSlimSam } from '../../native-models/adapters/slimsam';
import type { ModelManifest } from '../../native-models/manifest';
import type { ModelIdentity, ModelStage, ModelStageName, StageOutputs } from './model-stage';

/**
 * What the detector looks for when the model's manifest names no `labels`: everyday indoor and
 * street objects, the scenes spatial QA is asked about. Open-vocabulary detectors take any list;
 * Grounding DINO's export needs one pass per label (see its adapter), so a shorter list is faster.
 */
export const DEFAULT_DETECTION_LABELS: readonly string[] = [
  'person',
  'chair',
  'table',
  'sofa',
  'bed',
  'door',
  'window',
  'cabinet',
  'shelf',
  'lamp',
  'monitor',
  'laptop',
  'keyboard',
  'book',
  'bottle',
  'cup',
  'box',
  'plant',
  'picture',
  'trash can',
  'car',
  'bicycle',
  'traffic light',
  'bench',
];

export interface StageAdapterEnv {
  ctx: AdapterContext;
  identity: ModelIdentity;
  /** The run's detection vocabulary; empty = the manifest's, else the default. */
  labels: readonly string[];
}

/** Trimmed, non-empty, each once (case-insensitively), in the order given. */
export function cleanLabels(labels: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of labels) {
    const l = raw.trim().replace(/\s+/g, ' ');
    if (!l || seen.has(l.toLowerCase())) continue;
    seen.add(l.toLowerCase());
    out.push(l);
  }
  return out;
}

function labelsOf(manifest: ModelManifest, run: readonly string[]): string[] {
  const chosen = cleanLabels(run);
  if (chosen.length > 0) return chosen;
  const given = manifest.params.labels;
  if (Array.isArray(given) && given.every((l) => typeof l === 'string') && given.length > 0)
    return given as string[];
  return [...DEFAULT_DETECTION_LABELS];
}

/** Loads (and contract-checks) every graph of the model once; the provider of the first. */
async function warmUp(ctx: AdapterContext): Promise<string> {
  let provider = '';
  for (const c of ctx.manifest.contracts) {
    const g = await openGraph(ctx, c.graph);
    provider ||= g.provider;
  }
  return provider;
}

function stageOf<S extends ModelStageName>(
  stage: S,
  env: StageAdapterEnv,
  run: ModelStage<S>['run'],
  params: Record<string, unknown> = {},
): ModelStage<S> {
  return {
    stage,
    model: { ...env.identity, params: { ...env.identity.params, ...params } },
    warmUp: () => warmUp(env.ctx),
    run,
  };
}

function sceneFilterStage(env: StageAdapterEnv): ModelStage<'filter'> {
  const clip = createClipSceneFilter(env.ctx);
  return stageOf('filter', env, async ({ image }) => {
    const r = await clip.run(image);
    const output: StageOutputs['filter'] = {
      keep: r.keep,
      score: r.score,
      reason: `best match "${r.top.label}" (${(100 * r.top.probability).toFixed(0)}%)`,
    };
    return { output, provider: r.provider };
  });
}

function detectionStage(
  env: StageAdapterEnv,
  kind: 'grounding-dino' | 'owlv2',
): ModelStage<'detect'> {
  const labels = labelsOf(env.ctx.manifest, env.labels);
  let detect: (image: ImageInput) => Promise<{ detections: Detection[]; provider: string }>;
  if (kind === 'grounding-dino') {
    const dino = createGroundingDino(env.ctx);
    detect = (image) => dino.run(image, { phrases: labels });
  } else {
    const owl = createOwlv2(env.ctx);
    detect = (image) => owl.run(image, { labels });
  }
  return stageOf(
    'detect',
    env,
    async ({ image }) => {
      const r = await detect(image);
      const output: StageOutputs['detect'] = {
        objects: r.detections.map((d) => ({ label: d.label, score: d.score, box: d.box })),
      };
      return { output, provider: r.provider };
    },
    { labels },
  );
}

function segmentationStage(env: StageAdapterEnv, kind: 'sam' | 'slimsam'): ModelStage<'segment'> {
  const segmenter = kind === 'sam' ? createSam(env.ctx) : createSlimSam(env.ctx);
  return stageOf('segment', env, async ({ imageId, image, objects }) => {
    const unmasked = objects.filter((o) => !o.hasMask);
    const r = await segmenter.run(image, {
      boxes: unmasked.map((o) => o.box),
      imageKey: `image-${imageId}`,
    });
    // One mask per box, in the order given.
    const output: StageOutputs['segment'] = {
      masks: r.masks.map((m, i) => ({ objectId: unmasked[i]!.id, rle: m.rle })),
    };
    return { output, provider: r.provider };
  });
}

function metric3dStage(env: StageAdapterEnv): ModelStage<'depth'> {
  const model = createMetric3d(env.ctx);
  return stageOf('depth', env, async ({ image, intrinsics }) => {
    // Metric3D's scale comes from the focal length: give it the image's intrinsics.
    const r = await model.run({ ...image, intrinsics }, { normals: false });
    return { output: { metres: r.depth, width: r.width, height: r.height }, provider: r.provider };
  });
}

function geoCalibStage(env: StageAdapterEnv): ModelStage<'calibrate'> {
  const model = createGeoCalib(env.ctx);
  return stageOf('calibrate', env, async ({ image }) => {
    const r = await model.run(image);
    const { fx, fy, cx, cy } = r.intrinsics;
    return { output: { fx, fy, cx, cy }, provider: r.provider ?? 'unknown' };
  });
}

/** The adapter kinds the pipeline runs, with their stage; Depth Anything is wired in the resolver. */
export const STAGE_ADAPTERS: Partial<
  Record<AdapterKind, { stage: ModelStageName; create(env: StageAdapterEnv): ModelStage }>
> = {
  clip: { stage: 'filter', create: sceneFilterStage },
  'grounding-dino': { stage: 'detect', create: (e) => detectionStage(e, 'grounding-dino') },
  owlv2: { stage: 'detect', create: (e) => detectionStage(e, 'owlv2') },
  sam: { stage: 'segment', create: (e) => segmentationStage(e, 'sam') },
  slimsam: { stage: 'segment', create: (e) => segmentationStage(e, 'slimsam') },
  metric3d: { stage: 'depth', create: metric3dStage },
  geocalib: { stage: 'calibrate', create: geoCalibStage },
};

/** The adapter kind of a manifest, or null when no adapter runs it. */
export function stageAdapterKind(manifest: ModelManifest): AdapterKind | null {
  try {
    return adapterKind(manifest);
  } catch {
    return null;
  }
}
