// What the CPU stages of one image (segment from depth clusters, lift, graph, qa) store and record,
// from their computed result (cpu-task.ts), with no database: the desktop's image run
// (image-run.ts, SQLite in one transaction) and a team worker (engine/team, PostgreSQL) write the
// same graph, masks and QA and record the same stage results from it.
import type { QaUpsertCounts } from '../../db/rules/qa-upsert-plan';
import type { StageRecord } from '../../db/store/rows';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import type { QaResult } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import type { CpuTaskResult } from './cpu-task';

export type GeometryStage = 'segment' | 'lift' | 'graph';

/** Why the geometry stages cannot run for an image, as the stage records say it. */
export const NO_DEPTH = 'no depth: import sensor depth or install a depth model';
export const NO_OBJECTS = 'no objects: import boxes (a COCO annotations file) or run detection';

/** Why segmentation has nothing to do for these objects, or null when some need a mask. */
export function segmentSkipReason(objects: ReadonlyArray<{ hasMask: boolean }>): string | null {
  if (objects.length === 0) return 'no objects';
  return objects.every((o) => o.hasMask) ? 'every object has a mask' : null;
}

export interface CpuStagesInput {
  imageId: number;
  jobId: string | null;
  seed: string;
  /** Geometry stages to settle (none: the graph is not rebuilt). */
  geometryStages: readonly GeometryStage[];
  wantQa: boolean;
  /** Why the CPU stages cannot run (an upstream stage failed, no depth, no objects), or null. */
  blocked: string | null;
  result: CpuTaskResult | null;
}

export interface CpuStagesOutcome {
  /** To store: the graph and the masks derived from depth clusters. */
  geometry: { graph: SceneGraph; derivedMasks: Array<[number, CocoRle]>; notes: string[] } | null;
  /** To store: the image's QA and ambiguous objects. */
  qa: QaResult | null;
  failure: { stage: string; reason: string } | null;
  /** The stage records, once the writes are done: a stage's time includes storing its result. */
  records(written: {
    geometryWriteMs: number;
    qaWriteMs: number;
    qaCounts: QaUpsertCounts | null;
  }): StageRecord[];
}

export function settleCpuStages(input: CpuStagesInput): CpuStagesOutcome {
  const { imageId, jobId, seed, geometryStages, wantQa, blocked, result } = input;
  const geo = result?.geometry ?? null;
  const qa = result?.qa ?? null;
  let failure: CpuStagesOutcome['failure'] = null;
  const geometryOk = geometryStages.length > 0 && !blocked && geo?.ok ? geo.value : null;
  if (geometryStages.length > 0 && !blocked && geo && !geo.ok)
    failure = { stage: 'graph', reason: geo.reason };
  if (wantQa && qa && !qa.ok) failure ??= { stage: 'qa', reason: qa.reason };
  return {
    geometry: geometryOk,
    qa: wantQa && qa?.ok ? qa.value : null,
    failure,
    records(written) {
      const out: StageRecord[] = [];
      const rec = (
        stage: string,
        status: StageRecord['status'],
        reason: string | null,
        provenance: Record<string, unknown> | null = null,
        tookMs: number | null = null,
      ) => out.push({ imageId, stage, status, reason, provenance, tookMs, jobId });
      if (geometryStages.length > 0) {
        if (blocked || !geo) {
          for (const s of geometryStages) rec(s, 'skipped', blocked ?? 'nothing to build');
        } else if (!geo.ok) {
          for (const s of geometryStages)
            rec(s, 'failed', geo.reason, { engine: 'spatial/scene' }, geo.tookMs);
        } else {
          const { graph, derivedMasks, notes } = geo.value;
          const points = graph.nodes.reduce((n, x) => n + x.numPoints, 0);
          for (const s of geometryStages) {
            if (s === 'segment')
              rec(
                s,
                derivedMasks.length ? 'done' : 'skipped',
                derivedMasks.length ? null : 'every object has a mask',
                { method: 'depth-cluster', derivedMasks: derivedMasks.length },
              );
            else if (s === 'lift')
              rec(
                s,
                'done',
                null,
                { engine: 'spatial/scene', points, decodeMs: result!.decodeMs },
                result!.decodeMs,
              );
            else
              rec(
                s,
                'done',
                null,
                {
                  engine: 'spatial/scene',
                  gravitySource: graph.frame.gravitySource,
                  nodes: graph.nodes.length,
                  edges: graph.edges.length,
                  derivedMasks: derivedMasks.length,
                  depthError: geo.value.depthError ?? 'estimated',
                  notes,
                },
                geo.tookMs + written.geometryWriteMs,
              );
          }
        }
      }
      if (wantQa) {
        if (!qa) rec('qa', 'skipped', blocked ?? 'no scene graph: run the graph stage first');
        else if (!qa.ok) rec('qa', 'failed', qa.reason, { engine: 'spatial/qa' }, qa.tookMs);
        else
          rec(
            'qa',
            'done',
            null,
            { engine: 'spatial/qa', seed, skipped: qa.value.skipped, ...written.qaCounts },
            qa.tookMs + written.qaWriteMs,
          );
      }
      return out;
    },
  };
}
