// The project's `jobs` table on either database (async, through Kysely): the jobs a served team
// project runs in its server process (its exports and imports), and the desktop JobRunner's
// start, claim, progress, heartbeat and end, the pipeline job's look-ups and the marking of a dead
// process's jobs when a desktop project opens, kept in the project so they outlive their
// process. A running job holds a lease its process renews; a job whose lease ran out belongs to a
// process that is gone.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Job, JobProgress } from '../../contract/entities';
import type { DialectName, JobsTable, ProjectTables } from './schema';

type Db = Kysely<ProjectTables> | Transaction<ProjectTables>;
type Row = Selectable<JobsTable>;

/** The contract's Job of a row, as the desktop's jobs.get gives it. */
function toJob(r: Row): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status as Job['status'],
    total: r.total,
    done: r.done,
    failed: r.failed,
    skipped: r.skipped,
    message: r.message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    progress: r.progress_json ? (JSON.parse(r.progress_json) as JobProgress) : null,
  };
}

/** Who holds a running job and until when (epoch ms); renewed by the owner's heartbeat. */
export interface JobLease {
  owner: string;
  expiresAt: number;
}

/** A job's counts; failed and skipped where the job counts them (an import's files). */
export interface JobCounts {
  total: number;
  done: number;
  failed?: number;
  skipped?: number;
}

/** The count columns to set: those given, the others left as they are. */
function countColumns(c: Partial<JobCounts>) {
  const set: Partial<Record<keyof JobCounts, number>> = {};
  for (const k of ['total', 'done', 'failed', 'skipped'] as const)
    if (c[k] !== undefined) set[k] = c[k];
  return set;
}

/** The kind whose stopped jobs resume where they stopped (their image queue is in job_items). */
const PIPELINE_KIND = 'pipeline';
const RESUME_MESSAGE =
  'interrupted: the process running it stopped; resume to continue where it stopped';

/** Statuses a job may be claimed from to run (again). */
const RESUMABLE = ['paused', 'interrupted', 'queued'] as const;

/** A job left running by a process that is gone: its row and the parameters it started with. */
export interface StaleJob {
  job: Job;
  params: unknown;
}

export class JobStore {
  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {}

  /** Creates a job already running under `lease` (its process renews it). */
  async createRunning(
    job: { id: string; kind: string; params: unknown },
    lease: JobLease,
  ): Promise<Job> {
    const now = new Date().toISOString();
    const row = await this.db
      .insertInto('jobs')
      .values({
        id: job.id,
        kind: job.kind,
        status: 'running',
        params_json: JSON.stringify(job.params),
        created_at: now,
        updated_at: now,
        lease_owner: lease.owner,
        lease_expires_at: lease.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJob(row);
  }

  async get(id: string, kind?: string): Promise<Job | undefined> {
    const row = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .$if(kind !== undefined, (q) => q.where('kind', '=', kind!))
      .executeTakeFirst();
    return row && toJob(row);
  }

  /**
   * Cancels a job that is stopped (paused or interrupted): checked and written in one statement,
   * so a resume starting at the same moment wins or loses whole. Undefined when it is not stopped.
   */
  async cancelStopped(id: string, message: string): Promise<Job | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set({ status: 'cancelled', message, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('status', 'in', ['paused', 'interrupted'])
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  }

  /** The parameters the job was started with (null: no such job). */
  async params(id: string): Promise<unknown> {
    return this.paramsOn(id, this.db);
  }

  /** The newest job of `kind` in one of `statuses` (e.g. the pipeline job to resume). */
  async latest(kind: string, statuses: readonly Job['status'][]): Promise<Job | undefined> {
    const row = await this.newest(kind)
      .where('status', 'in', [...statuses])
      .executeTakeFirst();
    return row && toJob(row);
  }

  /** The newest job of `kind` running under a lease that has not expired at `now`. */
  async liveJob(kind: string, now: number): Promise<Job | undefined> {
    const row = await this.newest(kind)
      .where('status', 'in', ['running', 'queued'])
      .where('lease_expires_at', '>=', now)
      .executeTakeFirst();
    return row && toJob(row);
  }

  /** Who holds the job's lease and until when; null when none is held. */
  async lease(id: string): Promise<JobLease | null> {
    const row = await this.db
      .selectFrom('jobs')
      .select(['lease_owner', 'lease_expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.lease_owner && row.lease_expires_at !== null
      ? { owner: row.lease_owner, expiresAt: Number(row.lease_expires_at) }
      : null;
  }

  /** How many items the job works through (its queue, once queued). */
  async setTotal(id: string, total: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ total, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Takes a job to run it again: it must be paused, interrupted or queued (or, with
   * `allowFinished`, done/failed/cancelled), or running under a lease that has expired (its
   * process is gone). False when it is not (then nothing changed).
   */
  async claim(id: string, lease: JobLease, allowFinished = false): Promise<boolean> {
    const now = Date.now();
    const from: string[] = allowFinished
      ? [...RESUMABLE, 'done', 'failed', 'cancelled']
      : [...RESUMABLE];
    const res = await this.db
      .updateTable('jobs')
      .set({
        status: 'running',
        message: null,
        lease_owner: lease.owner,
        lease_expires_at: lease.expiresAt,
        updated_at: new Date(now).toISOString(),
      })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', 'in', from),
          eb.and([
            eb('status', '=', 'running'),
            eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]),
          ]),
        ]),
      )
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Jobs of `kind`, newest first (ties by id: PostgreSQL has no rowid). */
  private newest(kind: string) {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', kind)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1);
  }

  /** The newest jobs (of `kind`, or all) first (ties by id: PostgreSQL has no rowid). */
  async list(kind: string | null, limit = 100): Promise<Job[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .selectAll()
      .$if(kind !== null, (q) => q.where('kind', '=', kind!))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toJob);
  }

  /** The job's stored result (null while it runs, or when it failed or was cancelled). */
  async result(id: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('jobs')
      .select('result_json')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.result_json ? (JSON.parse(row.result_json) as unknown) : null;
  }

  /** Progress counts, written only while `owner` still holds the job; false when it does not. */
  async progress(id: string, owner: string, counts: JobCounts): Promise<boolean> {
    return (await this.writeProgress(id, owner, counts)) !== undefined;
  }

  /**
   * Progress counts and detail (per-stage counts, ETA), written only while `owner` still holds
   * the job; the row as written, or undefined when the job is no longer theirs.
   */
  async writeProgress(
    id: string,
    owner: string,
    p: JobCounts & { detail?: JobProgress },
  ): Promise<Job | undefined> {
    const row = await this.db
      .updateTable('jobs')
      .set({
        ...countColumns(p),
        progress_json: p.detail === undefined ? undefined : JSON.stringify(p.detail),
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  }

  /** The heartbeat: extends `owner`'s lease; false when the job is no longer theirs. */
  async renewLease(id: string, lease: JobLease): Promise<boolean> {
    const res = await this.db
      .updateTable('jobs')
      .set({ lease_expires_at: lease.expiresAt })
      .where('id', '=', id)
      .where('lease_owner', '=', lease.owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /**
   * The job's final (or paused) state and result, written only while `owner` still holds it (one
   * transaction); the lease is released. Without a result, the stored one stays (a resumed job's
   * earlier summary). Undefined when the job is no longer theirs (marked interrupted after their
   * lease ran out, or taken over by a resume elsewhere).
   */
  async release(
    id: string,
    owner: string,
    end: Partial<JobCounts> & {
      status: Job['status'];
      message: string | null;
      result?: unknown;
    },
  ): Promise<Job | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const held = await this.lockRunning(trx)
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      if (!held) return undefined;
      const row = await trx
        .updateTable('jobs')
        .set({
          status: end.status,
          message: end.message,
          ...countColumns(end),
          result_json: end.result === undefined ? undefined : JSON.stringify(end.result),
          lease_owner: null,
          lease_expires_at: null,
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJob(row);
    });
  }

  /**
   * Jobs of `kind` left running or queued under a lease that ran out at `now` (or none): their
   * process is gone (killed, power loss, a server restart). Each becomes `failed` with the
   * message `say` gives it from its parameters, in one transaction; a job whose lease is still
   * renewed (another live process) is left alone. Returns the jobs it marked.
   */
  async markInterrupted(
    kind: string,
    say: (params: unknown) => string,
    now = Date.now(),
  ): Promise<StaleJob[]> {
    return this.db.transaction().execute(async (trx) => {
      const stale = await this.lockRunning(trx)
        .where('kind', '=', kind)
        .where((eb) =>
          eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]),
        )
        .orderBy('id')
        .execute();
      const marked: StaleJob[] = [];
      for (const { id } of stale) {
        const params = await this.paramsOn(id, trx);
        const row = await trx
          .updateTable('jobs')
          .set({
            status: 'failed',
            message: say(params),
            lease_owner: null,
            lease_expires_at: null,
            updated_at: new Date(now).toISOString(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        marked.push({ job: toJob(row), params });
      }
      return marked;
    });
  }

  /**
   * The desktop's recovery when it opens a project: every job left running or queued under a
   * lease that ran out at `now` (or none) belongs to a process that is gone (killed, power loss).
   * Pipeline jobs become `interrupted` (resumable: their image queue is in job_items), the others
   * `failed`; both in one transaction. A job whose lease is still renewed (a `sqw run` beside the
   * app) is left alone, whatever process now has its old PID. Returns how many it marked.
   */
  async markAbandoned(now = Date.now()): Promise<number> {
    const at = new Date(now).toISOString();
    return this.db.transaction().execute(async (trx) => {
      const stale = (q: ReturnType<typeof trx.updateTable<'jobs'>>) =>
        q
          .set({ lease_owner: null, lease_expires_at: null, updated_at: at })
          .where('status', 'in', ['running', 'queued'])
          .where((eb) =>
            eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]),
          );
      const interrupted = await stale(trx.updateTable('jobs'))
        .set({ status: 'interrupted', message: RESUME_MESSAGE })
        .where('kind', '=', PIPELINE_KIND)
        .executeTakeFirst();
      const failed = await stale(trx.updateTable('jobs'))
        .set({ status: 'failed', message: 'interrupted: the engine stopped while this job ran' })
        .where('kind', '<>', PIPELINE_KIND)
        .executeTakeFirst();
      return Number(interrupted.numUpdatedRows) + Number(failed.numUpdatedRows);
    });
  }

  private async paramsOn(id: string, db: Db): Promise<unknown> {
    const row = await db
      .selectFrom('jobs')
      .select('params_json')
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? (JSON.parse(row.params_json) as unknown) : null;
  }

  /** Running or queued jobs, locked on PostgreSQL until the transaction ends (SQLite has one writer). */
  private lockRunning(trx: Transaction<ProjectTables>) {
    return trx
      .selectFrom('jobs')
      .select('id')
      .where('status', 'in', ['running', 'queued'])
      .$if(this.dialect === 'postgres', (q) => q.forUpdate());
  }
}
