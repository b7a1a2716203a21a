// The engine's implementation of the API contract. Transports (HTTP, IPC) reach it only through
// rpc/dispatch.ts, which validates input and output against contract/api.ts.
import type { ApiHandlers, ImportResult, PipelineSummary } from '../contract/api';
import type { Job } from '../contract/entities';
import { probeExecutionProviders } from '../native-models/providers';
import type { EventBus } from './event-bus';
import { NotFoundError } from './errors';
import type { SceneGraph } from '../spatial/scene/scene-graph';
import { importCocoFile } from './annotations/coco-import';
import { importBatch } from './import/index';
import type { JobRunner } from './jobs/job-runner';
import type { RederiveQueue } from './pipeline/rederive';
import {
  toBatchSummary,
  toImageDetail,
  toImageSummary,
  toProjectSummary,
  toSceneGraphView,
} from './mappers';
import { runPipeline } from './pipeline/run';
import type { ProjectRegistry } from './project-registry';
import { ENGINE_VERSION } from './version';

export interface ServiceContext {
  projects: ProjectRegistry;
  jobs: JobRunner;
  events: EventBus;
  /** Background re-run of an image's graph and QA after a reviewer edits its objects. */
  rederive: RederiveQueue;
  transport: 'ipc' | 'http';
}

export function createService(ctx: ServiceContext): ApiHandlers {
  const { projects, jobs, events } = ctx;
  let providers: ReturnType<typeof probeExecutionProviders> | undefined;

  const job = (projectId: string, jobId: string): Job => {
    const row = projects.get(projectId).jobs.get(jobId);
    if (!row) throw new NotFoundError(`job not found: ${jobId}`);
    return row;
  };

  return {
    system: {
      info: async () => {
        providers ??= probeExecutionProviders();
        return { version: ENGINE_VERSION, transport: ctx.transport, executionProviders: providers };
      },
    },
    projects: {
      list: async () => projects.list().map(toProjectSummary),
      open: async ({ path }) => toProjectSummary(projects.open(path)),
      create: async ({ path, name }) => toProjectSummary(projects.openOrCreate(path, name)),
    },
    batches: {
      list: async ({ projectId }) => projects.get(projectId).batches.list().map(toBatchSummary),
      issues: async ({ projectId, batchId }) => {
        const store = projects.get(projectId);
        if (!store.batches.exists(batchId)) throw new NotFoundError(`batch not found: ${batchId}`);
        return store.batches.issues(batchId);
      },
    },
    images: {
      list: async ({ projectId, ...query }) => {
        const page = projects.get(projectId).images.query(query);
        return { total: page.total, items: page.items.map(toImageSummary) };
      },
      get: async ({ projectId, imageId }) => {
        const row = projects.get(projectId).images.get(imageId);
        if (!row) throw new NotFoundError(`image not found: ${imageId}`);
        return toImageDetail(row);
      },
    },
    imports: {
      start: async ({ projectId, annotations, ...request }) => {
        const store = projects.get(projectId);
        const row = jobs.start(
          store,
          'import',
          { ...request, annotations },
          async ({ signal, progress }) => {
            const imported = await importBatch(store, {
              ...request,
              signal,
              onProgress: (p) =>
                progress({
                  total: p.total,
                  done: p.done,
                  skipped: p.skipped + p.duplicates,
                  current: p.current,
                }),
            });
            const result: ImportResult =
              annotations && !signal.aborted
                ? { ...imported, annotations: await importCocoFile(store, annotations) }
                : imported;
            events.emit({ type: 'images-changed', projectId, batchId: result.batchId });
            const failed = result.issues.filter((i) => i.kind === 'failed').length;
            return {
              result,
              failed,
              skipped: result.skipped + result.duplicates,
              message: `${result.imported} imported, ${result.duplicates} duplicates, ${result.skipped} skipped`,
            };
          },
        );
        return { jobId: row.id };
      },
      result: async ({ projectId, jobId }) => {
        job(projectId, jobId);
        return (projects.get(projectId).jobs.result(jobId) as ImportResult | null) ?? null;
      },
    },
    pipeline: {
      start: async ({ projectId, stages, onlyPending, seed }) => {
        const store = projects.get(projectId);
        const params = { stages, onlyPending, seed };
        const row = jobs.start(store, 'pipeline', params, async ({ signal, progress }) => {
          const summary = await runPipeline(store, {
            ...params,
            signal,
            onProgress: (p) => progress({ total: p.total, done: p.done, current: p.current }),
          });
          const failed = Object.values(summary.stages).reduce((n, s) => n + s.failed.length, 0);
          return {
            result: summary,
            failed,
            message: [
              ...summary.notices,
              ...Object.entries(summary.stages).map(
                ([stage, s]) => `${stage}: ${s.done} done, ${s.failed.length} failed`,
              ),
            ].join('; '),
          };
        });
        return { jobId: row.id };
      },
      result: async ({ projectId, jobId }) => {
        job(projectId, jobId);
        return (projects.get(projectId).jobs.result(jobId) as PipelineSummary | null) ?? null;
      },
    },
    scene: {
      get: async ({ projectId, imageId }) => {
        const store = projects.get(projectId);
        const stored = store.scene.graph(imageId);
        return stored
          ? toSceneGraphView(
              stored.graph as SceneGraph,
              stored.notes,
              store.scene.ambiguities(imageId),
            )
          : null;
      },
    },
    jobs: {
      list: async ({ projectId }) => projects.get(projectId).jobs.list(),
      get: async ({ projectId, jobId }) => job(projectId, jobId),
      cancel: async ({ projectId, jobId }) => jobs.cancel(projects.get(projectId), jobId),
    },
    objects: {
      list: async ({ projectId, imageId }) => projects.get(projectId).annotations.objects(imageId),
    },
    qa: {
      list: async ({ projectId, imageId }) =>
        projects.get(projectId).annotations.qaDetails(imageId),
    },
    reviews: {
      record: async ({ projectId, qaId, decision, reason, editedAnswer, reviewer }) => {
        const store = projects.get(projectId);
        if (!store.annotations.getQa(qaId)) throw new NotFoundError(`QA pair not found: ${qaId}`);
        return store.annotations.recordDecision({
          qaId,
          decision,
          reason: reason ?? null,
          editedAnswer: editedAnswer ?? null,
          reviewer,
        });
      },
      list: async ({ projectId, qaId }) => projects.get(projectId).annotations.reviews(qaId),
    },
  };
}
