// `sqw run`: the stages a project's images go through. This foundation runs the stages that need
// no model (segment from boxes via depth clusters, lift, graph, qa); model stages report once that
// no model is installed and the run goes on with what can be done. Images stream page by page.
import type { ProjectStore } from '../../db/project-store';
import { runGraphStage, type StageOutcome } from './graph-stage';
import { runQaStage } from './qa-stage';

export const ALL_STAGES = [
  'filter',
  'detect',
  'segment',
  'depth',
  'calibrate',
  'lift',
  'graph',
  'qa',
] as const;
export type StageName = (typeof ALL_STAGES)[number];

/** Stages that need a model from the perception runtime (not installed in this foundation). */
const MODEL_STAGES: ReadonlySet<StageName> = new Set(['filter', 'detect', 'depth', 'calibrate']);
/** segment, lift and graph are one pass of the spatial engine over an image. */
const GEOMETRY_STAGES: ReadonlySet<StageName> = new Set(['segment', 'lift', 'graph']);

export interface RunOptions {
  stages: StageName[];
  onlyPending?: boolean;
  seed: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; current: string }) => void;
}

export interface StageSummary {
  done: number;
  skipped: Record<string, number>;
  failed: Array<{ image: string; reason: string }>;
}

export interface RunSummary {
  images: number;
  notices: string[];
  stages: Partial<Record<'graph' | 'qa', StageSummary>>;
  interrupted: boolean;
}

export function parseStages(list: string): StageName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ALL_STAGES as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown stage '${unknown[0]}': use ${ALL_STAGES.join(', ')}`);
  return ALL_STAGES.filter((s) => names.includes(s));
}

const PAGE = 200;

export async function runPipeline(store: ProjectStore, opts: RunOptions): Promise<RunSummary> {
  const wanted = new Set(opts.stages);
  const notices = [...wanted]
    .filter((s) => MODEL_STAGES.has(s))
    .map(
      (s) =>
        `stage ${s}: no model installed for it yet; skipped (imported data is used where present)`,
    );
  const runGraph = [...wanted].some((s) => GEOMETRY_STAGES.has(s));
  const runQa = wanted.has('qa');
  const summary: RunSummary = { images: 0, notices, stages: {}, interrupted: false };
  const graphSummary: StageSummary | undefined = runGraph ? blank() : undefined;
  const qaSummary: StageSummary | undefined = runQa ? blank() : undefined;
  if (graphSummary) summary.stages.graph = graphSummary;
  if (qaSummary) summary.stages.qa = qaSummary;
  if (!runGraph && !runQa) return summary;

  const total = store.images.count();
  let offset = 0;
  for (;;) {
    const page = store.images.query({ offset, limit: PAGE }).items;
    if (page.length === 0) break;
    offset += page.length;
    for (const image of page) {
      if (opts.signal?.aborted) {
        summary.interrupted = true;
        return summary;
      }
      summary.images++;
      const done = new Set(
        store.scene
          .stageRuns(image.id)
          .filter((r) => r.status === 'done')
          .map((r) => r.stage),
      );
      if (graphSummary && !(opts.onlyPending && done.has('graph'))) {
        tally(graphSummary, image.relPath, await runGraphStage(store, image.id));
      }
      if (qaSummary && !(opts.onlyPending && done.has('qa'))) {
        tally(qaSummary, image.relPath, runQaStage(store, image.id, { seed: opts.seed }));
      }
      opts.onProgress?.({ done: summary.images, total, current: image.relPath });
    }
  }
  return summary;
}

function blank(): StageSummary {
  return { done: 0, skipped: {}, failed: [] };
}

function tally(s: StageSummary, image: string, o: StageOutcome): void {
  if (o.status === 'done') s.done++;
  else if (o.status === 'skipped') s.skipped[o.reason] = (s.skipped[o.reason] ?? 0) + 1;
  else s.failed.push({ image, reason: o.reason });
}
