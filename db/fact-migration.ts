// Migration 12's data step: stamps every stored QA with its fact id and merges the per-phrasing
// decisions of each fact into one. Rule: the most recent decision (approve, reject or edit, by
// review_decisions id) on any live phrasing of a fact wins, and the fact's other proposed or
// decided phrasings follow it (fact-decisions.ts); 'changed' and 'orphaned' phrasings keep their
// held decisions. Replaced decisions stay in review_decisions; each merged fact gets one audit
// entry (before/after of the phrasings it changed) and a decision row per changed phrasing.
import type { Database } from 'better-sqlite3';
import { factIdOfRecord } from '../spatial/qa/fact-id';
import { qaRevision } from './store/rows';
import { siblingStatus, supersededReason, type DecidedStatus } from './rules/fact-decisions';

const FOLLOWS = new Set(['proposed', 'approved', 'rejected', 'edited']);
const DECIDED = new Set(['approved', 'rejected', 'edited']);
const DECISION_OF: Record<string, string> = {
  approved: 'approve',
  rejected: 'reject',
};

interface Phrasing {
  id: number;
  imageId: number;
  status: string;
  answer: string;
  factHash: string | null;
  factId: string | null;
  /** Newest approve/reject/edit row of the pair: its id and reviewer. */
  lastDecision: number | null;
  reviewer: string | null;
}

export function groupDecisionsByFact(db: Database): void {
  const stamp = db.prepare('UPDATE qa_pairs SET fact_id = ? WHERE id = ?');
  const records = db
    .prepare('SELECT id, record_json AS r FROM qa_pairs WHERE record_json IS NOT NULL')
    .all() as Array<{ id: number; r: string }>;
  for (const { id, r } of records) {
    let record: unknown = null;
    try {
      record = JSON.parse(r);
    } catch {
      continue;
    }
    const fact = factIdOfRecord(record);
    if (fact) stamp.run(fact, id);
  }

  const rows = db
    .prepare(
      `SELECT q.id, q.image_id AS imageId, q.status, q.answer, q.fact_hash AS factHash, q.fact_id AS factId,
         d.id AS lastDecision, d.reviewer
       FROM qa_pairs q
       LEFT JOIN review_decisions d ON d.id = (SELECT MAX(x.id) FROM review_decisions x
         WHERE x.qa_id = q.id AND x.decision IN ('approve', 'reject', 'edit'))
       WHERE q.fact_id IS NOT NULL AND q.status IN ('proposed', 'approved', 'rejected', 'edited')
       ORDER BY q.image_id, q.fact_id, q.id`,
    )
    .all() as Phrasing[];
  const groups = new Map<string, Phrasing[]>();
  for (const p of rows) {
    const key = `${p.imageId}|${p.factId}`;
    const list = groups.get(key);
    if (list) list.push(p);
    else groups.set(key, [p]);
  }
  const setStatus = db.prepare('UPDATE qa_pairs SET status = ? WHERE id = ?');
  const decide = db.prepare(
    `INSERT INTO review_decisions (qa_id, decision, reason, edited_answer, reviewer, created_at)
     VALUES (?, ?, ?, NULL, ?, ?)`,
  );
  const audit = db.prepare(
    `INSERT INTO audit_log (actor, command, target, before_json, after_json, created_at, op, ref_id, image_ids_json)
     VALUES ('migration', 'review.fact-merge', ?, ?, ?, ?, 'log', NULL, ?)`,
  );
  const now = new Date().toISOString();
  const state = (p: Phrasing, status: string) => ({
    id: p.id,
    imageId: p.imageId,
    status,
    answer: p.answer,
    revision: qaRevision(status, p.answer, p.factHash),
  });
  for (const list of groups.values()) {
    const decided = list.filter((p) => DECIDED.has(p.status));
    if (decided.length === 0) continue;
    // Most recent decision wins; pairs decided without a decision row count as oldest, by id.
    const winner = decided.reduce((a, b) =>
      (b.lastDecision ?? -1) > (a.lastDecision ?? -1) ? b : a,
    );
    const target = siblingStatus(winner.status as DecidedStatus);
    const changed = list.filter(
      (p) => p !== winner && FOLLOWS.has(p.status) && p.status !== target,
    );
    if (changed.length === 0) continue;
    const reason =
      winner.status === 'edited'
        ? supersededReason(winner.id)
        : `fact decision of QA #${winner.id} (migration 12: most recent decision of the fact)`;
    for (const p of changed) {
      setStatus.run(target, p.id);
      decide.run(p.id, DECISION_OF[target], reason, winner.reviewer ?? 'migration', now);
    }
    audit.run(
      `fact:${winner.factId}`,
      JSON.stringify({ objects: [], qa: changed.map((p) => state(p, p.status)) }),
      JSON.stringify({ objects: [], qa: changed.map((p) => state(p, target)) }),
      now,
      JSON.stringify([winner.imageId]),
    );
  }
}
