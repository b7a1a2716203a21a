// Reviewer accounts and claims on slices of the review queue on either database (async, through
// Kysely); claims are this store's alone, desktop and team. A claim holds every QA of a batch, a
// QA family and/or an object label (each one given must match) for one reviewer until it expires or
// is released. A live claim of someone else refuses decisions and object edits inside it, checked
// in the transaction of the write.
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { ClaimRow, QueueSlice } from './rows';
import type { DialectName, ProjectTables } from './schema';
import type { TeamTables } from './team-tables';

type Tables = ProjectTables & TeamTables;

export type Role = 'admin' | 'reviewer' | 'viewer';

/**
 * A reviewer account: a name, a role and (in AccountSecret) the hash of its API token, never the
 * token. Rows are never deleted: a revoked account keeps its name for the audit log and decisions.
 */
export interface AccountRow {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

/** What verifying a presented token needs: the salt and the stored hash, found by the public id. */
export interface AccountSecret extends AccountRow {
  tokenSalt: string;
  tokenHash: string;
}
type Db = Kysely<Tables> | Transaction<Tables>;

export class AccountStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<ProjectTables>) {
    this.db = db.withTables<TeamTables>();
  }

  /** Adds an account; null when the name is taken (active or revoked). One transaction. */
  async add(a: {
    name: string;
    role: Role;
    tokenId: string;
    tokenSalt: string;
    tokenHash: string;
  }): Promise<AccountRow | null> {
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('accounts')
        .select('id')
        .where('name', '=', a.name)
        .executeTakeFirst();
      if (taken) return null;
      const createdAt = new Date().toISOString();
      const row = await trx
        .insertInto('accounts')
        .values({
          name: a.name,
          role: a.role,
          token_id: a.tokenId,
          token_salt: a.tokenSalt,
          token_hash: a.tokenHash,
          created_at: createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, name: a.name, role: a.role, createdAt, revokedAt: null };
    });
  }

  async list(): Promise<AccountRow[]> {
    const rows = await this.db
      .selectFrom('accounts')
      .select(['id', 'name', 'role', 'created_at as createdAt', 'revoked_at as revokedAt'])
      .orderBy('name')
      .execute();
    return rows as AccountRow[];
  }

  async activeCount(): Promise<number> {
    const row = await this.db
      .selectFrom('accounts')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The account a token's public id names, revoked or not (the caller checks both). */
  async byTokenId(tokenId: string): Promise<AccountSecret | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .select([
        'id',
        'name',
        'role',
        'created_at as createdAt',
        'revoked_at as revokedAt',
        'token_salt as tokenSalt',
        'token_hash as tokenHash',
      ])
      .where('token_id', '=', tokenId)
      .executeTakeFirst();
    return row as AccountSecret | undefined;
  }

  /** Revokes the account's token at once; false when there is no such active account. */
  async revoke(name: string): Promise<boolean> {
    const res = await this.db
      .updateTable('accounts')
      .set({ revoked_at: new Date().toISOString() })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}

const OPEN = ['proposed', 'changed'];

export class ClaimStore {
  private readonly db: Kysely<Tables>;

  constructor(
    db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
  ) {
    this.db = db.withTables<TeamTables>();
  }

  /** Live claims, soonest to expire first; pass the transaction of a write it guards. */
  async live(
    now: number,
    within?: Kysely<ProjectTables> | Transaction<ProjectTables>,
  ): Promise<ClaimRow[]> {
    return this.claims(within ? within.withTables<TeamTables>() : this.db)
      .where('c.released_at', 'is', null)
      .where('c.expires_at', '>', now)
      .orderBy('c.expires_at')
      .orderBy('c.id')
      .execute();
  }

  /**
   * A live claim of someone other than `actor` that holds any of the QA `qaIds`; else undefined.
   * Pass the transaction of the write it guards.
   */
  async heldByOther(
    qaIds: number[],
    actor: string,
    now: number,
    within?: Kysely<ProjectTables> | Transaction<ProjectTables>,
  ): Promise<ClaimRow | undefined> {
    const db: Db = within ? within.withTables<TeamTables>() : this.db;
    const anyLive = await db
      .selectFrom('review_claims')
      .select('id')
      .where('released_at', 'is', null)
      .where('expires_at', '>', now)
      .where('holder', '<>', actor)
      .limit(1)
      .executeTakeFirst();
    if (!anyLive) return undefined;
    // In chunks: a bulk decision over a large batch would pass the databases' bound-variable limits.
    for (let i = 0; i < qaIds.length; i += 500) {
      const chunk = qaIds.slice(i, i + 500);
      const held = await this.claims(db)
        .innerJoin('qa_pairs as q', (j) => j.on('q.id', 'in', chunk))
        .innerJoin('images as i', 'i.id', 'q.image_id')
        .where('c.released_at', 'is', null)
        .where('c.expires_at', '>', now)
        .where('c.holder', '<>', actor)
        .where(this.claimHolds())
        .orderBy('c.id')
        .limit(1)
        .executeTakeFirst();
      if (held) return held;
    }
    return undefined;
  }

  /** Open QA (proposed or changed) in the slice: what taking it hands the reviewer. */
  async openCount(slice: QueueSlice, db: Db = this.db): Promise<number> {
    const row = await this.openInSlice(db, slice)
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Takes `slice` for `holder` until `expiresAt`, or extends the holder's live claim on the same
   * slice. Refuses (returns the other claim) when someone else holds open QA of the slice. The
   * overlap check and the write are one transaction; on PostgreSQL takes are serialized by a
   * table lock (reads go on), so two reviewers cannot both take overlapping slices at once.
   */
  async take(
    slice: QueueSlice,
    holder: string,
    expiresAt: number,
    now: number,
  ): Promise<{ claim: ClaimRow; open: number } | { conflict: ClaimRow }> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres')
        await sql`LOCK TABLE review_claims IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
      const conflict = await this.claims(trx)
        .where('c.released_at', 'is', null)
        .where('c.expires_at', '>', now)
        .where('c.holder', '<>', holder)
        .where(({ exists }) =>
          exists(this.openInSlice(trx, slice).select('q.id').where(this.claimHolds())),
        )
        .orderBy('c.id')
        .limit(1)
        .executeTakeFirst();
      if (conflict) return { conflict };
      const same = await trx
        .selectFrom('review_claims')
        .select('id')
        .where('released_at', 'is', null)
        .where('expires_at', '>', now)
        .where('holder', '=', holder)
        .where('batch_id', slice.batchId === null ? 'is' : '=', slice.batchId)
        .where('family', slice.family === null ? 'is' : '=', slice.family)
        .where('label', slice.label === null ? 'is' : '=', slice.label)
        .executeTakeFirst();
      let id: number;
      if (same) {
        await trx
          .updateTable('review_claims')
          .set({ expires_at: expiresAt })
          .where('id', '=', same.id)
          .execute();
        id = same.id;
      } else {
        id = (
          await trx
            .insertInto('review_claims')
            .values({
              holder,
              batch_id: slice.batchId,
              family: slice.family,
              label: slice.label,
              expires_at: expiresAt,
              created_at: new Date(now).toISOString(),
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      }
      const claim = await this.claims(trx).where('c.id', '=', id).executeTakeFirstOrThrow();
      return { claim, open: await this.openCount(slice, trx) };
    });
  }

  /** Ends `holder`'s live claim `id`; false when it is not theirs or no longer live. */
  async release(id: number, holder: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('review_claims')
      .set({ released_at: new Date(now).toISOString() })
      .where('id', '=', id)
      .where('holder', '=', holder)
      .where('released_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  private claims(db: Db) {
    return db
      .selectFrom('review_claims as c')
      .select([
        'c.id',
        'c.holder',
        'c.batch_id as batchId',
        'c.family',
        'c.label',
        'c.expires_at as expiresAt',
        'c.created_at as createdAt',
      ]);
  }

  /** Open QA `q` (with its image `i`) inside `slice`. */
  private openInSlice(db: Db, slice: QueueSlice) {
    return db
      .selectFrom('qa_pairs as q')
      .innerJoin('images as i', 'i.id', 'q.image_id')
      .where('q.status', 'in', OPEN)
      .$if(slice.batchId !== null, (s) => s.where('i.batch_id', '=', slice.batchId!))
      .$if(slice.family !== null, (s) => s.where('q.family', '=', slice.family!))
      .$if(slice.label !== null, (s) => s.where(this.namesLabel(sql`${slice.label}`)));
  }

  /** True when claim `c` holds QA `q` of image `i` (every part of its slice that is set matches). */
  private claimHolds(): Expression<SqlBool> {
    return sql<SqlBool>`(c.batch_id IS NULL OR i.batch_id = c.batch_id)
      AND (c.family IS NULL OR q.family = c.family)
      AND (c.label IS NULL OR ${this.namesLabel(sql.ref('c.label'))})`;
  }

  /** True when QA `q` names an object (one of its record's subjects) carrying `label`. */
  private namesLabel(label: Expression<unknown>): Expression<SqlBool> {
    return this.dialect === 'postgres'
      ? sql<SqlBool>`EXISTS (SELECT 1 FROM jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(q.record_json::jsonb -> 'subjects') = 'array'
            THEN q.record_json::jsonb -> 'subjects' ELSE '[]'::jsonb END) s(v)
          JOIN objects o ON o.id = s.v::bigint WHERE o.label = ${label})`
      : sql<SqlBool>`EXISTS (SELECT 1 FROM json_each(q.record_json, '$.subjects') s
          JOIN objects o ON o.id = s.value WHERE o.label = ${label})`;
  }
}
