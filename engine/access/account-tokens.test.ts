import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateProjectFile } from '../../db/store/sqlite-migrations';
import { AccountStore } from '../../db/store/access-store';
import { sqliteHandle } from '../../db/store/connect';
import { accountRows } from '../../db/store/testing/desktop-rows';
import { addAccount, verifyToken } from './account-tokens';

let db: Database.Database;
let accounts: AccountStore;
beforeEach(() => {
  db = new Database(':memory:');
  migrateProjectFile(db);
  accounts = new AccountStore(sqliteHandle(db));
});
afterEach(() => db.close());

describe('account tokens', () => {
  it('stores only a salted HMAC of a 256-bit secret, never the token', async () => {
    const { token } = await addAccount(accounts, 'alice', 'reviewer');
    const [, id, secret] = /^sqw_([0-9a-f]{16})_([0-9a-f]{64})$/.exec(token)!;
    const row = accountRows(db)[0]!;
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(row.token_id).toBe(id);
    expect(row.token_hash).toBe(
      createHmac('sha256', Buffer.from(row.token_salt!, 'hex')).update(secret!).digest('hex'),
    );
    // Two accounts never share a salt.
    await addAccount(accounts, 'bob', 'viewer');
    const salts = accountRows(db);
    expect(new Set(salts.map((s) => s.token_salt)).size).toBe(2);
  });

  it('verifies the right token, refuses a changed secret, an unknown id and a revoked account', async () => {
    const { token } = await addAccount(accounts, 'alice', 'reviewer');
    expect(await verifyToken(accounts, token)).toMatchObject({ name: 'alice', role: 'reviewer' });
    const flipped = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    expect(await verifyToken(accounts, flipped)).toBeNull();
    expect(await verifyToken(accounts, `sqw_${'0'.repeat(16)}_${token.slice(-64)}`)).toBeNull();
    expect(await verifyToken(accounts, 'not a token')).toBeNull();
    expect(await verifyToken(accounts, null)).toBeNull();
    expect(await accounts.revoke('alice')).toBe(true);
    expect(await verifyToken(accounts, token)).toBeNull();
    expect(await accounts.revoke('alice')).toBe(false);
    // The revoked account keeps its row (its name stays in the audit log).
    expect(await accounts.list()).toMatchObject([{ name: 'alice', revokedAt: expect.any(String) }]);
  });

  it('refuses a second account with a taken name', async () => {
    await addAccount(accounts, 'alice', 'reviewer');
    await expect(addAccount(accounts, 'alice', 'admin')).rejects.toThrow(/exists already/);
  });
});
