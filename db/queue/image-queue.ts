// Pipeline work for a team project: one pg-boss job per image on the project's PostgreSQL.
// pg-boss claims jobs with SKIP LOCKED, retries failed ones and re-queues a job whose lease
// (expireIn) runs out because its worker died. A batch of jobs' results (written by the caller's
// step) and their completion are one transaction; the caller's step checks, under a lock on the
// images, that no attempt of the same run stored them already, so a job finished late by a worker
// whose lease had expired stores nothing twice.
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import PgBoss from 'pg-boss';
import pg from 'pg';
import { reserveObjectIdBlocks } from '../store/object-id-blocks';
import type { ProjectTables } from '../store/schema';
import {
  IMAGE_JOB_INDEX,
  IMAGE_JOB_KEY,
  IMAGE_QUEUE,
  PROCESSING_TABLE,
  processingTableDdl,
} from './queue-images';
import { notifyQueue } from './queue-notices';
import { QueueRuns } from './run-control';

export { IMAGE_QUEUE };

/** The pipeline stage (engine/pipeline/stages.ts) whose objects get ids reserved at enqueue. */
const DETECT_STAGE = 'detect';

export interface ImageJob {
  runId: string;
  imageId: number;
  stages: string[];
  /** QA template seed (the same seed and graph give the same QA). */
  seed?: string;
  /** What the detect stage looks for; absent: the model's own vocabulary. */
  labels?: string[];
  /**
   * Where the image's detected objects' ids start (a block reserved when the run was queued,
   * db/store/object-id-blocks.ts); absent: the image had objects then, or the run does not detect.
   */
  firstObjectId?: number;
}

export interface QueueOptions {
  /** Seconds a claimed job may run before it is re-queued for another worker. */
  leaseSeconds?: number;
  /** Attempts after the first, for a job that fails or whose worker dies. */
  retryLimit?: number;
  /** How often expired leases are looked for (pg-boss maintenance); default 5 s. */
  maintenanceSeconds?: number;
  /** Connections per process (pg-boss's pool and the result writer's). */
  poolSize?: number;
  /** Set false in processes that only enqueue or only report. */
  supervise?: boolean;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
}

/**
 * pg-boss 10 claims waiting jobs in (priority desc, created_on, id) order, but its index on them is
 * (name, start_after): every fetch read and sorted the whole backlog, 150–200 ms a fetch with 100k
 * images queued (bench/QUEUE-RESULTS.md). An index in the fetch's order makes a claim a scan of
 * the few rows it takes. Made once per database (on pg-boss's partitioned job table, so every
 * queue's partition gets it), during the queue's setup (setUpQueue).
 */
export const FETCH_ORDER_INDEX = 'sqw_job_fetch_order';

/** The session advisory lock held while one process sets the queue up (setUpQueue). */
const SETUP_LOCK = 'sqw:queue-setup';
/** An opener waits this long for another's setup (a few statements) before giving up. */
const SETUP_LOCK_TIMEOUT = '60s';

/**
 * Runs `setUp` (pg-boss's start and schema, the queue, our indexes) in one process at a time, under
 * a session advisory lock on a connection of its own: processes opening a new database together
 * (`sqw worker` ×N and `sqw serve --database`) otherwise deadlock in pg-boss's createQueue (two
 * inserts of the same queue row, each waiting on the other's foreign key on it; pg-boss 10 takes
 * no lock there). Each statement of a later opener then runs in a transaction begun after the
 * lock, so it sees what the first made (a check made inside a transaction begun before the lock
 * can read stale catalog caches and make an index twice).
 */
async function setUpQueue(url: string, setUp: () => Promise<void>): Promise<void> {
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query(`SET lock_timeout = '${SETUP_LOCK_TIMEOUT}'`);
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext($1))`, [SETUP_LOCK]);
    } catch (err) {
      throw new Error(
        `the queue's setup waited over ${SETUP_LOCK_TIMEOUT} for another process setting it up: ` +
          (err instanceof Error ? err.message : String(err)),
      );
    }
    await setUp();
  } finally {
    // Ending the session releases its lock, whatever became of the setup.
    await lock.end().catch(() => undefined);
  }
}

/**
 * `statements` (that make pgboss.`name`) run once per database, in one transaction. Called inside
 * the queue's setup (setUpQueue), so one process at a time; the existence check runs before BEGIN,
 * where it sees what an earlier opener committed. The transaction-scoped lock also keeps a caller
 * outside the setup from racing it.
 */
async function ensureMade(pool: pg.Pool, name: string, statements: string[]): Promise<void> {
  const exists = async (client: pg.PoolClient) =>
    (await client.query(`SELECT to_regclass($1) AS i`, [`pgboss.${name}`])).rows[0].i !== null;
  const client = await pool.connect();
  try {
    // Looked for first: CREATE INDEX locks the job table against writers even when it exists.
    if (await exists(client)) return;
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [name]);
    if (!(await exists(client))) for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const ensureIndex = (pool: pg.Pool, name: string, definition: string) =>
  ensureMade(pool, name, [`CREATE INDEX ${name} ON pgboss.job ${definition}`]);

async function ensureIndexes(pool: pg.Pool): Promise<void> {
  await ensureIndex(
    pool,
    FETCH_ORDER_INDEX,
    `(name, priority DESC, created_on, id) WHERE state < 'active'`,
  );
  // An image's live job, found by its id: the status of a page of images on a database read
  // before it had the table of live jobs (queue-images.ts).
  await ensureIndex(pool, IMAGE_JOB_INDEX, `${IMAGE_JOB_KEY} WHERE state <= 'active'`);
  // The live jobs by image, kept by a trigger: the images' statuses (queue-images.ts).
  const images = await pool.query(`SELECT to_regclass('public.images') IS NOT NULL AS made`);
  await ensureMade(pool, PROCESSING_TABLE, processingTableDdl(images.rows[0].made === true));
}

export class ImageQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
  ) {}

  static async open(url: string, o: QueueOptions = {}): Promise<ImageQueue> {
    const poolSize = o.poolSize ?? 4;
    const lease = o.leaseSeconds ?? 15 * 60;
    const boss = new PgBoss({
      connectionString: url,
      max: poolSize,
      supervise: o.supervise ?? true,
      schedule: false,
      // Every few seconds, whatever the lease: a worker does not know the lease the queue was
      // created with, and one cheap statement (run by one process at a time) is all it costs.
      maintenanceIntervalSeconds: o.maintenanceSeconds ?? 5,
    });
    boss.on('error', (err) => console.error(`queue: ${err.message}`));
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    try {
      await setUpQueue(url, async () => {
        // Makes pg-boss's schema on a new database, migrates an older one.
        await boss.start();
        // Created by the first open; the lease and retries are the queue's, later opens keep them.
        await boss.createQueue(IMAGE_QUEUE, {
          name: IMAGE_QUEUE,
          expireInSeconds: lease,
          retryLimit: o.retryLimit ?? 3,
          retryDelay: 0,
        });
        await ensureIndexes(pool);
      });
    } catch (err) {
      await boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
      await pool.end();
      throw err;
    }
    return new ImageQueue(boss, pool);
  }

  /**
   * One job per image; in chunks so 100k images are a few hundred statements. A run that detects
   * first reserves its images' object-id blocks (or takes `blocks`, reserved by the caller for a
   * run queued in parts), which their jobs carry: a retried job keeps its block. Blocks of a run
   * that failed to queue are a gap in the ids, nothing else.
   */
  async enqueue(
    runId: string,
    imageIds: number[],
    stages: string[],
    seed: string | undefined = undefined,
    labels: string[] | undefined = undefined,
    blocks: ReadonlyMap<number, number> | undefined = undefined,
  ): Promise<number> {
    blocks ??= stages.includes(DETECT_STAGE)
      ? await reserveObjectIdBlocks(
          // The queue's own connections; not destroyed here (close ends the pool).
          new Kysely<ProjectTables>({ dialect: new PostgresDialect({ pool: this.pool }) }),
          imageIds,
        )
      : new Map<number, number>();
    for (let i = 0; i < imageIds.length; i += 1000) {
      await this.boss.insert(
        imageIds.slice(i, i + 1000).map((imageId) => {
          const firstObjectId = blocks.get(imageId);
          return {
            name: IMAGE_QUEUE,
            data: {
              runId,
              imageId,
              stages,
              ...(seed === undefined ? {} : { seed }),
              ...(labels === undefined ? {} : { labels }),
              ...(firstObjectId === undefined ? {} : { firstObjectId }),
            } satisfies ImageJob,
          };
        }),
      );
    }
    // Counts for the planner: on a backlog it has no statistics of (autovacuum analyzes a minute
    // or more later), it estimates a few rows and claims by sorting them all, not by the index.
    await this.pool.query(`ANALYZE pgboss.job, pgboss.${PROCESSING_TABLE}`);
    await this.notify([runId]);
    return imageIds.length;
  }

  /** Claims up to `batchSize` jobs (SKIP LOCKED: concurrent workers never get the same one). */
  async claim(batchSize: number): Promise<Array<PgBoss.JobWithMetadata<ImageJob>>> {
    const jobs = await this.boss.fetch<ImageJob>(IMAGE_QUEUE, { batchSize, includeMetadata: true });
    // Their runs now have images running: the servers' jobs pages are told (queue-notices.ts).
    if (jobs.length) await this.notify(jobs.map((j) => j.data.runId));
    return jobs;
  }

  /** Tells the listening servers that these runs' counts changed (after the change committed). */
  private async notify(runIds: string[]): Promise<void> {
    await notifyQueue((text, values) => this.pool.query(text, values), {
      runs: runIds,
      stored: [],
    });
  }

  /**
   * Runs `write` (the jobs' results, through the project's stores) and completes the jobs in one
   * transaction on `db`: either all are stored and completed or none. A fetched batch shares one
   * transaction (and one commit) rather than one per job. Returns what `write` returns.
   */
  async finish<T>(
    jobs: ReadonlyArray<PgBoss.Job<ImageJob>>,
    db: Kysely<ProjectTables>,
    write: (trx: Kysely<ProjectTables>) => Promise<T>,
  ): Promise<T> {
    return db.transaction().execute(async (trx) => {
      const result = await write(trx);
      // pg-boss's runtime signature is (name, id | ids, data, options); its typings lack the
      // ids-with-data form, and the ids-with-options form they offer would take `options` for data
      // and complete outside this transaction.
      const complete = this.boss.complete.bind(this.boss) as (
        name: string,
        ids: string[],
        data: object,
        options: PgBoss.ConnectionOptions,
      ) => Promise<unknown>;
      await complete(
        IMAGE_QUEUE,
        jobs.map((j) => j.id),
        {},
        {
          db: {
            executeSql: async (text, values) =>
              trx.executeQuery(CompiledQuery.raw(text, values ?? [])) as Promise<{
                rows: never[];
              }>,
          },
        },
      );
      // Delivered when (and only if) the results commit.
      await notifyQueue((text, values) => trx.executeQuery(CompiledQuery.raw(text, values)), {
        runs: jobs.map((j) => j.data.runId),
        stored: jobs.map((j) => j.data.imageId),
      });
      return result;
    });
  }

  /** Gives the job back for a retry (or marks it failed when its retries are spent). */
  async fail(job: PgBoss.Job<ImageJob>, reason: string): Promise<void> {
    await this.boss.fail(IMAGE_QUEUE, job.id, { reason });
    await this.notify([job.data.runId]);
  }

  /** Jobs per state, of every run or of one (`sqw run`'s progress). */
  async counts(runId?: string): Promise<QueueCounts> {
    const { rows } = await this.pool.query<{ state: string; n: number }>(
      runId === undefined
        ? `SELECT state, COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 GROUP BY state`
        : `SELECT state, COUNT(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'runId' = $2
           GROUP BY state`,
      runId === undefined ? [IMAGE_QUEUE] : [IMAGE_QUEUE, runId],
    );
    const n = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
    return {
      waiting: n('created') + n('retry'),
      active: n('active'),
      completed: n('completed'),
      failed: n('failed'),
    };
  }

  /** The queue's runs and what operators do with them (run-control.ts). */
  runs(): QueueRuns {
    return new QueueRuns(this.boss, this.pool, IMAGE_QUEUE);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true });
    await this.pool.end();
  }
}
