import type { Command } from 'commander';
import { CliError, createOutput } from '../output';

function positive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a positive integer`, 2);
  return n;
}

function postgresUrl(v: string): string {
  if (!/^postgres(ql)?:\/\//.test(v)) throw new CliError('--database takes a postgres://… URL', 2);
  return v;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      "claim images from a team project's queue on PostgreSQL and run their stages (run as many as you like, on any machine)",
    )
    .requiredOption('--database <url>', 'the team project: postgres://…')
    .requiredOption('--blobs <dir>', "shared folder with the project's image files")
    .option('--batch <n>', 'jobs claimed and run at once', '8')
    .option(
      '--device <device>',
      "where this worker's models run: auto, webgpu, cuda or cpu (model stages: filter, detect, segment, depth, calibrate)",
      'auto',
    )
    .option('--models-dir <dir>', 'models folder (default $SQW_MODELS_DIR or ~/.sqw/models)')
    .option('--exit-when-idle', 'stop once no job is waiting or running')
    .option('--simulate-ms <n>', 'the noop stage takes this long (queue benchmarks)')
    .option('--json', 'print the report as JSON')
    .action(
      async (flags: {
        database: string;
        blobs: string;
        batch: string;
        device: string;
        modelsDir?: string;
        exitWhenIdle?: boolean;
        simulateMs?: string;
        json?: boolean;
      }) => {
        const [{ runWorker }, { FolderBlobStore }, { parseDevice }, { printable }] =
          await Promise.all([
            import('../../team/worker'),
            import('../../team/blob-store'),
            import('../../../native-models/providers'),
            import('../../printable'),
          ]);
        const out = createOutput(Boolean(flags.json));
        if (!['auto', 'webgpu', 'cuda', 'cpu'].includes(flags.device))
          throw new CliError(
            `unknown device "${flags.device}" (expected auto | webgpu | cuda | cpu)`,
            2,
          );
        const device = parseDevice(flags.device);
        const stop = new AbortController();
        // SIGTERM/SIGINT: finish the jobs in hand, then leave; claimed-but-unstarted ones expire back.
        for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
        const report = await runWorker({
          url: postgresUrl(flags.database),
          blobs: new FolderBlobStore(flags.blobs),
          batchSize: positive('--batch', flags.batch, 8),
          device,
          modelsDir: flags.modelsDir,
          onNotice: (message) => out.info(printable(message)),
          exitWhenIdle: Boolean(flags.exitWhenIdle),
          simulateMs:
            flags.simulateMs === undefined
              ? undefined
              : positive('--simulate-ms', flags.simulateMs, 1),
          signal: stop.signal,
        });
        out.result(
          `${report.worker}: ${report.jobs} jobs done, ${report.failed} failed, ${report.stored} results stored`,
          report,
        );
      },
    );

  const queue = program.command('queue').description("a team project's pipeline queue");
  queue
    .command('enqueue')
    .description('queue every image of the team project for the given stages')
    .requiredOption('--database <url>', 'the team project: postgres://…')
    .option(
      '--stages <list>',
      'comma-separated worker stages: the pipeline stages (filter, detect, segment, depth, calibrate, lift, graph, qa), noop, checksum',
      'noop',
    )
    .option('--seed <seed>', 'QA template seed (the same seed and graph give the same QA)', '1')
    .option(
      '--lease-seconds <n>',
      "a claimed job returns to the queue after this long (set when the project's queue is first made)",
      '900',
    )
    .option('--retries <n>', 'attempts after the first (set with the queue, like the lease)', '3')
    .option('--json', 'print as JSON')
    .action(
      async (flags: {
        database: string;
        stages: string;
        seed: string;
        leaseSeconds: string;
        retries: string;
        json?: boolean;
      }) => {
        const [
          { ImageQueue },
          { openPostgresProject },
          { CatalogStore },
          { workerStageNames },
          { randomUUID },
        ] = await Promise.all([
          import('../../../db/queue/image-queue'),
          import('../../../db/store/connect'),
          import('../../../db/store/catalog-store'),
          import('../../team/worker'),
          import('node:crypto'),
        ]);
        const stages = flags.stages.split(',').map((s) => s.trim());
        const known = workerStageNames();
        const unknown = stages.find((s) => !known.includes(s));
        if (unknown)
          throw new CliError(`unknown worker stage ${unknown} (known: ${known.join(', ')})`, 2);
        const url = postgresUrl(flags.database);
        const project = await openPostgresProject(url, 1);
        const ids = await new CatalogStore(project.db).imageIds();
        await project.close();
        const q = await ImageQueue.open(url, {
          supervise: false,
          leaseSeconds: positive('--lease-seconds', flags.leaseSeconds, 900),
          retryLimit: positive('--retries', flags.retries, 3),
        });
        const runId = randomUUID();
        try {
          await q.enqueue(runId, ids, stages, flags.seed);
        } finally {
          await q.close();
        }
        createOutput(Boolean(flags.json)).result(`queued ${ids.length} images (run ${runId})`, {
          runId,
          images: ids.length,
          stages,
        });
      },
    );
  queue
    .command('status')
    .description('jobs waiting, running, completed and failed')
    .requiredOption('--database <url>', 'the team project: postgres://…')
    .option('--json', 'print as JSON')
    .action(async (flags: { database: string; json?: boolean }) => {
      const { ImageQueue } = await import('../../../db/queue/image-queue');
      const q = await ImageQueue.open(postgresUrl(flags.database), { supervise: false });
      try {
        const c = await q.counts();
        createOutput(Boolean(flags.json)).result(
          `${c.waiting} waiting, ${c.active} running, ${c.completed} completed, ${c.failed} failed`,
          c,
        );
      } finally {
        await q.close();
      }
    });
  queue.commands.forEach((c) => c.exitOverride());
}
