// Migration 12 groups stored QA by fact: each gets its fact id, and phrasings of one fact decided
// differently take the fact's most recent decision; the replaced decisions stay on record.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateQa } from '../spatial/qa/generate';
import { randomGraph } from '../spatial/qa/testing/random-graph';
import { legacyUpgrades, runLegacyUpgrades } from './legacy-upgrades';
import { LAYER_USER_VERSION, migrateProjectFile } from './store/sqlite-migrations';

describe('migration 12: decisions per fact', () => {
  it('stamps fact ids and lets the most recent decision of a fact win', () => {
    const db = new Database(':memory:');
    runLegacyUpgrades(
      db,
      legacyUpgrades.filter((m) => m.version < 12),
    );
    db.prepare(
      "INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/x', '2026-01-01')",
    ).run();
    db.prepare(
      `INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
         fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
       VALUES (1, 1, '/x/a.jpg', 'a.jpg', 'a.jpg', 'h', 1, 'jpeg', 4, 3, 1, 1, 1, 1, 'given', 't', 'pending', 'now')`,
    ).run();
    const { pairs } = generateQa(randomGraph(3, { objects: 10, alignedProb: 1, badQuality: 0 }), {
      imageId: '1',
      seed: '0',
    });
    const insert = db.prepare(
      `INSERT INTO qa_pairs (image_id, family, question, answer, value_json, status, created_at, qa_key, kind,
         fact_hash, record_json, naming) VALUES (1, ?, ?, ?, 'null', ?, 'now', ?, ?, ?, ?, ?)`,
    );
    const decide = db.prepare(
      `INSERT INTO review_decisions (qa_id, decision, reason, edited_answer, reviewer, created_at)
       VALUES (?, ?, ?, ?, ?, 'now')`,
    );
    const ids = new Map<string, number>();
    for (const p of pairs) {
      // Records as stored before fact ids existed.
      const { factId: _, ...record } = p;
      const info = insert.run(
        p.family,
        p.question,
        p.answer,
        'proposed',
        p.id,
        p.kind,
        p.factHash,
        JSON.stringify(record),
        p.naming,
      );
      ids.set(p.id, Number(info.lastInsertRowid));
    }
    const fourWay = pairs.filter((p) => pairs.filter((q) => q.factId === p.factId).length === 4);
    const [conflict, approvedOnce] = [...new Set(fourWay.map((p) => p.factId))];
    const phr = (fact: string) => pairs.filter((p) => p.factId === fact).map((p) => ids.get(p.id)!);
    const [c1, c2, c3, c4] = phr(conflict!);
    // c1 approved by ann, then c2 rejected by bob (the most recent), c3 approved; c4 undecided.
    const status = db.prepare('UPDATE qa_pairs SET status = ? WHERE id = ?');
    decide.run(c1, 'approve', null, null, 'ann');
    status.run('approved', c1);
    decide.run(c3, 'approve', null, null, 'ann');
    status.run('approved', c3);
    decide.run(c2, 'reject', 'wrong side', null, 'bob');
    status.run('rejected', c2);
    // Another fact: one phrasing approved, the other three never decided.
    const [a1, ...rest] = phr(approvedOnce!);
    decide.run(a1, 'approve', null, null, 'ann');
    status.run('approved', a1);

    migrateProjectFile(db);
    expect(db.pragma('user_version', { simple: true })).toBe(LAYER_USER_VERSION);
    const row = db.prepare('SELECT status, fact_id AS factId FROM qa_pairs WHERE id = ?');
    for (const p of pairs)
      expect((row.get(ids.get(p.id)) as { factId: string }).factId).toBe(p.factId);
    for (const id of [c1, c2, c3, c4])
      expect((row.get(id) as { status: string }).status).toBe('rejected');
    for (const id of rest) expect((row.get(id) as { status: string }).status).toBe('approved');
    // The replaced approvals stay in review_decisions, followed by the fact's decision.
    const history = db
      .prepare(
        'SELECT decision, reviewer, reason FROM review_decisions WHERE qa_id = ? ORDER BY id',
      )
      .all(c1) as Array<{ decision: string; reviewer: string; reason: string }>;
    expect(history.map((h) => [h.decision, h.reviewer])).toEqual([
      ['approve', 'ann'],
      ['reject', 'bob'],
    ]);
    expect(history[1]!.reason).toMatch(new RegExp(`QA #${c2}.*most recent`));
    // One audit entry per merged fact with the phrasings it changed, not undoable.
    const audit = db
      .prepare(
        "SELECT target, op, before_json AS b, after_json AS a FROM audit_log WHERE command = 'review.fact-merge' ORDER BY id",
      )
      .all() as Array<{ target: string; op: string; b: string; a: string }>;
    expect(audit.map((e) => e.target).sort()).toEqual(
      [`fact:${conflict}`, `fact:${approvedOnce}`].sort(),
    );
    expect(audit.every((e) => e.op === 'log')).toBe(true);
    const merged = audit.find((e) => e.target === `fact:${conflict}`)!;
    expect((JSON.parse(merged.b) as { qa: Array<{ id: number; status: string }> }).qa).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: c1, status: 'approved' }),
        expect.objectContaining({ id: c3, status: 'approved' }),
        expect.objectContaining({ id: c4, status: 'proposed' }),
      ]),
    );
    // Facts nobody decided are left alone.
    const undecided = (
      db.prepare("SELECT COUNT(*) AS n FROM qa_pairs WHERE status = 'proposed'").get() as {
        n: number;
      }
    ).n;
    expect(undecided).toBe(pairs.length - 8);
    db.close();
  });
});
