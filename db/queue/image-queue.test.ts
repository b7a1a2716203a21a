// A claim reads the waiting jobs in pg-boss's fetch order from an index, not by sorting the whole
// backlog (what made a claim cost 150–200 ms with 100k images queued).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../postgres/test-hooks';
import { ImageQueue } from './image-queue';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('the image queue on PostgreSQL', () => {
  let url: string;
  beforeAll(async () => {
    url = await postgres.cluster().createDatabase();
  });

  let queue: ImageQueue | undefined;
  afterAll(async () => queue?.close());

  it('claims waiting jobs through an index in fetch order', async () => {
    queue = await ImageQueue.open(url, { supervise: false });
    // A second open (another worker) finds the index made.
    await (await ImageQueue.open(url, { supervise: false })).close();
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    await queue.enqueue('run', ids, ['noop']);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      // Analyzed by the enqueue: the planner knows the backlog.
      // (The job table's partition, and the table of live jobs by image, queue-images.ts.)
      const stats = await db.query(
        `SELECT n_live_tup, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables
         WHERE schemaname = 'pgboss' AND n_live_tup > 0 AND relname NOT IN ('queue', 'version')
         ORDER BY relname = 'sqw_processing'`,
      );
      expect(stats.rows).toEqual([
        { n_live_tup: '200', analyzed: true },
        { n_live_tup: '200', analyzed: true },
      ]);
      // The claim's own ordering and filter (pg-boss 10's fetch), planned as a large table would be.
      await db.query('SET enable_seqscan = off');
      const plan = (
        await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM pgboss.job
           WHERE name = 'sqw-images' AND state < 'active' AND start_after < now()
           ORDER BY priority DESC, created_on, id LIMIT 16 FOR UPDATE SKIP LOCKED`,
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/Index Scan using \S*name_priority_created_on_id/);
      expect(plan).not.toMatch(/Sort/);
      // A page of images' live jobs (their 'processing' status) are looked up by image id.
      const page = (
        await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT 1 FROM pgboss.job
           WHERE (data->>'imageId')::int = ANY($1::int[]) AND state <= 'active'
             AND name = 'sqw-images'`,
          [[1, 2, 3]],
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(page).toMatch(/Index Scan (using|on) \S*name_int4_idx/);
      // ... and in the table of live jobs, by its index on image.
      const tracked = (
        await db.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT DISTINCT image_id FROM pgboss.sqw_processing WHERE image_id = ANY($1::int[])`,
          [[1, 2, 3]],
        )
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(tracked).toMatch(
        /Index Only Scan using sqw_processing_image|Index Scan using sqw_processing_image|Bitmap Index Scan on sqw_processing_image/,
      );
    } finally {
      await db.end();
    }
    // One enqueue shares created_on: within it, pg-boss's order is by job id.
    const claimed = (await queue.claim(16)).map((j) => j.data.imageId);
    expect(new Set(claimed).size).toBe(16);
    expect(claimed.every((id) => ids.includes(id))).toBe(true);
  });
});
