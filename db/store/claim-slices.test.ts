import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaimStore } from './access-store';
import { sqliteHandle } from './connect';
import { migrateProjectFile } from './sqlite-migrations';

// The slice matching of the layer's ClaimStore on a desktop file, at a size that needs chunks.
let db: Database.Database;
let claims: ClaimStore;
const T = 1_000_000;

/** Two batches; 1200 QA in batch 1 (family 'distance' from the 1100th on), one in batch 2. */
beforeEach(() => {
  db = new Database(':memory:');
  migrateProjectFile(db);
  db.exec(`
    INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/a', 'now'), (2, '/b', 'now');
    INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width,
      height, fx, fy, cx, cy, intrinsics_source, thumb_blob, created_at)
    VALUES (1, 1, 'a', 'a', 'a', 'h1', 1, 'jpeg', 1, 1, 1, 1, 0, 0, 'given', 't', 'now'),
           (2, 2, 'b', 'b', 'b', 'h2', 1, 'jpeg', 1, 1, 1, 1, 0, 0, 'given', 't', 'now');
    INSERT INTO objects (id, image_id, label, x0, y0, x1, y1, provenance, created_at)
      VALUES (7, 2, 'chair', 0, 0, 1, 1, 'imported', 'now');
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
    INSERT INTO qa_pairs (id, image_id, family, question, answer, status, created_at)
      SELECT i, 1, CASE WHEN i >= 1100 THEN 'distance' ELSE 'left_right' END, 'q', 'a', 'proposed', 'now' FROM n;
    INSERT INTO qa_pairs (id, image_id, family, question, answer, status, record_json, created_at)
      VALUES (2000, 2, 'left_right', 'q', 'a', 'proposed', '{"subjects":[7]}', 'now');
  `);
  claims = new ClaimStore(sqliteHandle(db), 'sqlite');
});
afterEach(() => db.close());

const slice = (s: Partial<{ batchId: number; family: string; label: string }>) => ({
  batchId: s.batchId ?? null,
  family: s.family ?? null,
  label: s.label ?? null,
});

describe('claims', () => {
  it('finds the holder among many QA (in several chunks), never for the holder, not after expiry', async () => {
    const out = await claims.take(slice({ family: 'distance' }), 'alice', T + 60_000, T);
    expect('claim' in out && out.open).toBe(101);
    const ids = Array.from({ length: 1200 }, (_, i) => i + 1);
    expect(await claims.heldByOther(ids, 'bob', T)).toMatchObject({ holder: 'alice' });
    expect(await claims.heldByOther(ids.slice(0, 1098), 'bob', T)).toBeUndefined();
    expect(await claims.heldByOther(ids, 'alice', T)).toBeUndefined();
    // Expired: nobody holds it any more.
    expect(await claims.heldByOther(ids, 'bob', T + 60_000)).toBeUndefined();
  });

  it('matches a label slice through the objects a QA names', async () => {
    await claims.take(slice({ label: 'chair' }), 'alice', T + 1000, T);
    expect(await claims.heldByOther([2000], 'bob', T)).toMatchObject({
      holder: 'alice',
      label: 'chair',
    });
    expect(await claims.heldByOther([1], 'bob', T)).toBeUndefined();
  });

  it('refuses an overlapping slice, extends the same one, and lets only the holder release', async () => {
    const a = await claims.take(slice({ batchId: 1 }), 'alice', T + 1000, T);
    if (!('claim' in a)) throw new Error('expected a claim');
    expect(await claims.take(slice({ family: 'distance' }), 'bob', T + 1000, T)).toMatchObject({
      conflict: { holder: 'alice' },
    });
    // Batch 2 shares no QA with batch 1.
    expect('claim' in (await claims.take(slice({ batchId: 2 }), 'bob', T + 1000, T))).toBe(true);
    const again = await claims.take(slice({ batchId: 1 }), 'alice', T + 5000, T);
    expect(again).toMatchObject({ claim: { id: a.claim.id, expiresAt: T + 5000 } });
    expect(await claims.release(a.claim.id, 'bob', T)).toBe(false);
    expect(await claims.release(a.claim.id, 'alice', T)).toBe(true);
    expect((await claims.live(T)).map((c) => c.holder)).toEqual(['bob']);
  });
});
