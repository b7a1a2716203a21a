// What reading 'processing' from the team queue costs the batch view: images.counts, the first
// page of images.list and the 'processing' filter over N images in 10 batches on a throwaway
// cluster, with every image queued in one run and half of them completed (N/2 live jobs), read
// with the stored status alone (as before) and with the queue's live jobs (CatalogStore
// pipelineQueue), in the same process on the same data: medians of --repeat calls and ratios.
// Prints Markdown.
// Usage: node bin/run-ts.mjs bench/queue-status-bench.ts [--images 100000] [--repeat 7]
import { sql } from 'kysely';
import { cpus, loadavg } from 'node:os';
import { startTestCluster } from '../db/postgres/test-cluster';
import { IMAGE_QUEUE, ImageQueue } from '../db/queue/image-queue';
import { CatalogStore } from '../db/store/catalog-store';
import { openPostgresProject } from '../db/store/connect';
import { timedMedian } from './timed-median';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const IMAGES = Number(arg('images', '100000'));
const REPEAT = Number(arg('repeat', '7'));
const BATCHES = 10;

const median = (fn: () => Promise<unknown>) => timedMedian(fn, REPEAT);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const cluster = startTestCluster();
  try {
    const url = await cluster.createDatabase();
    const project = await openPostgresProject(url, 2);
    const queue = await ImageQueue.open(url, { supervise: false, poolSize: 2 });
    try {
      const now = new Date().toISOString();
      for (let b = 1; b <= BATCHES; b++)
        await sql`INSERT INTO batches (source_folder, depth_folder, depth_encoding, created_at)
          VALUES (${`/data/b${b}`}, NULL, NULL, ${now})`.execute(project.db);
      await sql`INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes,
          format, width, height, fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
        SELECT 1 + (g % ${BATCHES}), 'src/' || g, 'img/' || g || '.jpg', g || '.jpg', md5(g::text),
          1000, 'jpeg', 640, 480, 500, 500, 320, 240, 'default', 'blobs/thumbs/' || g || '.jpg',
          CASE WHEN g % 3 = 0 THEN 'needs-review' ELSE 'pending' END, ${now}
        FROM generate_series(1, ${IMAGES}) g`.execute(project.db);
      await sql`ANALYZE images`.execute(project.db);
      const ids = (await project.db.selectFrom('images').select('id').orderBy('id').execute()).map(
        (r) => r.id,
      );
      await queue.enqueue('run', ids, ['noop']);
      // Half done, as a run in progress.
      await sql`UPDATE pgboss.job SET state = 'completed', completed_on = now()
        WHERE name = ${IMAGE_QUEUE} AND (data->>'imageId')::int % 2 = 0`.execute(project.db);
      await sql`ANALYZE pgboss.job`.execute(project.db);

      const stored = new CatalogStore(project.db);
      const withQueue = new CatalogStore(project.db, { pipelineQueue: true });
      const page = { offset: 0, limit: 100 };
      const calls: Array<[string, (c: CatalogStore) => Promise<unknown>]> = [
        ['images.counts (project)', (c) => c.statusCounts({})],
        ['images.counts (one batch)', (c) => c.statusCounts({ batchId: 1 })],
        ['images.list first page (one batch)', (c) => c.queryImages({ batchId: 1, ...page })],
        [
          "images.list status 'processing' (one batch)",
          (c) => c.queryImages({ batchId: 1, status: 'processing', ...page }),
        ],
      ];
      const lines = [
        `# 'processing' from the team queue: ${IMAGES} images, ${IMAGES / 2} live jobs`,
        '',
        `${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${load()} at start; \`node bin/run-ts.mjs bench/queue-status-bench.ts --images ${IMAGES} --repeat ${REPEAT}\``,
        '',
        '| call | stored status ms | with the queue ms | ratio |',
        '| --- | ---: | ---: | ---: |',
      ];
      for (const [name, call] of calls) {
        const a = await median(() => call(stored));
        const b = await median(() => call(withQueue));
        lines.push(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
      }
      const counts = await withQueue.statusCounts({});
      lines.push('', `counts with the queue: ${JSON.stringify(counts.byStatus)}`);
      lines.push('', `load average ${load()} at end`);
      console.log(lines.join('\n'));
    } finally {
      await queue.close();
      await project.close();
    }
  } finally {
    cluster.stop();
  }
}

await main();
