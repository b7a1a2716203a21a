import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateProjectFile } from '../../db/store/sqlite-migrations';
import { AccountRepository } from '../../db/repositories/accounts';
import { addAccount, verifyToken } from './account-tokens';

let db: Database.Database;
let accounts: AccountRepository;
beforeEach(() => {
  db = new Database(':memory:');
  migrateProjectFile(db);
  accounts = new AccountRepository(db);
});
afterEach(() => db.close());

describe('account tokens', () => {
  it('stores only a salted HMAC of a 256-bit secret, never the token', () => {
    const { token } = addAccount(accounts, 'alice', 'reviewer');
    const [, id, secret] = /^sqw_([0-9a-f]{16})_([0-9a-f]{64})$/.exec(token)!;
    const row = db.prepare('SELECT * FROM accounts').get() as Record<string, string>;
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(row.token_id).toBe(id);
    expect(row.token_hash).toBe(
      createHmac('sha256', Buffer.from(row.token_salt!, 'hex')).update(secret!).digest('hex'),
    );
    // Two accounts never share a salt.
    addAccount(accounts, 'bob', 'viewer');
    const salts = db.prepare('SELECT token_salt FROM accounts').all() as Array<{
      token_salt: string;
    }>;
    expect(new Set(salts.map((s) => s.token_salt)).size).toBe(2);
  });

  it('verifies the right token, refuses a changed secret, an unknown id and a revoked account', () => {
    const { token } = addAccount(accounts, 'alice', 'reviewer');
    expect(verifyToken(accounts, token)).toMatchObject({ name: 'alice', role: 'reviewer' });
    const flipped = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    expect(verifyToken(accounts, flipped)).toBeNull();
    expect(verifyToken(accounts, `sqw_${'0'.repeat(16)}_${token.slice(-64)}`)).toBeNull();
    expect(verifyToken(accounts, 'not a token')).toBeNull();
    expect(verifyToken(accounts, null)).toBeNull();
    expect(accounts.revoke('alice')).toBe(true);
    expect(verifyToken(accounts, token)).toBeNull();
    expect(accounts.revoke('alice')).toBe(false);
    // The revoked account keeps its row (its name stays in the audit log).
    expect(accounts.list()).toMatchObject([{ name: 'alice', revokedAt: expect.any(String) }]);
  });

  it('refuses a second account with a taken name', () => {
    addAccount(accounts, 'alice', 'reviewer');
    expect(() => addAccount(accounts, 'alice', 'admin')).toThrow(/exists already/);
  });
});
