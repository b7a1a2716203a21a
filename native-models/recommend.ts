// The smallest set of models that makes photos work: a detector, a box-to-mask model and a metric
// depth model (calibration and the scene filter have fallbacks: EXIF / a default field of view, and
// no filter). Per task, an installed model counts; otherwise the downloadable one with the smallest
// size the hub lists. Sizes are the catalogue's (exact where pinned, else the hub's rounded one).
import type { ModelManifest, ModelTask } from './manifest';
import type { ModelStore } from './store';

/** What photos need without sensor data, in pipeline order. */
export const PHOTO_TASKS: readonly ModelTask[] = ['detection', 'segmentation', 'depth'];

export interface RecommendedModel {
  id: string;
  task: ModelTask;
  displayName: string;
  licenses: string[];
  /** Exact bytes where every file's size is pinned, else the sum of the hub's rounded sizes. */
  bytes: number | null;
  sizeExact: boolean;
  /** Every file's URL names a commit. */
  pinned: boolean;
}

export interface PhotoModelPlan {
  /** Tasks already covered by an installed model, with that model's id. */
  installed: { task: ModelTask; id: string }[];
  /** One model per missing task, to download. */
  missingModels: RecommendedModel[];
  /** Missing tasks no built-in model can download (import a local export). */
  importOnly: ModelTask[];
  /** Sum of missingModels sizes; null when one is unknown. */
  totalBytes: number | null;
}

const UNITS: Record<string, number> = { B: 1, Bytes: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** "151 MB" → 151e6 (the hub prints decimal units); null when unreadable. */
export function parseApproxSize(text: string | null): number | null {
  const m = /^([\d.]+)\s*([A-Za-z]+)$/.exec(text?.trim() ?? '');
  if (!m || !UNITS[m[2]!]) return null;
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

function describe(m: ModelManifest): RecommendedModel {
  let bytes: number | null = 0;
  let exact = true;
  for (const f of m.files) {
    const b = f.size ?? parseApproxSize(f.approxSize);
    if (f.size === null) exact = false;
    // Small aux files (configs, tokenizers) with no size listed are ignored in the estimate.
    if (b === null) {
      if (f.graph !== null) bytes = null;
      continue;
    }
    if (bytes !== null) bytes += b;
  }
  return {
    id: m.id,
    task: m.task,
    displayName: m.displayName,
    licenses: [...new Set(m.files.map((f) => f.license))],
    bytes,
    sizeExact: exact && bytes !== null,
    pinned: m.files.every((f) => f.revision !== null),
  };
}

export function recommendForPhotos(
  catalogue: readonly ModelManifest[],
  store: ModelStore,
): PhotoModelPlan {
  const plan: PhotoModelPlan = { installed: [], missingModels: [], importOnly: [], totalBytes: 0 };
  for (const task of PHOTO_TASKS) {
    const ofTask = catalogue.filter((m) => m.task === task);
    const have = ofTask.find((m) => store.state(m).installed);
    if (have) {
      plan.installed.push({ task, id: have.id });
      continue;
    }
    const candidates = ofTask
      .filter((m) => m.files.every((f) => f.url !== null))
      .map(describe)
      // Smallest known size first; unknown sizes last, catalogue order among equals.
      .sort((a, b) => (a.bytes ?? Infinity) - (b.bytes ?? Infinity));
    const pick = candidates[0];
    if (!pick) {
      plan.importOnly.push(task);
      continue;
    }
    plan.missingModels.push(pick);
  }
  plan.totalBytes = plan.missingModels.some((m) => m.bytes === null)
    ? null
    : plan.missingModels.reduce((s, m) => s + (m.bytes ?? 0), 0);
  return plan;
}
