// `sqw users`: reviewer accounts of a project (team mode, docs/TEAM-REVIEWERS.md). Run on the
// server's machine by whoever can write the project folder: that is what makes someone an admin of
// the accounts. A new account's token is printed once and stored only as a hash.
import type { Command } from 'commander';
import type { AccountStore, Role } from '../../../db/store/access-store';
import { printable } from '../../printable';
import { CliError, createOutput } from '../output';

const ROLE_NAMES: Role[] = ['admin', 'reviewer', 'viewer'];

function checkName(name: string): string {
  const n = name.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u.test(n))
    throw new CliError(
      `account name must be 1-64 letters, digits, '.', '_', '@' or '-' (starting with a letter or digit): ${printable(name)}`,
    );
  return n;
}

/** The accounts of a project folder or of a team project (`postgres://…`), behind one async face. */
async function openAccounts(
  location: string,
): Promise<Pick<AccountStore, 'add' | 'list' | 'revoke'> & { close(): Promise<void> }> {
  const [{ isPostgresUrl, openPostgresProject, sqliteHandle }, { AccountStore }] =
    await Promise.all([
      import('../../../db/store/connect'),
      import('../../../db/store/access-store'),
    ]);
  if (isPostgresUrl(location)) {
    let db;
    try {
      db = await openPostgresProject(location, 1);
    } catch (err) {
      throw new CliError(`--project: ${(err as Error).message}`);
    }
    const accounts = new AccountStore(db.db);
    return {
      add: (a) => accounts.add(a),
      list: () => accounts.list(),
      revoke: (name) => accounts.revoke(name),
      close: () => db.close(),
    };
  }
  const { ProjectStore } = await import('../../../db/project-store');
  const store = ProjectStore.open(location);
  const accounts = new AccountStore(sqliteHandle(store.db));
  return {
    add: (a) => accounts.add(a),
    list: () => accounts.list(),
    revoke: (name) => accounts.revoke(name),
    close: async () => store.close(),
  };
}

const PROJECT_HELP = 'project folder, or a team project (postgres://…)';

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description(
      'reviewer accounts with roles (admin, reviewer, viewer) for `sqw serve --accounts`',
    );

  users
    .command('add <name>')
    .description('add an account and print its API token (shown only this once)')
    .requiredOption('-p, --project <dir>', PROJECT_HELP)
    .option('--role <role>', 'admin | reviewer | viewer', 'reviewer')
    .option('--json', 'print {name, role, token} as JSON')
    .action(async (rawName: string, flags: { project: string; role: string; json?: boolean }) => {
      if (!ROLE_NAMES.includes(flags.role as Role))
        throw new CliError(
          `--role must be admin, reviewer or viewer, not ${printable(flags.role)}`,
        );
      const name = checkName(rawName);
      const { addAccount } = await import('../../access/account-tokens');
      const store = await openAccounts(flags.project);
      try {
        let added;
        try {
          added = await addAccount(store, name, flags.role as Role);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        createOutput(Boolean(flags.json)).result(
          [
            `added ${name} (${added.account.role}); their API token, shown only now:`,
            added.token,
          ].join('\n'),
          { name, role: added.account.role, token: added.token },
        );
      } finally {
        await store.close();
      }
    });

  users
    .command('list')
    .description("list the project's accounts and their roles (never their tokens)")
    .requiredOption('-p, --project <dir>', PROJECT_HELP)
    .option('--json', 'print as JSON')
    .action(async (flags: { project: string; json?: boolean }) => {
      const store = await openAccounts(flags.project);
      try {
        const rows = await store.list();
        const human =
          rows.length === 0
            ? 'no accounts (add one with `sqw users add <name> --role admin`)'
            : rows
                .map(
                  (a) =>
                    `${a.name.padEnd(20)} ${a.role.padEnd(8)} ${a.revokedAt ? `revoked ${a.revokedAt}` : `since ${a.createdAt}`}`,
                )
                .join('\n');
        createOutput(Boolean(flags.json)).result(human, rows);
      } finally {
        await store.close();
      }
    });

  users
    .command('revoke <name>')
    .description("revoke an account's token at once (its name stays in the audit log)")
    .requiredOption('-p, --project <dir>', PROJECT_HELP)
    .option('--json', 'print as JSON')
    .action(async (name: string, flags: { project: string; json?: boolean }) => {
      const store = await openAccounts(flags.project);
      try {
        if (!(await store.revoke(name)))
          throw new CliError(`no active account named ${printable(name)}`);
        createOutput(Boolean(flags.json)).result(`revoked ${name}`, { name, revoked: true });
      } finally {
        await store.close();
      }
    });
}
