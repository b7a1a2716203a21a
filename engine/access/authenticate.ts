// Who is calling: the local user holding the server's shared token, or a reviewer account. In
// accounts mode the shared token still works from this machine (the person who started the server)
// but never from another one: beyond loopback each person signs in with their own token.
import type { AccountRow } from '../../db/store/access-store';
import { isLoopbackPeer, tokenMatches } from '../server/security';
import { verifyToken, type AccountDirectory } from './account-tokens';

export type Principal = { kind: 'local' } | { kind: 'account'; account: AccountRow };

export interface AuthConfig {
  /** The per-start shared token; null where none is issued (behind a reverse proxy). */
  sharedToken: string | null;
  /** Set in accounts mode. */
  accounts: AccountDirectory | null;
}

export type AuthOutcome = Principal | { refused: string };

export async function authenticate(
  cfg: AuthConfig,
  presented: string | null | undefined,
  peerAddress: string | undefined,
): Promise<AuthOutcome> {
  if (cfg.sharedToken !== null && tokenMatches(cfg.sharedToken, presented)) {
    if (cfg.accounts === null || isLoopbackPeer(peerAddress)) return { kind: 'local' };
    return {
      refused:
        'the shared token is accepted only from this machine; sign in with your own account token',
    };
  }
  if (cfg.accounts !== null && presented) {
    const account = await verifyToken(cfg.accounts, presented);
    if (account) return { kind: 'account', account };
  }
  return { refused: 'missing or wrong token' };
}
