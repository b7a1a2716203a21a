import type { Command } from 'commander';
import type { JobProgress } from '../../../contract/entities';
import type { RunSummary } from '../../pipeline/run';
import { printable } from '../../printable';
import { CliError, createOutput, progressBar } from '../output';

interface RunFlags {
  project?: string;
  database?: string;
  stages: string;
  device: string;
  onlyPending?: boolean;
  seed: string;
  labels?: string;
  resume?: string | boolean;
  modelsDir?: string;
  workers?: string;
  batch?: string;
  inferenceThreads?: string;
  json?: boolean;
}

/** Plain progress lines (not a TTY) at most this often, so logs stay readable. */
const PLAIN_INTERVAL_MS = 5000;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description("run pipeline stages over a project's images (no display needed); resumable")
    .option('-p, --project <dir>', 'project folder, or a team project (postgres://…)')
    .option(
      '--database <url>',
      "a team project on PostgreSQL: queue the images for its workers and show the queue's progress",
    )
    .option(
      '--stages <list>',
      'comma-separated: filter, detect, segment, depth, calibrate, lift, graph, qa',
      'filter,detect,segment,depth,calibrate,lift,graph,qa',
    )
    .option('--device <device>', 'where models run: auto, webgpu, cuda or cpu', 'auto')
    .option('--only-pending', 'skip stages an image already finished')
    .option(
      '--labels <list>',
      "comma-separated: what the detect stage looks for (default: the model's vocabulary)",
    )
    .option('--seed <seed>', 'QA template seed (the same seed and graph give the same QA)', '1')
    .option(
      '--resume [jobId]',
      'continue a paused or interrupted run (the newest one when no id is given)',
    )
    .option('--models-dir <dir>', 'models folder (default $SQW_MODELS_DIR or ~/.sqw/models)')
    .option('--workers <n>', 'CPU worker threads (default: cores - 1, at most 4; 0 = inline)')
    .option(
      '--batch <n>',
      'most images per model call, for models whose export takes a batch (default 4, 1 on WebGPU where batches measured slower; 1 = one at a time)',
    )
    .option(
      '--inference-threads <n>',
      'inference threads, each with its own copy of every model (default 1): one image is prepared while another is inferred; costs a second copy of the models in (GPU) memory',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (flags: RunFlags) => {
      const out = createOutput(Boolean(flags.json));
      const location = flags.database ?? flags.project;
      if (!location || (flags.database && flags.project))
        throw new CliError('give the project: --project <dir> or --database postgres://…', 2);
      if (/^postgres(ql)?:\/\//.test(location)) {
        const desktopOnly = (
          ['onlyPending', 'resume', 'modelsDir', 'workers', 'batch', 'inferenceThreads'] as const
        ).filter((k) => flags[k] !== undefined);
        if (desktopOnly.length)
          throw new CliError(
            `--${desktopOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is for a desktop run; a team project's workers run its images`,
            2,
          );
        // Models run where the workers run: each worker names its own device and models.
        if (flags.device !== 'auto')
          throw new CliError(
            "--device is set per worker on a team project: sqw worker --device …; the workers' models run its model stages",
            2,
          );
        const [{ runOnTeamProject }, { parseStages: parse }] = await Promise.all([
          import('./team-run'),
          import('../../pipeline/stages'),
        ]);
        let stages;
        let labels;
        try {
          stages = parse(flags.stages);
          labels = parseLabels(flags.labels);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        await runOnTeamProject({ url: location, stages, seed: flags.seed, labels }, out);
        return;
      }
      const [{ ProjectStore }, pj, { parseStages }, { JobRunner }, { EventBus }, providers] =
        await Promise.all([
          import('../../../db/project-store'),
          import('../../pipeline/pipeline-jobs'),
          import('../../pipeline/stages'),
          import('../../jobs/job-runner'),
          import('../../event-bus'),
          import('../../../native-models/providers'),
        ]);
      let stages;
      let device;
      let workers: number | undefined;
      let maxBatch: number | undefined;
      let inferenceThreads: number | undefined;
      let labels: string[] | undefined;
      try {
        labels = parseLabels(flags.labels);
        if (labels && flags.resume) throw new Error('--labels cannot change a run being resumed');
        stages = parseStages(flags.stages);
        device = providers.parseDevice(flags.device);
        if (!['auto', 'webgpu', 'cuda', 'cpu'].includes(device))
          throw new Error(`unknown device "${device}" (expected auto | webgpu | cuda | cpu)`);
        if (flags.workers !== undefined) {
          workers = Number(flags.workers);
          if (!Number.isInteger(workers) || workers < 0 || workers > 64)
            throw new Error(`--workers must be a whole number from 0 to 64, got ${flags.workers}`);
        }
        if (flags.batch !== undefined) {
          maxBatch = Number(flags.batch);
          if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 64)
            throw new Error(`--batch must be a whole number from 1 to 64, got ${flags.batch}`);
        }
        if (flags.inferenceThreads !== undefined) {
          inferenceThreads = Number(flags.inferenceThreads);
          if (!Number.isInteger(inferenceThreads) || inferenceThreads < 1 || inferenceThreads > 8)
            throw new Error(
              `--inference-threads must be a whole number from 1 to 8, got ${flags.inferenceThreads}`,
            );
        }
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const store = ProjectStore.open(location);
      try {
        // A run killed earlier (kill -9, power loss) is recognised here by its expired lease and
        // becomes resumable.
        await pj.jobStore(store).markAbandoned();
      } catch (err) {
        store.close();
        throw new CliError((err as Error).message);
      }
      const events = new EventBus();
      const runner = new JobRunner(events);
      const env = { modelsDir: flags.modelsDir, workers, maxBatch, inferenceThreads };
      const draw = progressView(out.json, process.stderr);
      events.subscribe((e) => {
        if (e.type === 'job' && e.job.progress) draw(e.job.total, e.job.done, e.job.progress);
      });
      let job;
      try {
        if (flags.resume) {
          const id =
            typeof flags.resume === 'string'
              ? flags.resume
              : ((await pj.resumableJob(store)) ?? (await pj.livePipelineJob(store)))?.id;
          if (!id) throw new CliError('no paused or interrupted pipeline run to resume');
          // A run killed moments ago still holds its lease: wait to see whether it is renewed.
          const lease = await pj.jobStore(store).lease(id);
          if (lease && lease.expiresAt >= Date.now()) {
            out.info(
              `run ${id} is marked running; waiting up to ${Math.ceil((lease.expiresAt - Date.now()) / 1000)} s to see whether its process is alive…`,
            );
            if (!(await pj.waitForLease(store, id)))
              throw new CliError(
                `run ${id} is running in another process; it is not resumed twice (pause it there, or wait for it)`,
              );
            await pj.jobStore(store).markAbandoned();
          }
          job = await pj.resumePipelineJob(runner, store, id, {
            ...env,
            device: flags.device === 'auto' ? undefined : device,
          });
          out.info(`resuming run ${id}`);
        } else {
          const waiting = await pj.resumableJob(store);
          if (waiting)
            out.info(
              `note: run ${waiting.id} is ${waiting.status} with ${waiting.total - waiting.done} images left; --resume continues it`,
            );
          job = await pj.startPipelineJob(
            runner,
            store,
            {
              stages,
              onlyPending: Boolean(flags.onlyPending),
              seed: flags.seed,
              device,
              labels: labels ?? [],
            },
            env,
          );
        }
      } catch (err) {
        store.close();
        if (err instanceof CliError) throw err;
        throw new CliError((err as Error).message);
      }
      const jobId = job.id;
      // Ctrl-C pauses (the run stays resumable); a second Ctrl-C stops at once.
      let stops = 0;
      const onSignal = () => {
        stops++;
        if (stops > 1) process.exit(130);
        out.info('\npausing after the images in flight (Ctrl-C again to stop now)…');
        runner
          .pause(store, jobId)
          .catch((err: Error) => out.info(`could not pause: ${err.message}`));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runner.settled(jobId);
        draw.end();
        const row = (await pj.jobStore(store).get(jobId))!;
        const summary = (await pj.jobStore(store).result(jobId)) as RunSummary | null;
        if (row.status === 'failed')
          throw new CliError(`run failed: ${printable(row.message ?? 'unknown error')}`);
        const lines = summary ? summaryLines(summary) : [];
        if (row.status === 'paused' || row.status === 'interrupted')
          lines.push(
            `paused: finished images are kept; sqw run --project ${printable(location)} --resume continues`,
          );
        out.result(lines.join('\n'), { jobId, status: row.status, ...summary });
        if (row.status === 'paused') process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        store.close();
      }
    });
}

/** `--labels a,b,c`: what the detect stage looks for; undefined when not given. */
function parseLabels(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const labels = list
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  if (labels.length === 0) throw new Error('--labels needs at least one label');
  if (labels.some((l) => l.length > 100))
    throw new Error('--labels: a label is longer than 100 characters');
  return labels;
}

function summaryLines(s: RunSummary): string[] {
  const lines = [
    ...s.notices.map(printable),
    `${s.images} images${s.elapsedMs ? ` in ${(s.elapsedMs / 1000).toFixed(1)} s` : ''}`,
  ];
  const prov = Object.entries(s.providers ?? {});
  if (prov.length) lines.push(`providers: ${prov.map(([k, v]) => `${k} on ${v}`).join(', ')}`);
  if (s.inferenceThreadCalls)
    lines.push(`inference threads: ${s.inferenceThreadCalls.join(' + ')} model calls`);
  for (const [stage, st] of Object.entries(s.stages)) {
    const failed = st.failedTotal ?? st.failed.length;
    const skipped = Object.values(st.skipped).reduce((a, b) => a + b, 0);
    lines.push(`${stage}: ${st.done} done, ${skipped} skipped, ${failed} failed`);
    for (const [reason, n] of Object.entries(st.skipped))
      lines.push(`  skipped ${n}: ${printable(reason)}`);
    for (const f of st.failed)
      lines.push(`  failed: ${printable(f.image)}: ${printable(f.reason)}`);
    if (failed > st.failed.length)
      lines.push(`  … ${failed - st.failed.length} more failures (jobs.errors has them all)`);
  }
  return lines;
}

/** A redrawn bar on a TTY, plain lines every few seconds otherwise, nothing with --json. */
function progressView(
  json: boolean,
  err: NodeJS.WriteStream,
): ((total: number, done: number, p: JobProgress) => void) & { end(): void } {
  const tty = Boolean(err.isTTY);
  let last = 0;
  let finished = false;
  let drawn = false;
  const fn = (total: number, done: number, p: JobProgress) => {
    if (json) return;
    const eta = p.etaSeconds === null ? '' : ` ETA ${formatSeconds(p.etaSeconds)}`;
    const rate = p.imagesPerSecond === null ? '' : ` ${p.imagesPerSecond.toFixed(1)} img/s`;
    const prov = Object.entries(p.providers)
      .map(([k, v]) => `${k}@${v}`)
      .join(' ');
    const stages = p.stages
      .filter((s) => s.done + s.failed > 0)
      .map((s) => `${s.stage} ${s.done}${s.failed ? `/${s.failed}✗` : ''}`)
      .join(' ');
    if (tty) {
      const line = `${progressBar(done, total)}${rate}${eta} ${stages}${prov ? ` [${prov}]` : ''}`;
      const cols = err.columns ?? 120;
      err.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
      drawn = true;
      return;
    }
    const now = Date.now();
    if (done >= total ? finished : now - last < PLAIN_INTERVAL_MS) return;
    finished = done >= total;
    last = now;
    err.write(
      `progress ${done}/${total}${rate}${eta}${stages ? ` | ${stages}` : ''}${prov ? ` | ${prov}` : ''}\n`,
    );
  };
  fn.end = () => {
    if (drawn) err.write('\n');
    drawn = false;
  };
  return fn;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
