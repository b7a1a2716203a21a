import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpServerOptions } from '../../server/http-server';
import { CliError, createOutput } from '../output';

const RENDERER_DIST = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

interface ServeFlags {
  project: string[];
  database?: string;
  blobs?: string;
  modelsDir?: string;
  device?: string;
  port: string;
  host: string;
  json?: boolean;
  accounts?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  behindProxy?: boolean;
  publicHost: string[];
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('headless mode: serve the UI and the API on loopback with a random token')
    .option(
      '-p, --project <dir>',
      'project folder to open (created when missing); repeatable',
      collect,
      [],
    )
    .option(
      '--database <url>',
      'serve a team project on PostgreSQL (postgres://…) instead of project folders: the review loop only (docs/TEAM-SETUP.md); a folder here serves it through the same team service on SQLite',
    )
    .option('--blobs <dir>', "with --database: the shared folder of the project's image files")
    .option(
      '--models-dir <dir>',
      "with --database: models folder for click-to-refine's segmentation model, loaded on first use (default $SQW_MODELS_DIR or ~/.sqw/models)",
    )
    .option(
      '--device <device>',
      "with --database: where the server's segmentation model runs: auto, webgpu, cuda or cpu (default auto)",
    )
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option(
      '--host <addr>',
      'address to bind; beyond loopback needs --tls-cert/--tls-key and --accounts',
      '127.0.0.1',
    )
    .option(
      '--accounts',
      'team mode: reviewers sign in with their own tokens (`sqw users`, from the first --project or the --database); the shared token then works only from this machine',
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option(
      '--behind-proxy',
      'a TLS-terminating reverse proxy on this machine forwards to the loopback port (needs --accounts; no shared token)',
    )
    .option(
      '--public-host <name>',
      'a name reviewers reach the server by (Host header check beyond loopback); repeatable',
      collect,
      [],
    )
    .option('--json', 'print one JSON line {url, port, token} when ready')
    .action(async (flags: ServeFlags) => {
      const out = createOutput(Boolean(flags.json));
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port: not a port number: ${flags.port}`);
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey))
        throw new CliError('--tls-cert and --tls-key go together');
      if (flags.database && flags.project.length > 0)
        throw new CliError('--database and --project go separately: serve one or the other');
      if (flags.database && !flags.blobs)
        throw new CliError(
          "--database needs --blobs: the shared folder of the project's image files",
        );
      if (!flags.database && (flags.modelsDir || flags.device))
        throw new CliError(
          '--models-dir and --device go with --database: a desktop project uses the models of Models',
        );
      if (flags.device && !['auto', 'webgpu', 'cuda', 'cpu'].includes(flags.device))
        throw new CliError(
          `unknown device "${flags.device}" (expected auto | webgpu | cuda | cpu)`,
          2,
        );
      if (flags.accounts && flags.project.length === 0 && !flags.database)
        throw new CliError(
          '--accounts needs --project or --database: the accounts live in the project',
        );
      let tls;
      try {
        tls = flags.tlsCert
          ? { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey!) }
          : undefined;
      } catch (err) {
        throw new CliError(`TLS: ${(err as Error).message}`);
      }
      const { startHttpServer } = await import('../../server/http-server');
      let served: {
        engine: HttpServerOptions['engine'];
        accounts: HttpServerOptions['accounts'];
        close(): Promise<void>;
      };
      if (flags.database) {
        const [{ createTeamEngine }, { parseDevice }] = await Promise.all([
          import('../../team/team-engine'),
          import('../../../native-models/providers'),
        ]);
        let team;
        try {
          team = await createTeamEngine({
            database: flags.database,
            blobs: flags.blobs!,
            modelsDir: flags.modelsDir,
            device: parseDevice(flags.device ?? 'auto'),
          });
        } catch (err) {
          throw new CliError(`--database: ${(err as Error).message}`);
        }
        served = {
          engine: team,
          accounts: flags.accounts ? team.project.accounts : undefined,
          close: () => team.close(),
        };
      } else {
        const [{ createEngine }, { AccountStore }, { sqliteHandle }] = await Promise.all([
          import('../../engine'),
          import('../../../db/store/access-store'),
          import('../../../db/store/connect'),
        ]);
        const engine = await createEngine({ transport: 'http', projectFolders: flags.project });
        served = {
          engine,
          accounts: flags.accounts
            ? new AccountStore(sqliteHandle(engine.projects.list()[0]!.db))
            : undefined,
          close: () => engine.close(),
        };
      }
      let server;
      try {
        server = await startHttpServer({
          engine: served.engine,
          staticRoot: RENDERER_DIST,
          host: flags.host,
          port,
          tls,
          behindProxy: flags.behindProxy,
          publicHosts: flags.publicHost,
          accounts: served.accounts,
        });
      } catch (err) {
        await served.close();
        throw new CliError((err as Error).message);
      }
      out.result(`Spatial QA Workstation (headless) at ${server.url}`, {
        url: server.url,
        port: server.port,
        token: server.token,
        accounts: server.accounts,
      });
      if (server.accounts)
        out.info('Reviewers open the URL with #token=<their account token> (sqw users add).');
      out.info('Press Ctrl+C to stop.');
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await served.close();
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
