// The API contract served for a team project (PostgreSQL, docs/TEAM-SETUP.md): the review loop
// over the two-database layer's async stores. Methods not ported yet answer 'not-available' with
// the reason, never a silent no-op; the list is METHOD_ACCESS minus the handlers below.
import type { ApiHandlers, MethodName } from '../../contract/api';
import type { HistoryState } from '../../contract/review';
import { ReviewConflictError } from '../../db/store/review-store';
import { UndoNotPortedError } from '../../db/store/undo-store';
import { probeExecutionProviders } from '../../native-models/providers';
import { METHOD_ACCESS } from '../access/method-access';
import { NotAvailableError, NotFoundError } from '../errors';
import type { EventBus } from '../event-bus';
import { StaleEditError } from '../review/errors';
import { deriveStacks } from '../review/undo-stack';
import { createCatalogHandlers } from '../services/catalog';
import { createClaimsHandlers } from '../services/claims';
import { evaluateBench } from '../services/exports';
import { ENGINE_VERSION } from '../version';
import { createTeamObjectEdits, TEAM_OBJECT_EDIT_METHODS } from './team-object-edits';
import type { TeamProject } from './team-project';
import { describeLocation } from '../../db/copy/project-copy';
import { createTeamDecisionHandlers } from './team-checks';
import { createTeamEvidenceHandlers } from './team-evidence';
import type { TeamReviewContext } from './team-review-context';
import { createTeamSceneHandlers } from './team-scene';

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
  'exports.start',
  'exports.result',
  'exports.list',
  'exports.evaluate',
  'jobs.list',
  'jobs.get',
  'jobs.cancel',
  ...TEAM_OBJECT_EDIT_METHODS,
]);

/** Store errors as the codes a client acts on. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ReviewConflictError) throw new StaleEditError(err.message);
    if (err instanceof UndoNotPortedError) throw new NotAvailableError(err.message);
    if (err instanceof Error && /^QA pair not found/.test(err.message))
      throw new NotFoundError(err.message);
    throw err;
  }
}

export function createTeamService(
  project: TeamProject,
  events: EventBus,
  now: () => number = Date.now,
): ApiHandlers {
  const p = project;
  const check = (projectId: string) => {
    if (projectId !== p.id) throw new NotFoundError(`project not open: ${projectId}`);
  };
  let providers: ReturnType<typeof probeExecutionProviders> | undefined;

  const history = async (reviewer: string | undefined): Promise<HistoryState> => {
    if (reviewer === undefined)
      return { canUndo: false, canRedo: false, nextUndo: null, nextRedo: null };
    const { undo, redo } = deriveStacks(await p.undo.history(reviewer));
    const brief = async (id: number | undefined) => {
      const e = id === undefined ? undefined : await p.undo.entry(id);
      return e ? { id: e.id, command: e.command, target: e.target } : null;
    };
    return {
      canUndo: undo.length > 0,
      canRedo: redo.length > 0,
      nextUndo: await brief(undo.at(-1)?.commandId),
      nextRedo: await brief(redo.at(-1)?.commandId),
    };
  };
  const announce = (entry: {
    id: number;
    actor: string;
    command: string;
    target: string;
    op: 'do' | 'undo' | 'redo' | 'log' | null;
    imageIds: number[];
  }) =>
    events.emit({
      type: 'review',
      projectId: p.id,
      actor: entry.actor,
      command: entry.command,
      target: entry.target,
      op: entry.op,
      entryId: entry.id,
      imageIds: entry.imageIds,
    });
  const step = async (projectId: string, reviewer: string, op: 'undo' | 'redo') => {
    check(projectId);
    const entry = await mapped(() =>
      p.undo.step(reviewer, op, (h) => {
        const stacks = deriveStacks(h);
        return (op === 'undo' ? stacks.undo : stacks.redo).at(-1);
      }),
    );
    if (entry) announce(entry);
    if (entry) objectEdits.afterStep(entry);
    return { entry, history: await history(reviewer) };
  };

  // Decisions with the desktop's geometry checks, and the cards' evidence, blocks and names.
  const reviewContext: TeamReviewContext = { project: p, check, history, announce, mapped, now };
  const decisions = createTeamDecisionHandlers(reviewContext);
  const naming = createTeamEvidenceHandlers(reviewContext);
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
  const objectEdits = createTeamObjectEdits({ project: p, events, now, check, history, announce });
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
    'reviews.undo': async ({ projectId, reviewer }) => step(projectId, reviewer, 'undo'),
    'reviews.redo': async ({ projectId, reviewer }) => step(projectId, reviewer, 'redo'),
    'reviews.history': async ({ projectId, reviewer }) => {
      check(projectId);
      return history(reviewer);
    },
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
    // The project's export jobs, kept in its database by this server process and earlier ones
    // (the pipeline's jobs are the workers' queue, `sqw queue status`).
    'jobs.list': async ({ projectId }) => {
      check(projectId);
      return p.exportJobs.jobs();
    },
    'jobs.get': async ({ projectId, jobId }) => {
      check(projectId);
      return p.exportJobs.job(jobId);
    },
    'jobs.cancel': async ({ projectId, jobId }) => {
      check(projectId);
      return p.exportJobs.cancel(jobId);
    },
    ...objectEdits.handlers,
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
