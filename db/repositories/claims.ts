// Claims on slices of the review queue: a reviewer holds every QA of a batch, a QA family and/or
// an object label (each one given must match) until the claim expires or is released. A live claim
// of someone else refuses decisions inside it; the caller runs each check in the transaction of the
// write it guards (take; decisions and object edits check through db/store/access-store.ts).
import type { Database } from 'better-sqlite3';

export interface QueueSlice {
  batchId: number | null;
  family: string | null;
  label: string | null;
}

export interface ClaimRow extends QueueSlice {
  id: number;
  holder: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  createdAt: string;
}

const COLUMNS =
  'c.id, c.holder, c.batch_id AS batchId, c.family, c.label, c.expires_at AS expiresAt, c.created_at AS createdAt';

/** SQL true when QA `q` (of image `i`) lies in the slice whose columns are prefixed by `c`. */
function inSlice(c: string): string {
  return `(${c}batch_id IS NULL OR i.batch_id = ${c}batch_id)
    AND (${c}family IS NULL OR q.family = ${c}family)
    AND (${c}label IS NULL OR EXISTS (
      SELECT 1 FROM json_each(q.record_json, '$.subjects') s JOIN objects o ON o.id = s.value
      WHERE o.label = ${c}label))`;
}

const LIVE = 'c.released_at IS NULL AND c.expires_at > ?';

export class ClaimRepository {
  constructor(private readonly db: Database) {}

  /** Live claims, soonest to expire first. */
  live(now: number): ClaimRow[] {
    return this.db
      .prepare(`SELECT ${COLUMNS} FROM review_claims c WHERE ${LIVE} ORDER BY c.expires_at, c.id`)
      .all(now) as ClaimRow[];
  }

  get(id: number): (ClaimRow & { releasedAt: string | null }) | undefined {
    return this.db
      .prepare(`SELECT ${COLUMNS}, c.released_at AS releasedAt FROM review_claims c WHERE c.id = ?`)
      .get(id) as (ClaimRow & { releasedAt: string | null }) | undefined;
  }

  /** A live claim of someone other than `actor` that holds any of the QA `qaIds`; else undefined. */
  heldByOther(qaIds: number[], actor: string, now: number): ClaimRow | undefined {
    const anyLive = this.db
      .prepare(`SELECT 1 FROM review_claims c WHERE ${LIVE} AND c.holder <> ? LIMIT 1`)
      .get(now, actor);
    if (!anyLive) return undefined;
    // In chunks: a bulk decision over a large batch would pass SQLite's limit of bound variables.
    for (let i = 0; i < qaIds.length; i += 500) {
      const chunk = qaIds.slice(i, i + 500);
      const held = this.db
        .prepare(
          `SELECT ${COLUMNS} FROM review_claims c
           JOIN qa_pairs q ON q.id IN (${chunk.map(() => '?').join(', ')})
           JOIN images i ON i.id = q.image_id
           WHERE ${LIVE} AND c.holder <> ? AND ${inSlice('c.')}
           ORDER BY c.id LIMIT 1`,
        )
        .get(...chunk, now, actor) as ClaimRow | undefined;
      if (held) return held;
    }
    return undefined;
  }

  /**
   * A live claim of someone other than `holder` sharing an open (proposed or changed) QA with
   * `slice`: taking the slice would put that QA in two hands.
   */
  overlapping(slice: QueueSlice, holder: string, now: number): ClaimRow | undefined {
    return this.db
      .prepare(
        `WITH n AS (SELECT ? AS batch_id, ? AS family, ? AS label)
         SELECT ${COLUMNS} FROM review_claims c
         WHERE ${LIVE} AND c.holder <> ? AND EXISTS (
           SELECT 1 FROM n, qa_pairs q JOIN images i ON i.id = q.image_id
           WHERE q.status IN ('proposed', 'changed') AND ${inSlice('n.')} AND ${inSlice('c.')})
         ORDER BY c.id LIMIT 1`,
      )
      .get(slice.batchId, slice.family, slice.label, now, holder) as ClaimRow | undefined;
  }

  /** Open QA (proposed or changed) in the slice: what taking it hands the reviewer. */
  openCount(slice: QueueSlice): number {
    return (
      this.db
        .prepare(
          `WITH n AS (SELECT ? AS batch_id, ? AS family, ? AS label)
           SELECT COUNT(*) AS n FROM n, qa_pairs q JOIN images i ON i.id = q.image_id
           WHERE q.status IN ('proposed', 'changed') AND ${inSlice('n.')}`,
        )
        .get(slice.batchId, slice.family, slice.label) as { n: number }
    ).n;
  }

  /**
   * Takes `slice` for `holder` until `expiresAt`, or extends the holder's live claim on the same
   * slice. Refuses (returns the other claim) when someone else holds open QA of the slice. The
   * overlap check and the write are one IMMEDIATE transaction.
   */
  take(
    slice: QueueSlice,
    holder: string,
    expiresAt: number,
    now: number,
  ): { claim: ClaimRow; open: number } | { conflict: ClaimRow } {
    return this.db.transaction(() => {
      const conflict = this.overlapping(slice, holder, now);
      if (conflict) return { conflict };
      const same = this.db
        .prepare(
          `SELECT c.id FROM review_claims c WHERE ${LIVE} AND c.holder = ?
           AND c.batch_id IS ? AND c.family IS ? AND c.label IS ?`,
        )
        .get(now, holder, slice.batchId, slice.family, slice.label) as { id: number } | undefined;
      let id: number;
      if (same) {
        this.db
          .prepare('UPDATE review_claims SET expires_at = ? WHERE id = ?')
          .run(expiresAt, same.id);
        id = same.id;
      } else {
        const info = this.db
          .prepare(
            `INSERT INTO review_claims (holder, batch_id, family, label, expires_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            holder,
            slice.batchId,
            slice.family,
            slice.label,
            expiresAt,
            new Date(now).toISOString(),
          );
        id = Number(info.lastInsertRowid);
      }
      const open = this.openCount(slice);
      return { claim: this.get(id)!, open };
    })();
  }

  /** Ends `holder`'s live claim `id`; false when it is not theirs or no longer live. */
  release(id: number, holder: string, now: number): boolean {
    const info = this.db
      .prepare(
        `UPDATE review_claims SET released_at = ?
         WHERE id = ? AND holder = ? AND released_at IS NULL AND expires_at > ?`,
      )
      .run(new Date(now).toISOString(), id, holder, now);
    return info.changes > 0;
  }
}
