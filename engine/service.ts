// The engine's implementation of the API contract. Transports (HTTP, IPC) reach it only through
// rpc/dispatch.ts, which validates input and output against contract/api.ts.
import type { ApiHandlers, ImportResult, PipelineSummary } from '../contract/api';
import type { Job } from '../contract/entities';
import type { ProjectStore } from '../db/project-store';
import { sqliteHandle } from '../db/store/connect';
import { JobItemStore } from '../db/store/job-item-store';
import { JobStore } from '../db/store/job-store';
import { SceneStore } from '../db/store/scene-store';
import { probeExecutionProviders } from '../native-models/providers';
import type { EventBus } from './event-bus';
import { NotFoundError } from './errors';
import { desktopAnnotationTarget } from './annotations/coco-import';
import { desktopImportTarget } from './import/index';
import { importRequest } from './import/import-request';
import { importJobEnd, importJobProgress } from './services/imports';
import type { JobRunner } from './jobs/job-runner';
import type { RederiveQueue } from './pipeline/rederive';
import { toProjectSummary } from './mappers';
import {
  resumePipelineJob,
  retryFailedPipelineJob,
  startPipelineJob,
} from './pipeline/pipeline-jobs';
import { loadPointCloud } from './scene-view/desktop-cloud';
import { relationsAnswer, sceneAnswer } from './scene-view/scene-answers';
import { createCatalogHandlers, desktopCatalog } from './services/catalog';
import { createClaimsHandlers, desktopClaims } from './services/claims';
import { createExportsHandlers } from './services/exports';
import { createModelsHandlers } from './services/models';
import { createReviewHandlers } from './services/review';
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
  const review = createReviewHandlers(ctx);
  // The read-only catalog is the team service's own handler set, here over project.sqlite.
  const catalog = createCatalogHandlers(desktopCatalog(ctx));

  const jobStore = (store: ProjectStore) => new JobStore(sqliteHandle(store.db), 'sqlite');
  // Scene reads through the layer, as the team service's (engine/team/team-scene.ts).
  const sceneStore = (store: ProjectStore) => new SceneStore(sqliteHandle(store.db));
  const job = async (projectId: string, jobId: string): Promise<Job> => {
    const row = await jobStore(projects.get(projectId)).get(jobId);
    if (!row) throw new NotFoundError(`job not found: ${jobId}`);
    return row;
  };
  const jobResult = async (projectId: string, jobId: string): Promise<unknown> => {
    await job(projectId, jobId);
    return jobStore(projects.get(projectId)).result(jobId);
  };

  return {
    system: {
      info: async () => {
        providers ??= probeExecutionProviders();
        return { version: ENGINE_VERSION, transport: ctx.transport, executionProviders: providers };
      },
    },
    projects: {
      list: async () => Promise.all(projects.list().map(toProjectSummary)),
      open: async ({ path }) => toProjectSummary(await projects.open(path)),
      create: async ({ path, name }) => toProjectSummary(await projects.openOrCreate(path, name)),
    },
    batches: catalog.batches,
    images: catalog.images,
    imports: {
      start: async ({ projectId, ...request }) => {
        const store = projects.get(projectId);
        const targets = {
          images: desktopImportTarget(store),
          boxes: desktopAnnotationTarget(store),
        };
        // A bad folder or COCO file fails the job with the reason (a team project refuses the
        // call instead: its import runs on another machine's disk).
        const row = await jobs.start(store, 'import', request, async ({ signal, progress }) => {
          const run = await importRequest(targets, request, {
            signal,
            onProgress: (p) => progress(importJobProgress(p)),
          });
          return importJobEnd(run, events, projectId);
        });
        return { jobId: row.id };
      },
      result: async ({ projectId, jobId }) =>
        ((await jobResult(projectId, jobId)) as ImportResult | null) ?? null,
    },
    pipeline: {
      start: async ({ projectId, stages, onlyPending, seed, device, labels }) => {
        const store = projects.get(projectId);
        const row = await startPipelineJob(jobs, store, {
          stages,
          onlyPending,
          seed,
          device,
          labels,
        });
        return { jobId: row.id };
      },
      result: async ({ projectId, jobId }) =>
        ((await jobResult(projectId, jobId)) as PipelineSummary | null) ?? null,
      imageStages: catalog.pipeline.imageStages,
    },
    scene: {
      get: async ({ projectId, imageId }) => {
        const scene = sceneStore(projects.get(projectId));
        return sceneAnswer(await scene.graph(imageId), await scene.ambiguities(imageId));
      },
      pointCloud: async ({ projectId, imageId, maxPoints }) =>
        loadPointCloud(projects.get(projectId), imageId, maxPoints),
      relations: async ({ projectId, imageId, objectIds }) =>
        relationsAnswer(await sceneStore(projects.get(projectId)).graph(imageId), objectIds),
    },
    jobs: {
      list: async ({ projectId }) => jobStore(projects.get(projectId)).list(null),
      get: async ({ projectId, jobId }) => job(projectId, jobId),
      cancel: async ({ projectId, jobId }) => jobs.cancel(projects.get(projectId), jobId),
      pause: async ({ projectId, jobId }) => jobs.pause(projects.get(projectId), jobId),
      resume: async ({ projectId, jobId }) =>
        resumePipelineJob(jobs, projects.get(projectId), jobId),
      retryFailed: async ({ projectId, jobId }) =>
        retryFailedPipelineJob(jobs, projects.get(projectId), jobId),
      errors: async ({ projectId, jobId, offset, limit }) => {
        await job(projectId, jobId);
        const store = projects.get(projectId);
        return new JobItemStore(sqliteHandle(store.db), 'sqlite').errors(jobId, offset, limit);
      },
    },
    objects: {
      ...catalog.objects,
      ...review.objects,
    },
    qa: {
      ...catalog.qa,
      ...review.qa,
    },
    reviews: { ...review.reviews, ...catalog.reviews },
    labels: { ...review.labels, ...catalog.labels },
    audit: catalog.audit,
    models: createModelsHandlers(ctx),
    exports: createExportsHandlers(ctx),
    claims: createClaimsHandlers(desktopClaims(ctx), ctx.events),
  };
}
