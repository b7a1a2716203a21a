// The API contract served for a team project (PostgreSQL, docs/TEAM-SETUP.md): the review loop
// over the two-database layer's async stores. Methods not ported yet answer 'not-available' with
// the reason, never a silent no-op; the list is METHOD_ACCESS minus the handlers below.
// Click-to-refine runs the desktop's MaskRefiner on this server's models (`--models-dir`,
// `--device`), on the colour image in the shared blob folder.
import type { ApiHandlers, MethodName } from '../../contract/api';
import { probeExecutionProviders } from '../../native-models/providers';
import { METHOD_ACCESS } from '../access/method-access';
import { NotAvailableError, NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { createCatalogHandlers } from '../services/catalog';
import { createClaimsHandlers } from '../services/claims';
import { evaluateBench } from '../services/exports';
import { ENGINE_VERSION } from '../version';
import type { TeamProject } from './team-project';
import { describeLocation } from '../../db/copy/project-copy';
import { createObjectEditHandlers, OBJECT_EDIT_METHODS } from '../services/object-edits';
import { createDecisionHandlers } from '../services/review-decisions';
import { reviewEvent, type ReviewContext } from '../services/review-context';
import type { AuditEntryRow, ObjectState } from '../../db/store/rows';
import { createEvidenceHandlers } from '../services/review-evidence';
import { createHistoryHandlers } from '../services/review-history';
import { createTeamSceneHandlers } from './team-scene';
import { createRefineHandlers } from '../services/mask-refine';
import { MaskRefiner } from '../review/mask-refiner';
import { decodeFromBlobs } from './model-stages';

type Handler = (input: never) => Promise<unknown>;
/** The contract's handler type of one method, by its wire name. */
type HandlerOf<M extends MethodName> = M extends `${infer N}.${infer F}`
  ? N extends keyof ApiHandlers
    ? F extends keyof ApiHandlers[N]
      ? ApiHandlers[N][F]
      : never
    : never
  : never;
type Ported = { [M in MethodName]?: HandlerOf<M> };

/** Every method the team service answers; the rest are 'not-available'. */
export const TEAM_METHODS = new Set<MethodName>([
  'system.info',
  'projects.list',
  'batches.list',
  'batches.issues',
  'images.list',
  'images.counts',
  'images.filterOptions',
  'images.get',
  'objects.list',
  'pipeline.imageStages',
  'qa.list',
  'scene.get',
  'scene.relations',
  'scene.pointCloud',
  'qa.queue',
  'labels.vocabulary',
  'audit.list',
  'reviews.record',
  'reviews.list',
  'reviews.image',
  'reviews.decide',
  'reviews.bulk',
  'reviews.undo',
  'reviews.redo',
  'reviews.history',
  'claims.take',
  'claims.release',
  'claims.list',
  'claims.me',
  'imports.start',
  'imports.result',
  'exports.start',
  'exports.result',
  'exports.list',
  'exports.evaluate',
  'jobs.list',
  'jobs.get',
  'jobs.cancel',
  'jobs.pause',
  'jobs.resume',
  'jobs.retryFailed',
  'jobs.errors',
  'objects.segmenter',
  'objects.refineMask',
  ...OBJECT_EDIT_METHODS,
]);

export function createTeamService(
  project: TeamProject,
  events: EventBus,
  now: () => number = Date.now,
  /** The server's segmentation model, loaded on the first refinement (team-engine.ts). */
  refiner: MaskRefiner = new MaskRefiner(),
): ApiHandlers {
  const p = project;
  const check = (projectId: string) => {
    if (projectId !== p.id) throw new NotFoundError(`project not open: ${projectId}`);
  };
  let providers: ReturnType<typeof probeExecutionProviders> | undefined;

  const announce = (entry: AuditEntryRow) => events.emit(reviewEvent(p.id, entry));
  /** Graph and QA of the images an edit, undo or redo wrote objects of, again (team-rederive.ts). */
  const rederive = (entry: AuditEntryRow) => {
    const after = (entry.after as { objects?: ObjectState[] } | null)?.objects ?? [];
    for (const imageId of new Set(after.map((o) => o.imageId)))
      // As the desktop's re-derivation: views of the image reload once its QA are stored.
      p.rederive.enqueue(imageId, async () => {
        const image = await p.catalog.image(imageId);
        if (image)
          events.emit({
            type: 'images-changed',
            projectId: p.id,
            batchId: image.batchId,
            imageId,
          });
      });
  };
  const source = {
    db: p.db.db,
    review: p.review,
    browse: p.browse,
    catalog: p.catalog,
    claims: p.claims,
    undo: p.undo,
    objectEdits: p.objectEdits,
  };
  // Decisions, undo/redo and object edits are the desktop's own handler sets
  // (engine/services/review-*.ts, object-edits.ts), with the cards' evidence, blocks and names
  // read here.
  const reviewContext: ReviewContext = {
    sourceOf: (projectId) => {
      check(projectId);
      return source;
    },
    announce: (_projectId, entry) => announce(entry),
    afterStep: (_projectId, entry) => rederive(entry),
    now,
    // PostgreSQL waits on its row locks; a team project on SQLite (tests) has one process.
    write: (work) => work(),
  };
  const decisions = createDecisionHandlers(reviewContext);
  const undoRedo = createHistoryHandlers(reviewContext);
  const naming = createEvidenceHandlers(reviewContext);
  // The claims API is the desktop's own (engine/services/claims.ts) over this project's store.
  const claims = createClaimsHandlers(
    (projectId) => {
      check(projectId);
      return p.claims;
    },
    events,
    now,
  );
  // The read-only catalog is the desktop's own handler set (engine/services/catalog.ts).
  const catalog = createCatalogHandlers((projectId) => {
    check(projectId);
    return p;
  });
  const scene = createTeamSceneHandlers(p, check);
  const objectEdits = createObjectEditHandlers(reviewContext);
  // The desktop's click-to-refine handlers; the proposal is stored by objects.setMask above.
  const refine = createRefineHandlers(refiner, (projectId) => {
    check(projectId);
    return { source, rgb: (image) => decodeFromBlobs(p.blobs, image) };
  });
  /** The jobs this server process runs that `jobId` would be one of (an unknown id: exports'). */
  const serverJobs = (jobId: string) => (p.importJobs.owns(jobId) ? p.importJobs : p.exportJobs);
  const ported: Ported = {
    'system.info': async () => {
      providers ??= probeExecutionProviders();
      return { version: ENGINE_VERSION, transport: 'http', executionProviders: providers };
    },
    'projects.list': async () => {
      const counts = await p.browse.counts();
      return [
        {
          id: p.id,
          name: p.name,
          // Reviewers see where the project lives, never the database password.
          path: describeLocation(p.location),
          createdAt: p.createdAt,
          imageCount: counts.images,
          batchCount: counts.batches,
        },
      ];
    },
    'batches.list': catalog.batches.list,
    'batches.issues': catalog.batches.issues,
    'images.list': catalog.images.list,
    'images.counts': catalog.images.counts,
    'images.filterOptions': catalog.images.filterOptions,
    'images.get': catalog.images.get,
    'objects.list': catalog.objects.list,
    'pipeline.imageStages': catalog.pipeline.imageStages,
    'qa.list': catalog.qa.list,
    'scene.get': scene.get,
    'scene.relations': scene.relations,
    'scene.pointCloud': scene.pointCloud,
    'qa.queue': naming.queue,
    'labels.vocabulary': catalog.labels.vocabulary,
    'audit.list': catalog.audit.list,
    'reviews.list': catalog.reviews.list,
    'reviews.record': decisions.record,
    'reviews.image': naming.image,
    'reviews.decide': decisions.decide,
    'reviews.bulk': decisions.bulk,
    'reviews.undo': undoRedo.undo,
    'reviews.redo': undoRedo.redo,
    'reviews.history': undoRedo.history,
    'claims.take': claims.take,
    'claims.release': claims.release,
    'claims.list': claims.list,
    'claims.me': claims.me,
    // The desktop's export over the project's database, files from the shared blob folder.
    'exports.start': async ({ projectId, options }) => {
      check(projectId);
      return p.exportJobs.start(options, events, p.id);
    },
    'exports.result': async ({ projectId, jobId }) => {
      check(projectId);
      return p.exportJobs.result(jobId);
    },
    'exports.list': async ({ projectId }) => {
      check(projectId);
      return p.exportJobs.list();
    },
    // A bench export scored against predictions, both files on the server's disk (admins).
    'exports.evaluate': evaluateBench,
    // An import from folders on the server's disk (admins), through `sqw import --database`'s
    // function (team-import-jobs.ts).
    'imports.start': async ({ projectId, ...request }) => {
      check(projectId);
      return p.importJobs.start(request, events, p.id);
    },
    'imports.result': async ({ projectId, jobId }) => {
      check(projectId);
      return p.importJobs.result(jobId);
    },
    // The project's export and import jobs, kept in its database by this server process and
    // earlier ones, and its pipeline runs, read from the workers' queue (team-runs.ts); a run's
    // id is its queue id, an export's starts with 'export-', an import's with 'import-'.
    'jobs.list': async ({ projectId }) => {
      check(projectId);
      const jobs = [
        ...(await p.exportJobs.jobs()),
        ...(await p.importJobs.jobs()),
        ...(await p.runs.list()),
      ];
      return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    'jobs.get': async ({ projectId, jobId }) => {
      check(projectId);
      return (await p.runs.get(jobId)) ?? serverJobs(jobId).job(jobId);
    },
    'jobs.cancel': async ({ projectId, jobId }) => {
      check(projectId);
      return (await p.runs.get(jobId)) ? p.runs.cancel(jobId) : serverJobs(jobId).cancel(jobId);
    },
    'jobs.pause': async ({ projectId, jobId }) => {
      check(projectId);
      return p.runs.pause(jobId);
    },
    'jobs.resume': async ({ projectId, jobId }) => {
      check(projectId);
      return p.runs.resume(jobId);
    },
    'jobs.retryFailed': async ({ projectId, jobId }) => {
      check(projectId);
      return p.runs.retryFailed(jobId);
    },
    'jobs.errors': async ({ projectId, jobId, offset, limit }) => {
      check(projectId);
      if (await p.runs.get(jobId)) return p.runs.errors(jobId, offset, limit);
      // An export fails whole, with its message, and an import's file problems are its issues
      // (imports.result, batches.issues): no per-image failures, as on the desktop.
      await serverJobs(jobId).job(jobId);
      return { total: 0, items: [] };
    },
    ...objectEdits,
    'objects.segmenter': refine.segmenter,
    'objects.refineMask': refine.refineMask,
  };

  const handlers: Record<string, Record<string, Handler>> = {};
  for (const method of Object.keys(METHOD_ACCESS) as MethodName[]) {
    const [ns, fn] = method.split('.') as [string, string];
    handlers[ns] ??= {};
    handlers[ns][fn] =
      (ported[method] as Handler | undefined) ??
      (async () => {
        throw new NotAvailableError(
          `${method} is not available on a team project yet (docs/TEAM-SETUP.md)`,
        );
      });
  }
  return handlers as unknown as ApiHandlers;
}
