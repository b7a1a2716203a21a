// Team results compared with a single-process run where detected objects' ids differ: workers in
// parallel take them from PostgreSQL's sequence in the order they detect (a documented limit).
// What does not depend on the ids is compared as it is; the graph with each id replaced by the
// object's rank in its image; the QA (whose keys hash the ids and whose template draws use them)
// is checked against the image's own stored graph instead.
import type { ProjectDb } from '../../../db/store/connect';
import { SceneStore } from '../../../db/store/scene-store';
import type { SceneGraph } from '../../../spatial/scene/scene-graph';
import { InferenceLane } from '../../pipeline/inference-lane';
import { FolderBlobStore } from '../blob-store';
import { computeImageStages } from '../image-stages';
import type { storedResults } from './team-fixture';

type Results = Awaited<ReturnType<typeof storedResults>>;

/**
 * One image's results with each object id replaced by the object's rank among the image's objects
 * (1, 2, …), and the QA left out (checked against the stored graph instead): what a run gives
 * whichever worker detected first. The QA stage's counts (added, skipped by reason) follow its
 * draws, which use the ids: its record keeps status, reason, engine and seed.
 */
export function byRank(r: Results[number]) {
  const rank = new Map(r.objects.map((o, i) => [o[0] as number, i + 1]));
  const id = (n: number) => rank.get(n) ?? `unknown object ${n}`;
  const g = r.graph as { graph: SceneGraph; notes: string[] } | null;
  return {
    image: r.image,
    status: r.status,
    depth: r.depth,
    intrinsics: r.intrinsics,
    objects: r.objects.map((o) => [id(o[0] as number), ...o.slice(1)]),
    graph: g && {
      notes: g.notes,
      graph: {
        ...g.graph,
        nodes: g.graph.nodes.map((n) => ({
          ...n,
          id: id(n.id),
          maskRef: n.maskRef?.replace(/^objects\/(\d+)$/, (_, d: string) => `objects/${id(+d)}`),
        })),
        edges: g.graph.edges.map((e) => ({ ...e, subject: id(e.subject), object: id(e.object) })),
      },
    },
    stages: r.stages.map((s) => {
      if (s[0] !== 'qa') return s;
      const p = s[3] as { engine?: unknown; seed?: unknown } | null;
      return [...s.slice(0, 3), p && { engine: p.engine, seed: p.seed }];
    }),
  };
}

/**
 * Each image's stored QA (key, question, answer, status) and what the QA stage stores for the
 * image's stored graph (seed '1', as the runs), written over it (with its stage record, no run's):
 * equal when the QA are the graph's.
 */
export async function qaAgainstGraph(project: ProjectDb, blobs: string, imageIds: number[]) {
  const scene = new SceneStore(project.db);
  const qa = async (id: number) =>
    (await scene.qaPairs(id)).map((q) => [q.key, q.question, q.answer, q.status]);
  const stored = [];
  const derived = [];
  for (const id of imageIds) {
    stored.push(await qa(id));
    const computed = await computeImageStages(
      {
        db: project.db,
        dialect: project.dialect,
        blobs: new FolderBlobStore(blobs),
        runId: null,
        seed: '1',
        labels: [],
        models: () => Promise.reject(new Error('no model stage here')),
        lane: new InferenceLane(1),
      },
      id,
      new Set(['qa'] as const),
    );
    await project.db.transaction().execute((trx) => computed.write(new SceneStore(trx), trx));
    derived.push(await qa(id));
  }
  return { stored, derived };
}
