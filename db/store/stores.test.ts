// One suite, two databases: the review and catalog stores behave the same on SQLite and PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { supersededReason } from '../rules/fact-decisions';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ExportStore } from './export-store';
import { ReviewConflictError, ReviewStore } from './review-store';
import { storeTargets, testImage } from './test-targets';

describe.each(storeTargets())('stores on $name', (target) => {
  let project: ProjectDb;
  let catalog: CatalogStore;
  let review: ReviewStore;

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    catalog = new CatalogStore(project.db);
    review = new ReviewStore(project.db, project.dialect);
  });
  afterEach(async () => {
    await project?.close();
  });

  /** Three phrasings of fact F on one image, one phrasing of another fact, one orphaned phrasing. */
  async function factFixture() {
    const batch = await catalog.createBatch({
      sourceFolder: '/data',
      depthFolder: null,
      depthEncoding: null,
      intrinsics: null,
    });
    const imageId = await catalog.insertImage(testImage(batch, 'a.jpg'));
    const otherImage = await catalog.insertImage(testImage(batch, 'b.jpg'));
    const qa = async (imgId: number, factId: string, status = 'proposed', answer = 'yes') =>
      (
        await project.db
          .insertInto('qa_pairs')
          .values({
            image_id: imgId,
            family: 'left_predicate',
            question: `Is it left? (${factId})`,
            answer,
            status,
            created_at: new Date().toISOString(),
            qa_key: null,
            kind: 'qualitative',
            fact_hash: `hash-${factId}`,
            record_json: null,
            naming: 'plain',
            held_json: null,
            fact_id: factId,
            value_json: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const a = await qa(imageId, 'F');
    const b = await qa(imageId, 'F');
    const c = await qa(imageId, 'F');
    const orphan = await qa(imageId, 'F', 'orphaned');
    const other = await qa(imageId, 'G');
    const elsewhere = await qa(otherImage, 'F');
    return { batch, imageId, otherImage, a, b, c, orphan, other, elsewhere };
  }

  async function statuses(ids: number[]): Promise<string[]> {
    const rows = await project.db
      .selectFrom('qa_pairs')
      .select(['id', 'status'])
      .where('id', 'in', ids)
      .execute();
    return ids.map((id) => rows.find((r) => r.id === id)!.status);
  }

  it('keeps batches, issues and images with their exact values', async () => {
    const batch = await catalog.createBatch({
      sourceFolder: '/data',
      depthFolder: '/depth',
      depthEncoding: 'mm',
      intrinsics: { fx: 1 },
    });
    const big = await catalog.insertImage(
      testImage(batch, 'scans/100%_a.jpg', {
        bytes: 3_000_000_000, // past a 4-byte integer
        intrinsics: { fx: 525.123456789012, fy: 1 / 3, cx: 319.5, cy: 239.5, source: 'exif' },
        depthBlob: 'depth/a.png',
      }),
    );
    await catalog.insertImage(testImage(batch, 'scans/100x_b.jpg'));
    await catalog.addIssues(batch, [
      { path: '/data/bad.jpg', kind: 'failed', reason: 'truncated' },
      { path: '/data/x.txt', kind: 'skipped', reason: 'not an image' },
      { path: '/data/y.txt', kind: 'skipped', reason: 'not an image' },
    ]);

    expect(await catalog.listBatches()).toEqual([
      expect.objectContaining({
        id: batch,
        sourceFolder: '/data',
        depthEncoding: 'mm',
        imageCount: 2,
        withDepth: 1,
        skipped: 2,
        failed: 1,
      }),
    ]);
    expect((await catalog.issues(batch)).map((i) => i.reason)).toEqual([
      'truncated',
      'not an image',
      'not an image',
    ]);
    const row = (await catalog.image(big))!;
    expect(row.bytes).toBe(3_000_000_000);
    expect(row.fx).toBe(525.123456789012);
    expect(row.fy).toBe(1 / 3);
    expect(row.status).toBe('pending');
    expect(await catalog.findBySha('sha-scans/100%_a.jpg')).toEqual({
      id: big,
      sourcePath: '/data/scans/100%_a.jpg',
    });
    // '%' and '_' in a search are literal characters, not wildcards.
    const found = await catalog.queryImages({ search: '100%_', offset: 0, limit: 10 });
    expect(found.total).toBe(1);
    expect(found.items.map((i) => i.id)).toEqual([big]);
    expect(await catalog.statusCounts({ batchId: batch })).toEqual({
      total: 2,
      byStatus: { pending: 2 },
    });
  });

  it("filters images by a live object's label, ambiguity and QA changed after an edit", async () => {
    const f = await factFixture();
    const now = new Date().toISOString();
    const object = (imageId: number, label: string, deletedAt: string | null) => ({
      image_id: imageId,
      label,
      score: null,
      x0: 0,
      y0: 0,
      x1: 10,
      y1: 10,
      mask_rle: null,
      provenance: 'human',
      created_at: now,
      mask_provenance: null,
      external_id: null,
      updated_at: null,
      deleted_at: deletedAt,
      attributes_json: null,
      excluded: null,
    });
    await project.db
      .insertInto('objects')
      .values([object(f.imageId, 'chair', null), object(f.otherImage, 'chair', now)])
      .execute();
    await project.db
      .insertInto('ambiguities')
      .values({
        image_id: f.otherImage,
        node_id: 1,
        label: 'lamp',
        group_json: '[1,2]',
        reason: 'same label',
      })
      .execute();
    await project.db
      .updateTable('qa_pairs')
      .set({ status: 'changed' })
      .where('id', '=', f.other)
      .execute();
    const ids = async (filter: Parameters<CatalogStore['statusCounts']>[0]) => {
      const page = await catalog.queryImages({ ...filter, offset: 0, limit: 10 });
      expect((await catalog.statusCounts(filter)).total).toBe(page.total);
      return page.items.map((i) => i.id);
    };
    // A deleted object's label does not count.
    expect(await ids({ label: 'chair' })).toEqual([f.imageId]);
    expect(await ids({ label: 'lamp' })).toEqual([]);
    expect(await ids({ ambiguous: true })).toEqual([f.otherImage]);
    expect(await ids({ ambiguous: false })).toEqual([f.imageId]);
    expect(await ids({ changedAfterEdit: true })).toEqual([f.imageId]);
    expect(await ids({ changedAfterEdit: false })).toEqual([f.otherImage]);
    expect(await ids({ label: 'chair', ambiguous: true })).toEqual([]);
  });

  it('approving one phrasing approves the live phrasings of its fact, with one audit entry', async () => {
    const f = await factFixture();
    const entry = await review.decideFact({ qaId: f.b, decision: 'approve', reviewer: 'ana' });

    expect(await statuses([f.a, f.b, f.c, f.orphan, f.other, f.elsewhere])).toEqual([
      'approved',
      'approved',
      'approved',
      'orphaned',
      'proposed',
      'proposed',
    ]);
    for (const id of [f.a, f.b, f.c]) {
      expect((await review.reviews(id)).map((r) => [r.decision, r.reviewer])).toEqual([
        ['approve', 'ana'],
      ]);
    }
    expect(await review.reviews(f.orphan)).toEqual([]);
    expect(entry).toMatchObject({ op: 'do', command: 'review.approve', imageIds: [f.imageId] });
    const after = entry.after as { qa: Array<{ id: number; status: string }> };
    expect(after.qa.map((q) => [q.id, q.status])).toEqual([
      [f.b, 'approved'],
      [f.a, 'approved'],
      [f.c, 'approved'],
    ]);
    expect(await review.auditEntry(entry.id)).toEqual(entry);
    expect((await review.auditEntries({ imageId: f.imageId, limit: 10 })).map((e) => e.id)).toEqual(
      [entry.id],
    );
    expect(await review.auditEntries({ imageId: f.otherImage, limit: 10 })).toEqual([]);
    expect(await review.auditCount()).toBe(1);
  });

  it('an edit keeps the edited phrasing and withholds the others as superseded', async () => {
    const f = await factFixture();
    await review.decideFact({
      qaId: f.a,
      decision: 'edit',
      editedAnswer: '  no  ',
      reviewer: 'ben',
    });
    expect(await statuses([f.a, f.b, f.c])).toEqual(['edited', 'rejected', 'rejected']);
    const [edited] = await review.reviews(f.a);
    expect(edited).toMatchObject({ decision: 'edit', editedAnswer: 'no' });
    const [withheld] = await review.reviews(f.b);
    expect(withheld).toMatchObject({ decision: 'reject', reason: supersededReason(f.a) });
    const answer = await project.db
      .selectFrom('qa_pairs')
      .select('answer')
      .where('id', '=', f.a)
      .executeTakeFirstOrThrow();
    expect(answer.answer).toBe('no');
  });

  it('a skip is recorded on the phrasing seen and logged, and changes no status', async () => {
    const f = await factFixture();
    const entry = await review.decideFact({ qaId: f.a, decision: 'skip', reviewer: 'ana' });
    expect(entry.op).toBe('log');
    expect(await statuses([f.a, f.b, f.c])).toEqual(['proposed', 'proposed', 'proposed']);
    expect((await review.reviews(f.a)).map((r) => r.decision)).toEqual(['skip']);
    expect(await review.reviews(f.c)).toEqual([]);
  });

  it('refuses a decision on a phrasing that moved on, writing nothing', async () => {
    const f = await factFixture();
    const seen = (await review.qaState(f.a))!.revision;
    await review.decideFact({ qaId: f.a, decision: 'reject', reviewer: 'ana' });
    await expect(
      review.decideFact({
        qaId: f.a,
        decision: 'approve',
        reviewer: 'ben',
        expectedRevision: seen,
      }),
    ).rejects.toThrow(ReviewConflictError);
    expect(await statuses([f.a, f.b])).toEqual(['rejected', 'rejected']);
    expect((await review.reviews(f.a)).map((r) => r.reviewer)).toEqual(['ana']);
    expect(await review.auditCount()).toBe(1);
  });

  it('two reviewers deciding the same fact at once: exactly one wins', async () => {
    const f = await factFixture();
    const seen = (await review.qaState(f.a))!.revision;
    const results = await Promise.allSettled(
      ['ana', 'ben', 'cy', 'dee'].map((reviewer, i) =>
        review.decideFact({
          qaId: [f.a, f.b, f.c, f.a][i]!,
          decision: i % 2 ? 'reject' : 'approve',
          reviewer,
          expectedRevision: i === 0 || i === 3 ? seen : undefined,
        }),
      ),
    );
    // ana and dee saw the same revision of f.a: one of them must be refused.
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ReviewConflictError);
    expect(await review.auditCount()).toBe(3);
  });

  it('records exports, newest first', async () => {
    const exports = new ExportStore(project.db, project.dialect);
    const first = await exports.recordExport({
      format: 'qa-jsonl',
      outDir: '/out/a',
      options: { include: 'approved' },
      counts: { qa: 3 },
      checksum: 'abc',
    });
    const second = await exports.recordExport({
      format: 'coco',
      outDir: '/out/b',
      options: {},
      counts: { images: 2 },
      checksum: 'def',
    });
    const list = await exports.exports();
    expect(list.map((e) => e.id)).toEqual([second, first]);
    expect(JSON.parse(list[1]!.optionsJson)).toEqual({ include: 'approved' });
  });
});
