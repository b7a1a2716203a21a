import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { legacyUpgrades, runLegacyUpgrades } from './legacy-upgrades';
import type { LayerMigration } from './store/migrations';
import {
  appliedMigrations,
  LAYER_USER_VERSION,
  migrateProjectFile,
  projectFileIsCurrent,
} from './store/sqlite-migrations';
import { ProjectStore } from './project-store';
import type { GeneratedQa } from './rules/qa-upsert-plan';
import { BrowseStore } from './store/browse-store';
import { CatalogStore } from './store/catalog-store';
import { sqliteHandle } from './store/connect';
import { ReviewStore } from './store/review-store';
import { SceneStore } from './store/scene-store';

describe('ProjectStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqw-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a project folder with project.sqlite in WAL mode and blobs/', async () => {
    const store = ProjectStore.openOrCreate(join(dir, 'p'), 'Living room');
    expect(existsSync(join(dir, 'p', 'project.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'p', 'blobs'))).toBe(true);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(LAYER_USER_VERSION);
    expect(await new BrowseStore(sqliteHandle(store.db)).project()).toEqual({
      id: store.id,
      name: 'Living room',
      createdAt: expect.any(String),
    });
    const id = store.id;
    store.close();
    const again = ProjectStore.open(join(dir, 'p'));
    expect(again.id).toBe(id);
    again.close();
    // Opened again with a name: the project keeps the one it was made with.
    const named = ProjectStore.openOrCreate(join(dir, 'p'), 'Kitchen');
    expect(named.id).toBe(id);
    expect((await new BrowseStore(sqliteHandle(named.db)).project()).name).toBe('Living room');
    named.close();
  });

  it('refuses a database without its project row', () => {
    const store = ProjectStore.openOrCreate(join(dir, 'p'));
    store.db.prepare('DELETE FROM project').run();
    store.close();
    expect(() => ProjectStore.open(join(dir, 'p'))).toThrow(/no project row/);
    expect(() => ProjectStore.openReadOnly(join(dir, 'p'))).toThrow(/no project row/);
  });

  it('refuses a folder that is not a project, and a file in place of a folder', () => {
    expect(() => ProjectStore.open(dir)).toThrow(/not a project folder/);
    writeFileSync(join(dir, 'f'), 'x');
    expect(() => ProjectStore.openOrCreate(join(dir, 'f'))).toThrow(/is a file/);
  });

  it('refuses a database from a newer version of the program', () => {
    const store = ProjectStore.openOrCreate(join(dir, 'p'));
    store.db.pragma(`user_version = ${LAYER_USER_VERSION + 1}`);
    store.close();
    expect(() => ProjectStore.open(join(dir, 'p'))).toThrow(/newer than this program/);
    // A layer migration this program does not know: refused, for reading too.
    const again = ProjectStore.openOrCreate(join(dir, 'q'));
    again.db
      .prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-future', 'now')")
      .run();
    again.close();
    expect(() => ProjectStore.open(join(dir, 'q'))).toThrow(/9999-future, newer than this program/);
    expect(() => ProjectStore.openReadOnly(join(dir, 'q'))).toThrow(/not this program's newest/);
  });

  it('rolls back a migration that fails half-way with its record, keeping the ones before', () => {
    const db = new Database(':memory:');
    const list: LayerMigration[] = [
      { name: '0001-a', steps: (k) => [k.schema.createTable('a').addColumn('x', 'text')] },
      {
        name: '0002-b',
        steps: (k) => [
          k.schema.createTable('b').addColumn('x', 'text'),
          k.schema.createTable('a').addColumn('x', 'text'),
        ],
      },
    ];
    expect(() => migrateProjectFile(db, list)).toThrow(/already exists/);
    expect(appliedMigrations(db)).toEqual(['0001-a']);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(projectFileIsCurrent(db, list)).toBe(false);
    // The frozen legacy steps roll back the same way, keeping the previous user_version.
    const legacy = new Database(':memory:');
    const steps = [
      { version: 1, description: 'a', up: 'CREATE TABLE a (x);' },
      { version: 2, description: 'b', up: 'CREATE TABLE b (x); CREATE TABLE a (x);' },
    ];
    expect(() => runLegacyUpgrades(legacy, steps)).toThrow(/already exists/);
    expect(legacy.pragma('user_version', { simple: true })).toBe(1);
    expect(legacy.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
  });

  it("migration 9 fills QA naming from the stored records; the QA stage's upsert writes it", async () => {
    const db = new Database(':memory:');
    runLegacyUpgrades(
      db,
      legacyUpgrades.filter((m) => m.version < 9),
    );
    db.prepare(
      "INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/x', '2026-01-01')",
    ).run();
    db.prepare(
      `INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
         fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
       VALUES (1, 1, '/x/a.jpg', 'a.jpg', 'a.jpg', 'h', 1, 'jpeg', 4, 3, 1, 1, 1, 1, 'given', 't', 'pending', 'now')`,
    ).run();
    const ins = db.prepare(
      'INSERT INTO qa_pairs (image_id, family, question, answer, created_at, record_json) VALUES (1, ?, ?, ?, ?, ?)',
    );
    ins.run('f', 'q1', 'a1', 'now', JSON.stringify({ naming: 'region' }));
    ins.run('f', 'q2', 'a2', 'now', JSON.stringify({ naming: 'expression' }));
    ins.run('f', 'q3', 'a3', 'now', null);
    migrateProjectFile(db);
    expect(db.prepare('SELECT naming FROM qa_pairs ORDER BY id').raw().all()).toEqual([
      ['region'],
      ['expression'],
      [null],
    ]);
    db.close();

    const store = ProjectStore.openOrCreate(join(dir, 'p'));
    const batch = store.db
      .prepare("INSERT INTO batches (source_folder, created_at) VALUES ('/y', 'now')")
      .run().lastInsertRowid;
    const image = store.db
      .prepare(
        `INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
           fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
         VALUES (?, '/y/a.jpg', 'a.jpg', 'a.jpg', 'h', 1, 'jpeg', 4, 3, 1, 1, 1, 1, 'given', 't', 'pending', 'now')`,
      )
      .run(batch).lastInsertRowid as number;
    const pair = (key: string, naming: string, factHash: string) => ({
      key,
      family: 'f',
      kind: 'qualitative',
      question: 'q',
      answer: 'a',
      value: true,
      factHash,
      record: { naming },
    });
    const upsertQa = (pairs: GeneratedQa[]) =>
      sqliteHandle(store.db)
        .transaction()
        .execute((trx) => new SceneStore(trx).upsertQa(image, pairs));
    await upsertQa([pair('k1', 'region', 'h1'), pair('k2', 'expression', 'h1')]);
    // A changed fact rewrites the record, and its naming with it.
    await upsertQa([pair('k1', 'expression', 'h2'), pair('k2', 'expression', 'h1')]);
    expect(
      store.db.prepare('SELECT qa_key, naming FROM qa_pairs ORDER BY qa_key').raw().all(),
    ).toEqual([
      ['k1', 'expression'],
      ['k2', 'expression'],
    ]);
    store.close();
  });

  it('records a review decision, the QA status and the audit entry together', async () => {
    const store = ProjectStore.openOrCreate(join(dir, 'p'));
    const catalog = new CatalogStore(sqliteHandle(store.db));
    const batchId = await catalog.createBatch({
      sourceFolder: '/x',
      depthFolder: null,
      depthEncoding: null,
      intrinsics: null,
    });
    const imageId = await catalog.insertImage({
      batchId,
      sourcePath: '/x/a.jpg',
      relPath: 'a.jpg',
      fileName: 'a.jpg',
      sha256: 'ab',
      bytes: 1,
      format: 'jpeg',
      width: 4,
      height: 3,
      orientation: 1,
      exif: null,
      intrinsics: { fx: 1, fy: 1, cx: 2, cy: 1.5, source: 'given' },
      uprightBlob: null,
      thumbBlob: 'blobs/thumbs/ab.webp',
      depthBlob: null,
      depthPreviewBlob: null,
      depth: null,
    });
    const qaId = Number(
      store.db
        .prepare(
          `INSERT INTO qa_pairs (image_id, family, question, answer, created_at)
           VALUES (?, 'left_right', 'Is A left of B?', 'Yes.', 'now')`,
        )
        .run(imageId).lastInsertRowid,
    );
    const review = new ReviewStore(sqliteHandle(store.db), 'sqlite');
    const entry = await review.decideFact({
      qaId,
      decision: 'edit',
      reason: null,
      editedAnswer: 'No.',
      reviewer: 'ana',
    });
    expect(entry).toMatchObject({ actor: 'ana', target: `qa:${qaId}` });
    expect(await review.reviews(qaId)).toMatchObject([{ decision: 'edit', editedAnswer: 'No.' }]);
    expect(await review.qaState(qaId)).toMatchObject({ status: 'edited', answer: 'No.' });
    expect(await review.auditCount()).toBe(1);
    await expect(
      review.decideFact({
        qaId: 999,
        decision: 'approve',
        reason: null,
        editedAnswer: null,
        reviewer: 'ana',
      }),
    ).rejects.toThrow(/not found/);
    expect(await review.auditCount()).toBe(1);
    store.close();
  });
});
