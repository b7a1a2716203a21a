// The queue's notices on PostgreSQL: an enqueue, a claim and stored results are heard by a
// listener on another connection; results whose transaction rolls back are not; many images go in
// several payloads under PostgreSQL's 8000-byte limit.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgresCluster } from '../postgres/test-hooks';
import type { ProjectTables } from '../store/schema';
import { ImageQueue } from './image-queue';
import {
  LISTENER_APPLICATION,
  noticePayloads,
  QueueListener,
  type QueueNotice,
} from './queue-notices';

const postgres = usePostgresCluster();

describe.skipIf(postgres.skipReason)('the image queue tells its changes', () => {
  let url: string;
  let queue: ImageQueue;
  let listener: QueueListener;
  let pool: pg.Pool;
  let db: Kysely<ProjectTables>;
  const heard: QueueNotice[] = [];
  let relistened = 0;

  beforeAll(async () => {
    url = await postgres.cluster().createDatabase();
    queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    listener = await QueueListener.listen(url, (n) => heard.push(n), {
      onRelisten: () => relistened++,
    });
    pool = new pg.Pool({ connectionString: url, max: 2 });
    db = new Kysely<ProjectTables>({ dialect: new PostgresDialect({ pool }) });
  });
  afterAll(async () => {
    await listener?.close();
    await queue?.close();
    await db?.destroy();
  });

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 250 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('hears an enqueue, a claim and a commit, never a rollback', async () => {
    await queue.enqueue('run-a', [1, 2], ['noop']);
    await until(() => heard.length >= 1);
    expect(heard).toEqual([{ runs: ['run-a'], stored: [] }]);

    const jobs = await queue.claim(2);
    expect(jobs).toHaveLength(2);
    await until(() => heard.length >= 2);
    expect(heard[1]).toEqual({ runs: ['run-a'], stored: [] });

    // The results' transaction fails: its notice is never delivered, the jobs stay active.
    await expect(
      queue.finish(jobs.slice(0, 1), db, async () => {
        throw new Error('store failed');
      }),
    ).rejects.toThrow('store failed');
    await queue.finish(jobs.slice(1), db, async () => undefined);
    await until(() => heard.length >= 3);
    // Give a stray notice of the rolled-back one time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    expect(heard.slice(2)).toEqual([{ runs: ['run-a'], stored: [jobs[1]!.data.imageId] }]);
    expect(await queue.counts('run-a')).toMatchObject({ active: 1, completed: 1 });
  });

  it('listens again after its connection is lost', async () => {
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      const { rowCount } = await pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [LISTENER_APPLICATION],
      );
      expect(rowCount).toBe(1);
      expect(relistened).toBe(0);
      const at = heard.length;
      // Notices sent while it reconnects are missed; those after it are heard.
      for (let i = 0; i < 100 && heard.length === at; i++) {
        await queue.enqueue('run-c', [3 + i], ['noop']);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(heard.at(-1)).toEqual({ runs: ['run-c'], stored: [] });
      // Its owner is told, to read afresh what the missed notices were about.
      expect(relistened).toBe(1);
      expect(String(errors[0])).toContain('listening again');
    } finally {
      console.error = log;
    }
  });

  it('splits a notice of many images under the payload limit', () => {
    const stored = Array.from({ length: 1234 }, (_, i) => 1_000_000 + i);
    const payloads = noticePayloads({ runs: ['run-b', 'run-b'], stored });
    expect(payloads).toHaveLength(3);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap((p) => (JSON.parse(p) as QueueNotice).stored)).toEqual(stored);
    expect(payloads.map((p) => (JSON.parse(p) as QueueNotice).runs)).toEqual([
      ['run-b'],
      ['run-b'],
      ['run-b'],
    ]);
  });
});
