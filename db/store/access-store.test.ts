// One suite, two databases: what a served team project reads and writes beyond the review and
// catalog stores — accounts, claims on the queue, the reviewer's reads, undo/redo of decisions —
// behaves the same on SQLite and PostgreSQL.
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTableSql } from '../copy/postgres-ddl';
import { sqliteTableShapes } from '../copy/table-shapes';
import { migrateProjectFile } from './sqlite-migrations';
import { AccountStore, ClaimStore } from './access-store';
import { BrowseStore } from './browse-store';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ReviewConflictError, ReviewStore } from './review-store';
import type { TeamTables } from './team-tables';
import { storeTargets, testBatch, testImage } from './test-targets';
import { UndoStore, type UndoHistoryEntry } from './undo-store';

/** The table `sqw project copy` creates from its desktop declaration (not on this layer yet). */
async function addCopiedTables(project: ProjectDb): Promise<void> {
  if (project.dialect !== 'postgres') return;
  const desktop = new BetterSqlite3(':memory:');
  migrateProjectFile(desktop);
  for (const t of sqliteTableShapes(desktop))
    if (t.name === 'project') await sql.raw(createTableSql(t)).execute(project.db);
  desktop.close();
}

/** The newest command on the stack, as engine/review/undo-stack.ts picks it (kept simple here). */
function newest(op: 'undo' | 'redo') {
  return (h: UndoHistoryEntry[]) => {
    const undo: number[] = [];
    const redo: Array<{ commandId: number; lastId: number }> = [];
    const last = new Map<number, number>();
    for (const e of h) {
      if (e.op === 'do') {
        undo.push(e.id);
        last.set(e.id, e.id);
        redo.length = 0;
      } else if (e.op === 'undo') {
        undo.splice(undo.indexOf(e.refId!), 1);
        redo.push({ commandId: e.refId!, lastId: e.id });
      } else {
        redo.splice(
          redo.findIndex((r) => r.commandId === e.refId),
          1,
        );
        undo.push(e.refId!);
        last.set(e.refId!, e.id);
      }
    }
    if (op === 'redo') return redo.at(-1);
    const id = undo.at(-1);
    if (id === undefined) return undefined;
    const undone = [...h].reverse().find((e) => e.refId === id);
    return { commandId: id, lastId: undone?.op === 'redo' ? undone.id : last.get(id)! };
  };
}

describe.each(storeTargets())('team stores on $name', (target) => {
  let project: ProjectDb;
  let accounts: AccountStore;
  let claims: ClaimStore;
  let browse: BrowseStore;
  let review: ReviewStore;
  let undo: UndoStore;

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    await addCopiedTables(project);
    accounts = new AccountStore(project.db);
    claims = new ClaimStore(project.db, project.dialect);
    browse = new BrowseStore(project.db);
    review = new ReviewStore(project.db, project.dialect);
    undo = new UndoStore(project.db, project.dialect);
  });
  afterEach(async () => {
    await project?.close();
  });

  /**
   * Two batches, one image each; on image A a chair (#c) and a table (#t), fact F (two phrasings
   * about the chair) and fact G (about the table); on image B fact H of another family.
   */
  async function fixture() {
    const catalog = new CatalogStore(project.db);
    const db = project.db.withTables<TeamTables>();
    const batch = () => testBatch(catalog, '/d');
    const [b1, b2] = [await batch(), await batch()];
    const image = (batchId: number, rel: string) => catalog.insertImage(testImage(batchId, rel));
    const [imgA, imgB] = [await image(b1, 'a.jpg'), await image(b2, 'b.jpg')];
    const object = async (imageId: number, label: string) =>
      (
        await db
          .insertInto('objects')
          .values({
            image_id: imageId,
            label,
            score: 0.9,
            x0: 0,
            y0: 0,
            x1: 5,
            y1: 5,
            mask_rle: null,
            provenance: 'imported',
            mask_provenance: null,
            attributes_json: null,
            excluded: null,
            deleted_at: null,
            updated_at: null,
            version: 1,
            created_at: new Date().toISOString(),
          } as never)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const chair = await object(imgA, 'chair');
    const table = await object(imgA, 'table');
    const qa = async (
      imageId: number,
      family: string,
      factId: string,
      subjects: number[],
      naming = 'plain',
    ) =>
      (
        await project.db
          .insertInto('qa_pairs')
          .values({
            image_id: imageId,
            family,
            question: `q ${factId} ${naming}`,
            answer: 'yes',
            status: 'proposed',
            created_at: new Date().toISOString(),
            qa_key: null,
            kind: 'qualitative',
            fact_hash: `hash-${factId}`,
            record_json: JSON.stringify({ subjects }),
            naming,
            held_json: null,
            fact_id: factId,
            value_json: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const f1 = await qa(imgA, 'left', 'F', [chair]);
    const f2 = await qa(imgA, 'left', 'F', [chair], 'expression');
    const g = await qa(imgA, 'tall', 'G', [table]);
    const h = await qa(imgB, 'left', 'H', []);
    return { b1, b2, imgA, imgB, chair, table, f1, f2, g, h };
  }

  it('keeps accounts with hashed tokens: one per name, found by token id, revoked at once', async () => {
    const added = await accounts.add({
      name: 'alice',
      role: 'reviewer',
      tokenId: 'id1',
      tokenSalt: 'salt',
      tokenHash: 'hash',
    });
    expect(added).toMatchObject({ name: 'alice', role: 'reviewer', revokedAt: null });
    expect(
      await accounts.add({
        name: 'alice',
        role: 'admin',
        tokenId: 'id2',
        tokenSalt: 's',
        tokenHash: 'h',
      }),
    ).toBeNull();
    expect(await accounts.byTokenId('id1')).toMatchObject({ name: 'alice', tokenHash: 'hash' });
    expect(await accounts.byTokenId('id2')).toBeUndefined();
    expect(await accounts.activeCount()).toBe(1);
    expect(await accounts.revoke('alice')).toBe(true);
    expect(await accounts.revoke('alice')).toBe(false);
    expect(await accounts.activeCount()).toBe(0);
    expect((await accounts.list()).map((a) => [a.name, a.revokedAt !== null])).toEqual([
      ['alice', true],
    ]);
    // The list never carries the token's salt or hash.
    expect(Object.keys((await accounts.list())[0]!).sort()).toEqual(
      ['createdAt', 'id', 'name', 'revokedAt', 'role'].sort(),
    );
  });

  it('reads the queue one card per fact, open first, with objects and filter values', async () => {
    const f = await fixture();
    const page = await browse.qaQueue({ offset: 0, limit: 10 });
    // Fact F shows its referring-expression phrasing; one card per fact.
    expect(page.items.map((q) => q.id)).toEqual([f.f2, f.g, f.h]);
    expect(page.total).toBe(3);
    expect(page.items[0]).toMatchObject({
      factId: 'F',
      phrasings: 2,
      batchId: f.b1,
      fileName: 'a.jpg',
    });
    expect(
      (await browse.qaQueue({ batchId: f.b2, offset: 0, limit: 10 })).items.map((q) => q.id),
    ).toEqual([f.h]);
    expect((await browse.qaForImage(f.imgA)).map((q) => q.id)).toEqual([f.f2, f.g]);
    expect(await browse.factSiblings(f.f1)).toEqual([f.f2]);
    expect(await browse.qaFamilies()).toEqual(['left', 'tall']);
    expect((await browse.objectStates(f.imgA)).map((o) => [o.label, o.box, o.version])).toEqual([
      ['chair', [0, 0, 5, 5], 1],
      ['table', [0, 0, 5, 5], 1],
    ]);
    expect(await browse.vocabulary()).toEqual([
      { label: 'chair', count: 1 },
      { label: 'table', count: 1 },
    ]);
    expect(await browse.filterOptions(f.b2)).toEqual({
      labels: [],
      families: ['left'],
      reviewers: [],
    });
  });

  it('reads every phrasing of some facts, or of whole images, for the geometry checks', async () => {
    const f = await fixture();
    const ids = (rows: Array<{ id: number }>) => rows.map((q) => q.id);
    expect(ids(await browse.qaOfFacts([f.f1]))).toEqual([f.f1, f.f2]);
    expect(ids(await browse.qaOfFacts([f.g]))).toEqual([f.g]);
    expect(ids(await browse.qaOfFacts([f.h, f.f2]))).toEqual([f.f1, f.f2, f.h]);
    expect(await browse.qaOfFacts([])).toEqual([]);
    expect(ids(await browse.qaOfImages([f.imgA]))).toEqual([f.f1, f.f2, f.g]);
    expect(ids(await browse.qaOfImages([f.imgB, f.imgA]))).toEqual([f.f1, f.f2, f.g, f.h]);
    // The same rows as the one-QA read, record and phrasing count included.
    expect((await browse.qaOfFacts([f.f1]))[0]).toEqual(await browse.qaReview(f.f1));
  });

  it('a bulk decision writes only the phrasings its chooser keeps; a chooser refusing writes nothing', async () => {
    const f = await fixture();
    const seen: unknown[] = [];
    const none = await review.decideFamily({
      family: 'left',
      imageId: f.imgA,
      decision: 'approve',
      reviewer: 'alice',
      choose: async (_trx, phrasings) => {
        seen.push(...phrasings);
        return new Set();
      },
    });
    expect(seen).toEqual([
      { id: f.f1, imageId: f.imgA, factId: 'F' },
      { id: f.f2, imageId: f.imgA, factId: 'F' },
    ]);
    expect(none).toEqual({ applied: 0, entry: null });
    await expect(
      review.decideFamily({
        family: 'left',
        batchId: f.b1,
        decision: 'approve',
        reviewer: 'alice',
        choose: async () => {
          throw new Error('warnings to confirm');
        },
      }),
    ).rejects.toThrow('warnings to confirm');
    expect(await review.reviews(f.f1)).toEqual([]);
    const some = await review.decideFamily({
      family: 'left',
      decision: 'approve',
      batchId: f.b1,
      reviewer: 'alice',
      choose: async () => new Set([f.f2]),
    });
    expect(some.applied).toBe(1);
    expect(some.entry?.after).toMatchObject({ qa: [{ id: f.f2, status: 'approved' }] });
    expect((await browse.qaReview(f.f1))!.status).toBe('proposed');
  });

  it('claims a slice: overlapping takes and decisions of others are refused, release frees it', async () => {
    const f = await fixture();
    const now = Date.now();
    const taken = await claims.take(
      { batchId: null, family: 'left', label: null },
      'alice',
      now + 60_000,
      now,
    );
    expect(taken).toMatchObject({ claim: { holder: 'alice', family: 'left' }, open: 3 });
    if (!('claim' in taken)) throw new Error('not taken');
    // The chair's label slice shares fact F with alice's family: refused.
    const overlap = await claims.take(
      { batchId: null, family: null, label: 'chair' },
      'bob',
      now + 60_000,
      now,
    );
    expect(overlap).toMatchObject({ conflict: { holder: 'alice', id: taken.claim.id } });
    // The table's does not.
    const bobs = await claims.take(
      { batchId: null, family: null, label: 'table' },
      'bob',
      now + 60_000,
      now,
    );
    expect(bobs).toMatchObject({ claim: { holder: 'bob', label: 'table' }, open: 1 });
    // Taking the same slice again extends it.
    const again = await claims.take(
      { batchId: null, family: 'left', label: null },
      'alice',
      now + 120_000,
      now,
    );
    expect(again).toMatchObject({ claim: { id: taken.claim.id, expiresAt: now + 120_000 } });
    expect(await claims.heldByOther([f.h], 'bob', now)).toMatchObject({ holder: 'alice' });
    expect(await claims.heldByOther([f.h], 'alice', now)).toBeUndefined();
    expect(await claims.heldByOther([f.g], 'alice', now)).toMatchObject({ holder: 'bob' });
    expect(await claims.heldByOther([f.g], 'alice', now + 200_000)).toBeUndefined();
    expect((await claims.live(now)).map((c) => c.holder)).toEqual(['bob', 'alice']);
    expect(await claims.release(taken.claim.id, 'bob', now)).toBe(false);
    expect(await claims.release(taken.claim.id, 'alice', now)).toBe(true);
    expect(await claims.heldByOther([f.h], 'bob', now)).toBeUndefined();
  });

  it('two reviewers taking overlapping slices at the same moment: one gets it, the other is refused', async () => {
    await fixture();
    const now = Date.now();
    for (let round = 0; round < 5; round++) {
      const out = await Promise.all(
        ['alice', 'bob'].map((holder, i) =>
          claims.take(
            i === 0
              ? { batchId: null, family: 'left', label: null }
              : { batchId: null, family: null, label: 'chair' },
            holder,
            now + 60_000,
            now,
          ),
        ),
      );
      expect(out.filter((o) => 'claim' in o)).toHaveLength(1);
      const won = out.find((o) => 'claim' in o) as { claim: { id: number; holder: string } };
      expect(await claims.release(won.claim.id, won.claim.holder, now)).toBe(true);
    }
  });

  it('a decision refused by its guard writes nothing', async () => {
    const f = await fixture();
    await expect(
      review.decideFact({
        qaId: f.f1,
        decision: 'approve',
        reviewer: 'bob',
        guard: async (_trx, ids) => {
          expect(ids.sort()).toEqual([f.f1, f.f2].sort());
          throw new Error('held by alice');
        },
      }),
    ).rejects.toThrow('held by alice');
    expect(await review.auditCount()).toBe(0);
    expect((await browse.qaReview(f.f1))!.status).toBe('proposed');
  });

  it("undoes and redoes a reviewer's own decision, and refuses over someone else's later one", async () => {
    const f = await fixture();
    await review.decideFact({ qaId: f.f1, decision: 'reject', reason: 'no', reviewer: 'alice' });
    expect(await undo.step('bob', 'undo', newest('undo'))).toBeNull();
    const undone = await undo.step('alice', 'undo', newest('undo'));
    expect(undone).toMatchObject({ actor: 'alice', op: 'undo', target: `qa:${f.f1}` });
    expect([(await browse.qaReview(f.f1))!.status, (await browse.qaReview(f.f2))!.status]).toEqual([
      'proposed',
      'proposed',
    ]);
    const redone = await undo.step('alice', 'redo', newest('redo'));
    expect(redone).toMatchObject({ op: 'redo', refId: undone!.refId });
    expect((await browse.qaReview(f.f2))!.status).toBe('rejected');
    // Bob decides the fact again; alice's undo would overwrite his work: refused, naming him.
    await review.decideFact({ qaId: f.f2, decision: 'approve', reviewer: 'bob' });
    const refused = undo.step('alice', 'undo', newest('undo'));
    await expect(refused).rejects.toThrow(ReviewConflictError);
    await expect(undo.step('alice', 'undo', newest('undo'))).rejects.toThrow(
      /by bob \(review.approve\)/,
    );
    expect((await browse.qaReview(f.f1))!.status).toBe('approved');
  });

  it('decides a family in bulk over every live phrasing of its open facts, as one command', async () => {
    const f = await fixture();
    const out = await review.decideFamily({
      family: 'left',
      batchId: f.b1,
      decision: 'reject',
      reason: 'blurry',
      reviewer: 'alice',
    });
    // Fact F's two phrasings on image A; fact H (batch 2) and G (another family) untouched.
    expect(out.applied).toBe(2);
    expect(out.entry).toMatchObject({
      command: 'review.bulk-reject',
      target: 'family:left',
      op: 'do',
      imageIds: [f.imgA],
    });
    const status = async (id: number) => (await browse.qaReview(id))!.status;
    expect([await status(f.f1), await status(f.f2), await status(f.g), await status(f.h)]).toEqual([
      'rejected',
      'rejected',
      'proposed',
      'proposed',
    ]);
    expect((await review.reviews(f.f2)).map((r) => [r.decision, r.reason, r.reviewer])).toEqual([
      ['reject', 'blurry', 'alice'],
    ]);
    // Nothing open is left: a second bulk applies nothing and logs nothing.
    expect(
      await review.decideFamily({
        family: 'left',
        imageId: f.imgA,
        decision: 'approve',
        reviewer: 'bob',
      }),
    ).toEqual({ applied: 0, entry: null });
    // A guard refusing leaves the batch as it was.
    await expect(
      review.decideFamily({
        family: 'left',
        batchId: f.b2,
        decision: 'approve',
        reviewer: 'bob',
        guard: async () => {
          throw new Error('held');
        },
      }),
    ).rejects.toThrow('held');
    expect(await status(f.h)).toBe('proposed');
    const undone = await undo.step('alice', 'undo', newest('undo'));
    expect(undone).toMatchObject({ command: 'review.bulk-reject', op: 'undo' });
    expect([await status(f.f1), await status(f.f2)]).toEqual(['proposed', 'proposed']);
  });

  // Object edits are undone on this layer now (object-edit-store.test.ts).
  it('undoes and redoes a decision held by an orphaned QA into what it holds; the QA stays hidden', async () => {
    const f = await fixture();
    await review.decideFact({ qaId: f.h, decision: 'approve', reviewer: 'alice' });
    const row = await project.db
      .selectFrom('qa_pairs')
      .select(['answer', 'question', 'fact_hash'])
      .where('id', '=', f.h)
      .executeTakeFirstOrThrow();
    // Re-derivation lost its object: the approval is held (qa-keeping.ts).
    const holding = (status: string) =>
      JSON.stringify({
        status,
        answer: row.answer,
        question: row.question,
        factHash: row.fact_hash,
        namingHash: null,
      });
    await project.db
      .updateTable('qa_pairs')
      .set({ status: 'orphaned', held_json: holding('approved') })
      .where('id', '=', f.h)
      .execute();
    const held = async () =>
      project.db
        .selectFrom('qa_pairs')
        .select(['status', 'held_json'])
        .where('id', '=', f.h)
        .executeTakeFirstOrThrow();
    expect(await undo.step('alice', 'undo', newest('undo'))).toMatchObject({ op: 'undo' });
    expect(await held()).toEqual({ status: 'orphaned', held_json: holding('proposed') });
    expect(await undo.step('alice', 'redo', newest('redo'))).toMatchObject({ op: 'redo' });
    expect(await held()).toEqual({ status: 'orphaned', held_json: holding('approved') });
  });
});
