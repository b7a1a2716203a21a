// segment + lift + graph for one image: its stored depth and objects go through the spatial engine
// (spatial/scene/build-scene-graph.ts, which also derives masks from boxes when none is stored);
// the graph, any derived masks and the stage record are written in one transaction, through the
// two-database layer's SceneStore as a team worker writes them.
import { join } from 'node:path';
import type { ProjectStore } from '../../db/project-store';
import type { StageRecord } from '../../db/repositories/stage-results';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import { buildScene } from '../../spatial/scene/build-scene-graph';
import type { DepthErrorPreset } from '../../spatial/depth-error';
import { loadDepthMetres } from './cpu-task';
import { depthNoisePreset } from './depth-noise';
import { sceneInputs } from './scene-inputs';

export type StageOutcome =
  { status: 'done'; detail: string } | { status: 'skipped' | 'failed'; reason: string };

export async function runGraphStage(store: ProjectStore, imageId: number): Promise<StageOutcome> {
  const started = performance.now();
  const image = store.images.get(imageId);
  if (!image) return { status: 'failed', reason: `image ${imageId} not found` };
  const db = sqliteHandle(store.db);
  const stageRecord = (
    o: StageOutcome,
    provenance: Record<string, unknown> | null = null,
  ): StageRecord => ({
    imageId,
    stage: 'graph',
    status: o.status,
    reason: o.status === 'done' ? null : o.reason,
    provenance,
    tookMs: performance.now() - started,
    jobId: null,
  });
  const record = async (o: StageOutcome) => {
    await new SceneStore(db).recordStages([stageRecord(o)]);
    return o;
  };
  if (!image.depthBlob)
    return record({
      status: 'skipped',
      reason: 'no depth: import sensor depth (a depth model is not installed)',
    });
  const objects = await new SceneStore(db).objectsWithMasks(imageId);
  if (objects.length === 0)
    return record({
      status: 'skipped',
      reason: 'no objects: import boxes (a COCO annotations file) or run detection',
    });

  let depth: Float32Array;
  try {
    depth = await loadDepthMetres(join(store.folder, image.depthBlob), image.width, image.height);
  } catch (err) {
    return record({ status: 'failed', reason: `depth unreadable: ${(err as Error).message}` });
  }
  const inputs = sceneInputs(objects);
  let build;
  try {
    build = buildScene({
      depth,
      width: image.width,
      height: image.height,
      intrinsics: {
        fx: image.fx,
        fy: image.fy,
        cx: image.cx,
        cy: image.cy,
        source: image.intrinsicsSource,
      },
      objects: inputs,
      depthError: depthNoisePreset(image) as DepthErrorPreset | null,
    });
  } catch (err) {
    return record({ status: 'failed', reason: (err as Error).message });
  }
  const { graph, derivedMasks, notes } = build;
  await db.transaction().execute(async (trx) => {
    const scene = new SceneStore(trx);
    for (const [objectId, rle] of derivedMasks)
      await scene.setMask(objectId, JSON.stringify(rle), 'depth-cluster');
    await scene.saveGraph(imageId, graph, notes);
    await scene.recordStages([
      stageRecord(
        { status: 'done', detail: '' },
        {
          engine: 'spatial/scene',
          gravitySource: graph.frame.gravitySource,
          derivedMasks: derivedMasks.size,
          depthError: build.depthError?.name ?? 'estimated',
          notes,
        },
      ),
    ]);
  });
  const usable = graph.nodes.filter((n) => n.quality.ok).length;
  return {
    status: 'done',
    detail: `${graph.nodes.length} objects (${usable} usable), ${graph.edges.length} relations, gravity from ${graph.frame.gravitySource}`,
  };
}
