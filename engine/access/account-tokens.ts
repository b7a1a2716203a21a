// API tokens of reviewer accounts. A token is `sqw_<id>_<secret>`: a public id (to find the account
// without scanning) and a 256-bit random secret. Only HMAC-SHA-256(salt, secret) is stored, with a
// random per-account salt. A fast keyed hash is enough here, unlike for passwords: slow hashes
// (scrypt, bcrypt) exist to make guessing low-entropy human passwords expensive, but a 256-bit
// random secret cannot be guessed at any speed, so a stolen database row yields nothing usable.
// The salt keeps equal secrets (there are none in practice) from showing as equal hashes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AccountRow, AccountSecret, AccountStore, Role } from '../../db/store/access-store';

const TOKEN_PATTERN = /^sqw_([0-9a-f]{16})_([0-9a-f]{64})$/;

export const ROLES: readonly Role[] = ['viewer', 'reviewer', 'admin'];

function hmac(salt: string, secret: string): string {
  return createHmac('sha256', Buffer.from(salt, 'hex')).update(secret, 'utf8').digest('hex');
}

/** A new token and the columns to store for it; the token itself is shown once and never kept. */
export function issueToken(): {
  token: string;
  tokenId: string;
  tokenSalt: string;
  tokenHash: string;
} {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const tokenSalt = randomBytes(16).toString('hex');
  return {
    token: `sqw_${tokenId}_${secret}`,
    tokenId,
    tokenSalt,
    tokenHash: hmac(tokenSalt, secret),
  };
}

export function looksLikeAccountToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** Where accounts are looked up: a project's account store (a desktop folder's or a team's). */
export type AccountDirectory = Pick<AccountStore, 'byTokenId' | 'activeCount'>;

/** The active account a presented token belongs to, or null (unknown, wrong or revoked). */
export async function verifyToken(
  accounts: AccountDirectory,
  token: string | null,
): Promise<AccountRow | null> {
  const m = token ? TOKEN_PATTERN.exec(token) : null;
  return m ? checkSecret(await accounts.byTokenId(m[1]!), m[2]!) : null;
}

function checkSecret(row: AccountSecret | undefined, secret: string): AccountRow | null {
  if (!row) return null;
  // Constant-time: the comparison does not reveal how much of the hash matched.
  const given = Buffer.from(hmac(row.tokenSalt, secret), 'hex');
  const stored = Buffer.from(row.tokenHash, 'hex');
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  if (row.revokedAt !== null) return null;
  const { tokenSalt: _salt, tokenHash: _hash, ...account } = row;
  return account;
}

/** Adds an account and returns its token (shown once). Throws when the name is taken. */
export async function addAccount(
  accounts: Pick<AccountStore, 'add'>,
  name: string,
  role: Role,
): Promise<{ account: AccountRow; token: string }> {
  const { token, ...stored } = issueToken();
  const account = await accounts.add({ name, role, ...stored });
  if (!account) throw new Error(`an account named ${JSON.stringify(name)} exists already`);
  return { account, token };
}
