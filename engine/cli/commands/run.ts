import type { Command } from 'commander';
import { CliError, createOutput } from '../output';

interface RunFlags {
  project: string;
  stages: string;
  onlyPending?: boolean;
  seed: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description("run pipeline stages over a project's images (no display needed)")
    .requiredOption('-p, --project <dir>', 'project folder')
    .option(
      '--stages <list>',
      'comma-separated: filter, detect, segment, depth, calibrate, lift, graph, qa',
      'segment,lift,graph,qa',
    )
    .option('--only-pending', 'skip images whose stages already finished')
    .option('--seed <seed>', 'QA template seed (the same seed and graph give the same QA)', '1')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: RunFlags) => {
      const out = createOutput(Boolean(flags.json));
      const [{ ProjectStore }, { parseStages, runPipeline }] = await Promise.all([
        import('../../../db/project-store'),
        import('../../pipeline/run'),
      ]);
      let stages;
      try {
        stages = parseStages(flags.stages);
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const store = ProjectStore.open(flags.project);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const summary = await runPipeline(store, {
          stages,
          onlyPending: flags.onlyPending,
          seed: flags.seed,
          signal: controller.signal,
          onProgress: (p) => out.progress(p.done, p.total, p.current),
        });
        out.endProgress();
        const lines = [...summary.notices, `${summary.images} images`];
        for (const [stage, s] of Object.entries(summary.stages)) {
          lines.push(`${stage}: ${s.done} done`);
          for (const [reason, n] of Object.entries(s.skipped))
            lines.push(`  skipped ${n}: ${reason}`);
          for (const f of s.failed) lines.push(`  failed: ${f.image}: ${f.reason}`);
        }
        if (summary.interrupted)
          lines.push('interrupted: finished images are kept; run again with --only-pending');
        out.result(lines.join('\n'), summary);
      } finally {
        process.off('SIGINT', onSigint);
        store.close();
      }
    });
}
