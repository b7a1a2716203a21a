// Reviewer accounts: a name, a role and the hash of the account's API token (never the token).
// Rows are never deleted: a revoked account keeps its name for the audit log and decision rows.
import type { Database } from 'better-sqlite3';

export type Role = 'admin' | 'reviewer' | 'viewer';

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

const COLUMNS =
  'id, name, role, created_at AS createdAt, revoked_at AS revokedAt, token_salt AS tokenSalt, token_hash AS tokenHash';

export class AccountRepository {
  constructor(private readonly db: Database) {}

  /** Adds an account; false when the name is taken (active or revoked). One transaction. */
  add(a: {
    name: string;
    role: Role;
    tokenId: string;
    tokenSalt: string;
    tokenHash: string;
  }): AccountRow | null {
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM accounts WHERE name = ?').get(a.name)) return null;
      const createdAt = new Date().toISOString();
      const info = this.db
        .prepare(
          `INSERT INTO accounts (name, role, token_id, token_salt, token_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(a.name, a.role, a.tokenId, a.tokenSalt, a.tokenHash, createdAt);
      return {
        id: Number(info.lastInsertRowid),
        name: a.name,
        role: a.role,
        createdAt,
        revokedAt: null,
      };
    })();
  }

  list(): AccountRow[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM accounts ORDER BY name`).all() as AccountSecret[]
    ).map(({ tokenSalt: _s, tokenHash: _h, ...row }) => row);
  }

  /** Active accounts only: what decides whether a server may run in accounts mode. */
  activeCount(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM accounts WHERE revoked_at IS NULL').get() as {
        n: number;
      }
    ).n;
  }

  /** The account a token's public id names, revoked or not (the caller checks both). */
  byTokenId(tokenId: string): AccountSecret | undefined {
    return this.db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE token_id = ?`).get(tokenId) as
      AccountSecret | undefined;
  }

  /** Revokes the account's token at once; false when there is no such active account. */
  revoke(name: string): boolean {
    const info = this.db
      .prepare('UPDATE accounts SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), name);
    return info.changes > 0;
  }
}
