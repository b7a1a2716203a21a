// What storing an image's regenerated QA does to its stored pairs, as data: which rows are added,
// rewritten, kept or deleted (qa-keeping.ts decides per pair). The two-database layer's
// SceneStore.upsertQa (db/store/scene-store.ts) carries out this plan for the desktop and team
// pipelines alike, so both databases keep QA by the same rules and queries.
import { factIdOfRecord } from '../../spatial/qa/fact-id';
import {
  keepOnRegenerate,
  keepOnVanish,
  parseHeld,
  type QaStatus,
  type StoredQa,
} from './qa-keeping';

/** What the QA stage hands over per pair; `record` is the full generated pair, kept for export. */
export interface GeneratedQa {
  key: string;
  family: string;
  kind: string;
  question: string;
  answer: string;
  value: unknown;
  factHash: string;
  record: unknown;
}

export interface QaUpsertCounts {
  added: number;
  unchanged: number;
  changed: number;
  removed: number;
}

/** A stored pair as read for the plan (column values, `decided` = any review decision exists). */
export interface StoredQaRow {
  id: number;
  key: string | null;
  factHash: string | null;
  status: QaStatus;
  question: string;
  answer: string;
  record: string | null;
  held: string | null;
  factId: string | null;
  decided: boolean;
}

/** Column values of a pair as written (both inserts and rewrites). */
export interface QaColumns {
  family: string;
  question: string;
  answer: string;
  valueJson: string;
  kind: string;
  factHash: string;
  recordJson: string;
  naming: string | null;
  factId: string | null;
}

export interface QaUpsertPlan {
  insert: Array<QaColumns & { key: string }>;
  update: Array<QaColumns & { id: number; status: QaStatus; heldJson: string | null }>;
  keep: Array<{ id: number; status: QaStatus; answer: string; heldJson: string | null }>;
  remove: number[];
  counts: QaUpsertCounts;
}

/** The naming hash stored in a generated record (null for records from before it existed). */
function namingHashOf(record: string | null): string | null {
  if (!record) return null;
  const h = (JSON.parse(record) as { namingHash?: unknown } | null)?.namingHash;
  return typeof h === 'string' ? h : null;
}

/**
 * Replaces an image's generated QA by key, never losing a review decision. Texts are always
 * rewritten from the new generation, so a relabel reaches every stored question and answer.
 */
export function planQaUpsert(
  rows: readonly StoredQaRow[],
  pairs: readonly GeneratedQa[],
): QaUpsertPlan {
  const existing = new Map(
    rows.map((r) => {
      const stored: StoredQa & { id: number; record: string | null; factId: string | null } = {
        id: r.id,
        record: r.record,
        factId: r.factId,
        status: r.status,
        question: r.question,
        answer: r.answer,
        factHash: r.factHash,
        namingHash: namingHashOf(r.record),
        held: parseHeld(r.held),
        hasDecisions: r.decided,
      };
      return [r.key ?? `#${r.id}`, stored] as const;
    }),
  );
  const plan: QaUpsertPlan = {
    insert: [],
    update: [],
    keep: [],
    remove: [],
    counts: { added: 0, unchanged: 0, changed: 0, removed: 0 },
  };
  const seen = new Set<string>();
  for (const p of pairs) {
    seen.add(p.key);
    const old = existing.get(p.key);
    const recordJson = JSON.stringify(p.record);
    const naming = (p.record as { naming?: unknown } | null)?.naming;
    const columns: QaColumns = {
      family: p.family,
      question: p.question,
      answer: p.answer,
      valueJson: JSON.stringify(p.value ?? null),
      kind: p.kind,
      factHash: p.factHash,
      recordJson,
      naming: typeof naming === 'string' ? naming : null,
      factId: factIdOfRecord(p.record),
    };
    if (!old) {
      plan.insert.push({ ...columns, key: p.key });
      plan.counts.added++;
      continue;
    }
    const next = keepOnRegenerate(old, {
      question: p.question,
      answer: p.answer,
      factHash: p.factHash,
      namingHash: namingHashOf(recordJson),
    });
    const same =
      next.status === old.status &&
      next.answer === old.answer &&
      p.question === old.question &&
      p.factHash === old.factHash &&
      JSON.stringify(next.held) === JSON.stringify(old.held);
    if (same && old.record === recordJson && old.factId === columns.factId) {
      plan.counts.unchanged++;
      continue;
    }
    plan.update.push({
      ...columns,
      answer: next.answer,
      id: old.id,
      status: next.status,
      heldJson: next.held ? JSON.stringify(next.held) : null,
    });
    if (same) plan.counts.unchanged++;
    else plan.counts.changed++;
  }
  for (const [key, old] of existing) {
    if (seen.has(key)) continue;
    const next = keepOnVanish(old);
    if (next === 'delete') plan.remove.push(old.id);
    else if (old.status !== 'orphaned')
      plan.keep.push({
        id: old.id,
        status: next.status,
        answer: next.answer,
        heldJson: next.held ? JSON.stringify(next.held) : null,
      });
    else continue;
    plan.counts.removed++;
  }
  return plan;
}
