// Processes opening the queue together on a new database (a team starting `sqw worker` ×N and
// `sqw serve --database` at once): each makes pg-boss's schema, the queue and our indexes if they
// are missing, and none may fail or deadlock doing it. pg-boss's createQueue alone deadlocks when
// two callers make the same queue at once (one waits on the other's queue row while holding the
// lock the other's foreign key needs), so the race is repeated on several fresh databases.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../postgres/test-hooks';
import { FETCH_ORDER_INDEX, ImageQueue } from './image-queue';
import { IMAGE_JOB_INDEX, IMAGE_QUEUE } from './queue-images';

const postgres = usePostgresCluster();

/** Databases raced on, and processes opening each at once. */
const ROUNDS = 8;
const OPENERS = 6;

describe.skipIf(postgres.skipReason)('opening the queue from many processes at once', () => {
  it('makes the schema, queue and indexes once, with no opener failing', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const url = await postgres.cluster().createDatabase();
      // Each open is its own pg-boss and pool, as separate processes have.
      const opened = await Promise.allSettled(
        Array.from({ length: OPENERS }, () =>
          ImageQueue.open(url, { supervise: false, poolSize: 2 }),
        ),
      );
      await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : null)));
      const failures = opened.flatMap((o) =>
        o.status === 'rejected' ? [String((o.reason as Error).message)] : [],
      );
      expect(failures, `round ${round}`).toEqual([]);

      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const queues = await db.query(`SELECT name FROM pgboss.queue`);
        expect(queues.rows).toEqual([{ name: IMAGE_QUEUE }]);
        const indexes = await db.query<{ i: string | null }>(
          `SELECT to_regclass($1)::text AS i UNION ALL SELECT to_regclass($2)::text`,
          [`pgboss.${FETCH_ORDER_INDEX}`, `pgboss.${IMAGE_JOB_INDEX}`],
        );
        expect(indexes.rows.map((r) => r.i)).toEqual([
          `pgboss.${FETCH_ORDER_INDEX}`,
          `pgboss.${IMAGE_JOB_INDEX}`,
        ]);
      } finally {
        await db.end();
      }
    }
  }, 120_000);
});
