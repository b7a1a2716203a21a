// Desktop files made by earlier versions of the workstation open through the layer's migrations:
// the frozen legacy steps bring them to version 15, the layer adopts them, and every row (human
// decisions, audit log, exports) is still there. Two processes opening one old file at once
// never both run a step.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEGACY_FINAL_VERSION, legacyUpgrades, runLegacyUpgrades } from '../legacy-upgrades';
import { DATABASE_FILE, ProjectStore } from '../project-store';
import { sql } from 'kysely';
import { BrowseStore } from './browse-store';
import { sqliteHandle } from './connect';
import { layerMigrations, type LayerMigration } from './migrations';
import {
  ADOPTED_AT_LEGACY_FINAL,
  appliedMigrations,
  LAYER_USER_VERSION,
  migrateProjectFile,
  projectFileIsCurrent,
  type FileMigration,
} from './sqlite-migrations';
import { ReviewStore } from './review-store';

const OLD_VERSION = 5;
const KEPT = [
  'project',
  'batches',
  'images',
  'qa_pairs',
  'review_decisions',
  'audit_log',
  'exports',
];

/** A project folder as a workstation at legacy version 5 left it, with reviewed QA. */
function oldProject(folder: string): void {
  const db = new Database(join(folder, DATABASE_FILE));
  runLegacyUpgrades(
    db,
    legacyUpgrades.filter((m) => m.version <= OLD_VERSION),
  );
  db.exec(`
    INSERT INTO project VALUES ('p1', 'Kitchen', '2026-01-01', '{"reviewer":"ann"}');
    INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/x', '2026-01-01');
    INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width,
      height, fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
      VALUES (1, 1, '/x/a.jpg', 'a.jpg', 'a.jpg', 'h', 1, 'jpeg', 4, 3, 1, 1, 1, 1, 'given', 't',
        'pending', '2026-01-01');
    INSERT INTO qa_pairs (id, image_id, family, question, answer, status, created_at, qa_key)
      VALUES (1, 1, 'left_right', 'Is the cup left of the plate?', 'No.', 'edited', '2026-01-02', 'k1'),
             (2, 1, 'left_right', 'Is the plate right of the cup?', 'Yes.', 'rejected', '2026-01-02', 'k2'),
             (3, 1, 'count', 'How many cups?', 'Two.', 'proposed', '2026-01-02', 'k3');
    INSERT INTO review_decisions (qa_id, decision, reason, edited_answer, reviewer, created_at)
      VALUES (1, 'edit', NULL, 'No.', 'ann', '2026-01-03'),
             (2, 'reject', 'wrong side', NULL, 'bob', '2026-01-03');
    INSERT INTO audit_log (actor, command, target, before_json, after_json, created_at)
      VALUES ('ann', 'review.decide', 'qa:1', '{"answer":"Yes."}', '{"answer":"No."}', '2026-01-03');
    INSERT INTO exports (format, out_dir, options_json, counts_json, checksum, created_at)
      VALUES ('qa-jsonl', '/out', '{}', '{"qa":1}', 'f00d', '2026-01-04');
  `);
  db.close();
}

function rows(db: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(
    KEPT.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]),
  );
}

/** Legacy steps add columns and re-derive images.status: compare what was there before. */
function asBefore(after: Record<string, unknown[]>, before: Record<string, unknown[]>) {
  return Object.fromEntries(
    Object.entries(after).map(([t, list]) => [
      t,
      list.map((row, i) =>
        Object.fromEntries(
          Object.keys((before[t]![i] ?? {}) as object)
            .filter((c) => !(t === 'images' && c === 'status'))
            .map((c) => [c, (row as Record<string, unknown>)[c]]),
        ),
      ),
    ]),
  );
}

function withoutImageStatus(before: Record<string, unknown[]>) {
  return {
    ...before,
    images: before.images!.map((r) => {
      const { status: _, ...rest } = r as Record<string, unknown>;
      return rest;
    }),
  };
}

describe('desktop files from before the layer', () => {
  const dir = { path: '' };
  beforeEach(() => (dir.path = mkdtempSync(join(tmpdir(), 'sqw-migr-'))));
  afterEach(() => rmSync(dir.path, { recursive: true, force: true }));

  it('opens a file at an old version: legacy steps, adoption, every row and decision kept', async () => {
    oldProject(dir.path);
    const file = new Database(join(dir.path, DATABASE_FILE), { readonly: true });
    const before = rows(file);
    file.close();
    expect(() => ProjectStore.openReadOnly(dir.path)).toThrow(/legacy schema version 5/);

    const store = ProjectStore.open(dir.path);
    expect(store.db.pragma('user_version', { simple: true })).toBe(LAYER_USER_VERSION);
    expect(appliedMigrations(store.db)).toEqual(layerMigrations.map((m) => m.name));
    expect(asBefore(rows(store.db), before)).toEqual(withoutImageStatus(before));
    // The human decisions still decide: statuses as reviewed, image status derived from them.
    expect(await new ReviewStore(sqliteHandle(store.db), 'sqlite').qaState(1)).toMatchObject({
      status: 'edited',
      answer: 'No.',
    });
    expect(store.db.prepare('SELECT status FROM images WHERE id = 1').pluck().get()).toBe(
      'in-review',
    );
    expect(store.id).toBe('p1');
    expect(await new BrowseStore(sqliteHandle(store.db)).project()).toMatchObject({
      id: 'p1',
      name: 'Kitchen',
    });
    store.close();
    // Reopened: nothing left to do; the read-only connection takes it now.
    ProjectStore.open(dir.path).close();
    ProjectStore.openReadOnly(dir.path).close();
  });

  it('lets only one of two processes opening an old file at once run each step', async () => {
    oldProject(dir.path);
    const script = resolve(import.meta.dirname, 'testing/migrate-on-go.ts');
    const children = [0, 1].map(() => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, join(dir.path, DATABASE_FILE)],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const ready = new Promise<void>((res) =>
        child.stdout.on('data', () => out.startsWith('ready\n') && res()),
      );
      const exited = new Promise<{ code: number | null; out: string; err: string }>((res) =>
        child.on('exit', (code) => res({ code, out, err })),
      );
      return { child, ready, exited };
    });
    await Promise.race([
      Promise.all(children.map((c) => c.ready)),
      ...children.map((c) => c.exited),
    ]);
    for (const c of children) c.child.stdin.write('go\n');
    const results = await Promise.all(children.map((c) => c.exited));
    for (const r of results) expect(r.code, r.err).toBe(0);
    const ran = results.map((r) => JSON.parse(r.out.split('\n')[1]!) as FileMigration);
    // Every legacy step ran once, in one of the two; one adopted; the layer migrations added since
    // legacy ran once.
    expect(ran.flatMap((r) => r.legacy).sort((a, b) => a - b)).toEqual(
      legacyUpgrades.map((m) => m.version).filter((v) => v > OLD_VERSION),
    );
    expect(ran.filter((r) => r.adopted).length).toBe(1);
    expect(ran.flatMap((r) => r.applied)).toEqual(
      layerMigrations.map((m) => m.name).filter((n) => !ADOPTED_AT_LEGACY_FINAL.includes(n)),
    );
    const db = new Database(join(dir.path, DATABASE_FILE), { readonly: true });
    expect(appliedMigrations(db)).toEqual(layerMigrations.map((m) => m.name));
    expect(db.pragma('user_version', { simple: true })).toBe(LAYER_USER_VERSION);
    expect(LEGACY_FINAL_VERSION).toBeLessThan(LAYER_USER_VERSION);
    db.close();
  }, 30_000);

  it('rolls a failing migration back whole: the previous program still opens the file', () => {
    const previous = layerMigrations.filter((m) => ADOPTED_AT_LEGACY_FINAL.includes(m.name));
    const db = new Database(join(dir.path, DATABASE_FILE));
    migrateProjectFile(db, previous);
    const schema = () =>
      db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all();
    const before = schema();
    // Each migration added since legacy, failing after every statement of its own has run.
    for (const added of layerMigrations.filter((m) => !previous.includes(m))) {
      const failing: LayerMigration = {
        name: added.name,
        steps: (k, dialect) => [
          ...added.steps(k, dialect),
          { compile: () => sql`SELECT no_such_function()`.compile(k) },
        ],
      };
      expect(() => migrateProjectFile(db, [...previous, failing])).toThrow(/no_such_function/);
      expect(schema()).toEqual(before);
      expect(appliedMigrations(db)).toEqual(previous.map((m) => m.name));
      expect(projectFileIsCurrent(db, previous)).toBe(true);
    }
    db.close();
    // The previous program opens it without a step to run.
    const reopened = new Database(join(dir.path, DATABASE_FILE));
    expect(migrateProjectFile(reopened, previous)).toEqual({
      legacy: [],
      adopted: false,
      applied: [],
    });
    reopened.close();
  });
});
