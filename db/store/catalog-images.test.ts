// The batch view's queries on a desktop file, through the layer's CatalogStore and BrowseStore: the
// derived image status (migration 8 triggers), every filter, status counts, filter options, and
// that 100k images stay on indexes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../project-store';
import { AnnotationImportStore } from './annotation-import-store';
import { BrowseStore } from './browse-store';
import { CatalogStore, type CatalogFilter } from './catalog-store';
import { sqliteHandle } from './connect';
import { JobStore } from './job-store';
import { ReviewStore, type FactDecision } from './review-store';
import { SceneStore } from './scene-store';

let dir: string;
let store: ProjectStore;
let batch: number;

/** Rows are written through the two-database layer, as the importer writes them. */
const catalog = () => new CatalogStore(sqliteHandle(store.db));
const browse = () => new BrowseStore(sqliteHandle(store.db));
const addBatch = (sourceFolder: string) =>
  catalog().createBatch({ sourceFolder, depthFolder: null, depthEncoding: null, intrinsics: null });

function addImage(name: string, b = batch): Promise<number> {
  return catalog().insertImage({
    batchId: b,
    sourcePath: `/src/${name}`,
    relPath: name,
    fileName: name.split('/').pop()!,
    sha256: `sha-${name}`,
    bytes: 1,
    format: 'jpeg',
    width: 4,
    height: 3,
    orientation: 1,
    exif: null,
    intrinsics: { fx: 1, fy: 1, cx: 1, cy: 1, source: 'default-fov' },
    uprightBlob: null,
    thumbBlob: `blobs/thumbs/${name}.webp`,
    depthBlob: null,
    depthPreviewBlob: null,
    depth: null,
  });
}

const status = async (id: number) => (await catalog().image(id))!.status;
const ids = async (q: CatalogFilter & { offset: number; limit: number }) =>
  (await catalog().queryImages(q)).items.map((r) => r.id);
const decide = (d: FactDecision) => new ReviewStore(sqliteHandle(store.db), 'sqlite').decideFact(d);

/** A QA pair without a generated record (its own fact), written as this file's set-up. */
function addQa(imageId: number, family: string, qaStatus = 'proposed'): number {
  const info = store.db
    .prepare(
      `INSERT INTO qa_pairs (image_id, family, question, answer, status, created_at)
       VALUES (?, ?, 'q', 'a', ?, 'now')`,
    )
    .run(imageId, family, qaStatus);
  return Number(info.lastInsertRowid);
}

/** An imported box on the image; returns its id. */
async function addObject(imageId: number, label: string): Promise<number> {
  const externalId = `test:${label}`;
  await new AnnotationImportStore(sqliteHandle(store.db), 'sqlite').add([
    { imageId, label, score: null, box: [0, 0, 1, 1], provenance: 'imported', externalId },
  ]);
  const objects = await new BrowseStore(sqliteHandle(store.db)).objectStates(imageId);
  return objects.find((o) => o.label === label)!.id;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqw-images-'));
  store = ProjectStore.openOrCreate(join(dir, 'p'));
  batch = await addBatch('/src');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('derived image status', () => {
  it('follows the job queue, stage results and QA decisions, whoever writes them', async () => {
    const img = await addImage('a.jpg');
    expect(await status(img)).toBe('pending');

    await new JobStore(sqliteHandle(store.db), 'sqlite').createRunning(
      { id: 'job1', kind: 'pipeline', params: {} },
      { owner: 'test', expiresAt: Date.now() + 60_000 },
    );
    store.db
      .prepare("INSERT INTO job_items (job_id, image_id, status) VALUES ('job1', ?, 'pending')")
      .run(img);
    expect(await status(img)).toBe('processing');

    const qa1 = addQa(img, 'distance');
    const qa2 = addQa(img, 'left_right');
    store.db.prepare("UPDATE job_items SET status = 'done' WHERE image_id = ?").run(img);
    expect(await status(img)).toBe('needs-review');

    await decide({
      qaId: qa1,
      decision: 'approve',
      reason: null,
      editedAnswer: null,
      reviewer: 'ana',
    });
    expect(await status(img)).toBe('in-review');
    await decide({
      qaId: qa2,
      decision: 'reject',
      reason: 'wrong',
      editedAnswer: null,
      reviewer: 'bo',
    });
    expect(await status(img)).toBe('approved');
    await decide({
      qaId: qa1,
      decision: 'reject',
      reason: 'no',
      editedAnswer: null,
      reviewer: 'ana',
    });
    expect(await status(img)).toBe('rejected');

    // A re-derivation that changes the facts sends the pair back for review.
    store.db.prepare("UPDATE qa_pairs SET status = 'changed' WHERE id = ?").run(qa1);
    expect(await status(img)).toBe('in-review');

    // Old code paths writing the column directly cannot put it out of step.
    store.db.prepare("UPDATE images SET status = 'approved' WHERE id = ?").run(img);
    expect(await status(img)).toBe('in-review');

    await new SceneStore(sqliteHandle(store.db)).recordStages([
      {
        imageId: img,
        stage: 'graph',
        status: 'failed',
        reason: 'x',
        provenance: null,
        tookMs: 1,
        jobId: null,
      },
    ]);
    expect(await status(img)).toBe('failed');
  });

  it('leaves "processing" when the job stops, for the images it did not reach', async () => {
    const img = await addImage('b.jpg');
    await new JobStore(sqliteHandle(store.db), 'sqlite').createRunning(
      { id: 'job2', kind: 'pipeline', params: {} },
      { owner: 'test', expiresAt: Date.now() + 60_000 },
    );
    store.db
      .prepare("INSERT INTO job_items (job_id, image_id, status) VALUES ('job2', ?, 'pending')")
      .run(img);
    expect(await status(img)).toBe('processing');
    store.db.prepare("UPDATE jobs SET status = 'cancelled' WHERE id = 'job2'").run();
    expect(await status(img)).toBe('pending');
  });
});

describe('image filters and counts', () => {
  it('filters by label, ambiguity, QA family, changed-after-edit, reviewer, search and batch', async () => {
    const other = await addBatch('/o');
    const a = await addImage('kitchen/a.jpg');
    const b = await addImage('kitchen/b.jpg');
    const c = await addImage('hall/c_1%.jpg', other);
    await addObject(a, 'chair');
    await addObject(b, 'table');
    const deleted = await addObject(c, 'chair');
    store.db.prepare("UPDATE objects SET deleted_at = 'now' WHERE id = ?").run(deleted);
    await new SceneStore(sqliteHandle(store.db)).replaceAmbiguities(b, [
      { nodeId: 1, label: 'table', group: [1, 2], reason: 'same label' },
    ]);
    const qa = addQa(a, 'distance');
    addQa(b, 'left_right', 'changed');
    await decide({
      qaId: qa,
      decision: 'approve',
      reason: null,
      editedAnswer: null,
      reviewer: 'ana',
    });

    const all = { offset: 0, limit: 50 };
    expect(await ids({ ...all, label: 'chair' })).toEqual([a]);
    expect(await ids({ ...all, ambiguous: true })).toEqual([b]);
    expect(await ids({ ...all, ambiguous: false })).toEqual([a, c]);
    expect(await ids({ ...all, qaFamily: 'left_right' })).toEqual([b]);
    expect(await ids({ ...all, changedAfterEdit: true })).toEqual([b]);
    expect(await ids({ ...all, reviewer: 'ana' })).toEqual([a]);
    expect(await ids({ ...all, search: '_1%' })).toEqual([c]);
    expect(await ids({ ...all, search: 'kitchen', batchId: batch })).toEqual([a, b]);
    expect(await ids({ ...all, search: 'kitchen', label: 'table' })).toEqual([b]);
    expect(await catalog().queryImages({ ...all, label: 'sofa' })).toEqual({ total: 0, items: [] });

    expect(await catalog().statusCounts({})).toEqual({
      total: 3,
      byStatus: { approved: 1, 'needs-review': 1, pending: 1 },
    });
    expect((await catalog().statusCounts({ batchId: batch })).total).toBe(2);
    expect(await browse().filterOptions()).toEqual({
      labels: ['chair', 'table'],
      families: ['distance', 'left_right'],
      reviewers: ['ana'],
    });
    expect((await browse().filterOptions(other)).labels).toEqual([]);
  });

  it('pages, filters and counts 100k images on indexes', async () => {
    store.db.exec(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
      INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
        fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
      SELECT ${batch}, 'x' || i, 'f/' || i || '.jpg', i || '.jpg', 'h' || i, 1, 'jpeg', 4, 3, 1, 1, 1, 1, 'given', 't',
        CASE WHEN i % 10 = 0 THEN 'needs-review' ELSE 'pending' END, 'now' FROM n;
    `);
    const plan = (sql: string) =>
      (
        store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(batch, 'needs-review') as Array<{
          detail: string;
        }>
      )
        .map((r) => r.detail)
        .join('; ');
    expect(plan('SELECT COUNT(*) FROM images WHERE batch_id = ? AND status = ?')).toMatch(
      /USING (COVERING )?INDEX images_batch_status/,
    );
    const t0 = performance.now();
    const page = await catalog().queryImages({
      batchId: batch,
      status: 'needs-review',
      offset: 9000,
      limit: 200,
    });
    const counts = await catalog().statusCounts({ batchId: batch });
    const ms = performance.now() - t0;
    expect(page.total).toBe(10000);
    expect(page.items).toHaveLength(200);
    expect(counts.byStatus).toEqual({ 'needs-review': 10000, pending: 90000 });
    // Generous: the machine is shared; locally this takes a few milliseconds.
    expect(ms).toBeLessThan(500);
  });
});
