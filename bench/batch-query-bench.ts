// The batch view's engine queries at 100k images: images.query pages (first, deep, filtered) and
// the status counts, on a temporary project filled by SQL (10% needing review, a label on every
// 20th image, QA pairs and reviews on every 10th), each timed through the async catalog store the
// desktop answers with (engine/services/catalog.ts: Kysely on the same connection). Prints medians;
// bench/UI-RESULTS.md records them (its older runs also timed the synchronous repository this
// replaced, since deleted).
//
//   node bin/run-ts.mjs bench/batch-query-bench.ts [--images 100000] [--runs 21]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { CatalogStore, type CatalogFilter } from '../db/store/catalog-store';
import { sqliteHandle } from '../db/store/connect';
import { seedBrowseCatalog } from '../db/store/testing/bench-seed';
import { timedMedian } from './timed-median';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const N = arg('images', 100_000);
const RUNS = arg('runs', 21);
const dir = mkdtempSync(join(tmpdir(), 'sqw-batch-bench-'));
const store = ProjectStore.openOrCreate(join(dir, 'p'));
try {
  const batch = await new CatalogStore(sqliteHandle(store.db)).createBatch({
    sourceFolder: '/bench',
    depthFolder: null,
    depthEncoding: null,
    intrinsics: null,
  });
  const t0 = performance.now();
  seedBrowseCatalog(store.db, batch, N);
  const fillMs = performance.now() - t0;

  const catalog = new CatalogStore(sqliteHandle(store.db));
  const page = { offset: 0, limit: 120 };
  const pages: Array<[string, CatalogFilter & { offset: number; limit: number }]> = [
    ['first page (120), no filter', { batchId: batch, ...page }],
    ['page at offset 90 000', { batchId: batch, offset: 90_000, limit: 120 }],
    [
      'status = needs-review, offset 5 000',
      { batchId: batch, status: 'needs-review', offset: 5_000, limit: 120 },
    ],
    ['label = chair', { batchId: batch, label: 'chair', ...page }],
    ['QA family = distance', { batchId: batch, qaFamily: 'distance', ...page }],
    ['changed after edit', { batchId: batch, changedAfterEdit: true, ...page }],
    ['reviewer = ana', { batchId: batch, reviewer: 'ana', ...page }],
    ['search "scene_42/"', { batchId: batch, search: 'scene_42/', ...page }],
  ];
  const counts: Array<[string, Omit<CatalogFilter, 'status'>]> = [
    ['status counts, no filter', { batchId: batch }],
    ['status counts, label = chair', { batchId: batch, label: 'chair' }],
  ];
  const cases: Array<[string, () => Promise<unknown>]> = [
    ...pages.map(([name, q]): [string, () => Promise<unknown>] => [
      name,
      () => catalog.queryImages(q),
    ]),
    ...counts.map(([name, f]): [string, () => Promise<unknown>] => [
      name,
      () => catalog.statusCounts(f),
    ]),
  ];
  console.log(
    `node ${process.version}, ${cpus()[0]?.model}, ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `${N} images filled in ${fillMs.toFixed(0)} ms (statuses derived by the migration 8 triggers)`,
  );
  console.log(
    `counts: ${JSON.stringify((await catalog.statusCounts({ batchId: batch })).byStatus)}`,
  );
  for (const [name, query] of cases) {
    const ms = await timedMedian(query, RUNS);
    console.log(`${name}: catalog store ${ms.toFixed(2)} ms (median of ${RUNS} runs)`);
  }
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
