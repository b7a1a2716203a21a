import type { Command } from 'commander';
import { createOutput, CliError } from '../output';

export function registerProject(program: Command): void {
  const project = program.command('project').description('manage whole projects');
  project
    .command('copy')
    .description(
      'copy a project between a folder (SQLite) and a team database (PostgreSQL): every table and row, in one transaction; the target must be empty',
    )
    .requiredOption('-p, --project <dir|url>', 'the project: a folder or postgres://… URL')
    .requiredOption('--to <url|dir>', 'the empty target: postgres://… URL or a new folder')
    .requiredOption(
      '--blobs <dir>',
      "shared folder of the team project's image, depth and mask files (to PostgreSQL: an empty one)",
    )
    .option('--json', 'print as JSON')
    .action(async (flags: { project: string; to: string; blobs: string; json?: boolean }) => {
      const { copyProject, CopyRefusedError } = await import('../../../db/copy/project-copy');
      const out = createOutput(Boolean(flags.json));
      try {
        const report = await copyProject(flags.project, flags.to, {
          blobs: flags.blobs,
          onTable: (name, rows) => out.info(`${name}: ${rows} rows`),
        });
        const total = report.tables.reduce((s, t) => s + t.rows, 0);
        if (report.sources?.missing.length) {
          const { printable } = await import('../../printable');
          out.info(
            `warning: ${report.sources.missing.length} colour images could not be put into the shared folder; model stages in workers fail for them:`,
          );
          for (const m of report.sources.missing.slice(0, 20))
            out.info(`  ${printable(m.image)}: ${printable(m.reason)}`);
        }
        out.result(
          `copied ${total} rows in ${report.tables.length} tables from ${report.from} to ${report.to}`,
          report,
        );
      } catch (err) {
        if (err instanceof CopyRefusedError) throw new CliError(err.message, 2);
        throw err;
      }
    });
  project
    .command('share-sources')
    .description(
      "put a team project's colour images into its shared blob folder, where workers' model stages read them (for a project copied before the copy did it); run where the source files are",
    )
    .requiredOption('-p, --project <url>', 'the team project: postgres://…')
    .requiredOption('--blobs <dir>', "the team project's shared blob folder")
    .option('--json', 'print as JSON')
    .action(async (flags: { project: string; blobs: string; json?: boolean }) => {
      const [{ shareTeamSources }, { isPostgresUrl }, { printable }, { existsSync }] =
        await Promise.all([
          import('../../team/share-sources'),
          import('../../../db/store/connect'),
          import('../../printable'),
          import('node:fs'),
        ]);
      if (!isPostgresUrl(flags.project))
        throw new CliError('--project takes a team project: postgres://…', 2);
      if (!existsSync(flags.blobs)) throw new CliError(`blob folder not found: ${flags.blobs}`, 2);
      const out = createOutput(Boolean(flags.json));
      const report = await shareTeamSources(flags.project, flags.blobs);
      for (const m of report.missing.slice(0, 20))
        out.info(`not shared: ${printable(m.image)}: ${printable(m.reason)}`);
      out.result(
        `${report.shared} colour images in the shared folder, ${report.missing.length} not shared`,
        report,
      );
      if (report.missing.length) process.exitCode = 1;
    });
  project.commands.forEach((c) => c.exitOverride());
}
