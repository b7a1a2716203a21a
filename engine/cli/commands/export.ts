import type { Command } from 'commander';
import { CliError, createOutput } from '../output';

interface ExportFlags {
  project: string;
  format: string;
  out: string;
  force?: boolean;
  include: string[];
  json?: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a dataset from the project into a folder (never outside it)')
    .requiredOption('-p, --project <dir>', 'project folder')
    .requiredOption('--format <format>', 'scenegraph | qa-jsonl')
    .requiredOption('--out <dir>', 'output folder (must be empty unless --force)')
    .option('--force', 'replace a non-empty output folder')
    .option(
      '--include <status>',
      'also export QA with this status (proposed, changed); repeatable',
      collect,
      [],
    )
    .option('--json', 'print the result as JSON')
    .action(async (flags: ExportFlags) => {
      const out = createOutput(Boolean(flags.json));
      const [{ ProjectStore }, { EXPORT_FORMATS, exportProject }] = await Promise.all([
        import('../../../db/project-store'),
        import('../../export/export'),
      ]);
      const format = EXPORT_FORMATS.find((f) => f === flags.format);
      if (!format)
        throw new CliError(`unknown format '${flags.format}': use ${EXPORT_FORMATS.join(', ')}`);
      const bad = flags.include.find((s) => !['proposed', 'changed', 'rejected'].includes(s));
      if (bad)
        throw new CliError(`--include: unknown status '${bad}': use proposed, changed or rejected`);
      const store = ProjectStore.open(flags.project);
      try {
        const r = await exportProject(store, {
          format,
          outDir: flags.out,
          force: Boolean(flags.force),
          include: flags.include,
        });
        out.result(
          `${format}: ${r.records} records from ${r.images} images in ${r.outDir} (sha256 ${r.checksum.slice(0, 12)})`,
          r,
        );
      } finally {
        store.close();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
