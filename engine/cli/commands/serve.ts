import type { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { CliError, createOutput } from '../output';

const RENDERER_DIST = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

interface ServeFlags {
  project: string[];
  port: string;
  host: string;
  json?: boolean;
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
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option('--host <addr>', 'loopback address to bind', '127.0.0.1')
    .option('--json', 'print one JSON line {url, port, token} when ready')
    .action(async (flags: ServeFlags) => {
      const out = createOutput(Boolean(flags.json));
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError(`--port: not a port number: ${flags.port}`);
      const [{ createEngine }, { startHttpServer }] = await Promise.all([
        import('../../engine'),
        import('../../server/http-server'),
      ]);
      const engine = createEngine({ transport: 'http', projectFolders: flags.project });
      let server;
      try {
        server = await startHttpServer({
          engine,
          staticRoot: RENDERER_DIST,
          host: flags.host,
          port,
        });
      } catch (err) {
        await engine.close();
        throw new CliError((err as Error).message);
      }
      out.result(`Spatial QA Workstation (headless) at ${server.url}`, {
        url: server.url,
        port: server.port,
        token: server.token,
      });
      out.info('Press Ctrl+C to stop.');
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await engine.close();
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
