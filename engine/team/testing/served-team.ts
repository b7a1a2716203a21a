// A team engine served over HTTP with accounts, as the team tests start one: `sqw serve
// --database --accounts` in-process, without the UI. Each person gets an account of their role;
// their tokens come back by name.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addAccount } from '../../access/account-tokens';
import type { Role } from '../../../db/store/access-store';
import { startHttpServer, type RunningServer } from '../../server/http-server';
import { createTeamEngine, type TeamEngine } from '../team-engine';

export interface ServedTeam<N extends string> {
  team: TeamEngine;
  server: RunningServer;
  tokens: Record<N, string>;
}

export async function serveTeam<N extends string>(
  opts: Parameters<typeof createTeamEngine>[0],
  people: Record<N, Role>,
): Promise<ServedTeam<N>> {
  const team = await createTeamEngine(opts);
  try {
    const tokens = {} as Record<N, string>;
    for (const [name, role] of Object.entries(people) as Array<[N, Role]>)
      tokens[name] = (await addAccount(team.project.accounts, name, role)).token;
    const server = await startHttpServer({
      engine: team,
      staticRoot: join(tmpdir(), 'sqw-no-ui'),
      accounts: team.project.accounts,
    });
    return { team, server, tokens };
  } catch (err) {
    await team.close();
    throw err;
  }
}
