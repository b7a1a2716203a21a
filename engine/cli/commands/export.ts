import type { Command } from 'commander';
import { EXPORT_FORMATS } from '../../../contract/exports';
import { printable } from '../../printable';
import { CliError, createOutput } from '../output';

interface ExportFlags {
  project?: string;
  database?: string;
  blobs?: string;
  format: string;
  out: string;
  force?: boolean;
  include: string[];
  family: string[];
  label: string[];
  reviewer: string[];
  images: string;
  depth: string;
  splits: string;
  seed: string;
  rle: string;
  naming: string;
  phrasings: string;
  json?: boolean;
}

const FORMATS = 'spatialrgpt | spatialrgpt-bench | llava | hf | coco | scenegraph | qa-jsonl';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a dataset from the project into a folder (never outside it)')
    .option('-p, --project <dir>', 'project folder, or a team project (postgres://…)')
    .option('--database <url>', 'a team project on PostgreSQL (postgres://…)')
    .option(
      '--blobs <dir>',
      "with a team project: the shared folder of the project's image, depth and mask files",
    )
    .requiredOption('--format <format>', FORMATS)
    .requiredOption('--out <dir>', 'output folder (must be empty unless --force)')
    .option('--force', 'replace an output folder that an earlier export wrote')
    .option(
      '--include <status>',
      'also export QA with this status (proposed, changed, rejected); repeatable',
      collect,
      [],
    )
    .option('--family <name>', 'only QA of this family; repeatable', collect, [])
    .option('--label <label>', 'only QA about an object with this label; repeatable', collect, [])
    .option('--reviewer <name>', 'only QA last decided by this reviewer; repeatable', collect, [])
    .option('--images <mode>', 'copy | link | none', 'copy')
    .option('--depth <form>', 'none | mm16 (16-bit PNG, mm) | osd8 (OSD 8-bit)', 'none')
    .option('--splits <t,v,t>', 'hf: train,validation,test shares by image', '0.8,0.1,0.1')
    .option('--seed <seed>', 'seed of the hf split assignment and of --phrasings picks', '0')
    .option('--rle <form>', 'coco: string (compressed) | list', 'string')
    .option('--naming <mode>', 'llava, hf: expression | region', 'expression')
    .option(
      '--phrasings <n>',
      'phrasings per reviewed fact, rendered at export: N (seeded pick) | all',
      '4',
    )
    .option('--json', 'print the result as JSON')
    .action(async (flags: ExportFlags) => {
      const out = createOutput(Boolean(flags.json));
      const location = flags.database ?? flags.project;
      if (!location || (flags.database && flags.project))
        throw new CliError('give the project: --project <dir> or --database postgres://…', 2);
      const team = /^postgres(ql)?:\/\//.test(location);
      if (flags.database && !team)
        throw new CliError(`--database takes a postgres://… URL; a project folder is --project`, 2);
      if (flags.blobs && !team)
        throw new CliError('--blobs is for a team project: a project folder has its blobs/', 2);
      const format = EXPORT_FORMATS.find((f) => f === flags.format);
      if (!format)
        throw new CliError(`unknown format '${flags.format}': use ${EXPORT_FORMATS.join(', ')}`);
      const bad = flags.include.find((s) => !['proposed', 'changed', 'rejected'].includes(s));
      if (bad)
        throw new CliError(`--include: unknown status '${bad}': use proposed, changed or rejected`);
      const shares = flags.splits.split(',').map(Number);
      if (shares.length !== 3 || shares.some((s) => !Number.isFinite(s)))
        throw new CliError(`--splits: give three shares like 0.8,0.1,0.1, got '${flags.splits}'`);
      const phrasings = flags.phrasings === 'all' ? 'all' : Number(flags.phrasings);
      if (phrasings !== 'all' && !(Number.isInteger(phrasings) && phrasings >= 1))
        throw new CliError(
          `--phrasings: give 'all' or a whole number from 1, got '${flags.phrasings}'`,
        );
      // Loaded after the arguments are checked, so a typo fails fast.
      const [{ exportProject, readsFiles, resolveExportOptions }, { ExportError }] =
        await Promise.all([import('../../export/export'), import('../../export/safe-output')]);
      let options;
      try {
        options = resolveExportOptions({
          format,
          outDir: flags.out,
          force: Boolean(flags.force),
          include: flags.include as Array<'proposed' | 'changed' | 'rejected'>,
          families: flags.family,
          labels: flags.label,
          reviewers: flags.reviewer,
          images: flags.images as 'copy',
          depth: flags.depth as 'none',
          splits: { train: shares[0]!, validation: shares[1]!, test: shares[2]! },
          seed: flags.seed,
          rle: flags.rle as 'string',
          naming: flags.naming as 'expression',
          phrasingsPerFact: phrasings,
        });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      if (team && !flags.blobs && readsFiles(options))
        throw new CliError(
          `--blobs <dir>: this export copies image or depth files, which a team project keeps in its shared folder`,
          2,
        );
      const project = team
        ? await openTeamExport(location, flags.blobs)
        : await openDesktopExport(location);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      const notices: string[] = [];
      try {
        const r = await exportProject(project.source, options, {
          signal: controller.signal,
          onProgress: (done, total, current) => out.progress(done, total, current),
          onNotice: (line) => notices.push(printable(line)),
        }).catch((err: unknown) => {
          // The engine says it in words both surfaces share; the flag is the CLI's own.
          if (err instanceof ExportError && err.replaceable)
            throw new CliError(`${err.message}: --force replaces an earlier export`);
          throw err;
        });
        out.endProgress();
        const skipped = Object.entries(r.skipped).map(
          ([why, n]) => `  skipped ${n} QA: ${printable(why)}`,
        );
        out.result(
          [
            `${format}: ${r.records} records, ${r.qa} QA, ${r.objects} objects from ${r.images} images in ${printable(r.outDir)} (${r.seconds.toFixed(1)} s, sha256 ${r.checksum.slice(0, 12)})`,
            ...skipped,
            ...notices,
          ].join('\n'),
          r,
        );
      } finally {
        process.off('SIGINT', onSigint);
        await project.close();
      }
    });
}

async function openDesktopExport(folder: string) {
  const { ProjectStore } = await import('../../../db/project-store');
  const store = ProjectStore.open(folder);
  return { source: store, close: async () => store.close() };
}

/** A team project's database, its files from the shared folder (none: an export without files). */
async function openTeamExport(url: string, blobs: string | undefined) {
  const [{ existsSync }, { resolve }, { openPostgresProject }, { FolderBlobStore }, te] =
    await Promise.all([
      import('node:fs'),
      import('node:path'),
      import('../../../db/store/connect'),
      import('../../team/blob-store'),
      import('../../team/team-export'),
    ]);
  if (blobs !== undefined && !existsSync(blobs))
    throw new CliError(`--blobs: no such folder: ${printable(blobs)}`, 2);
  const db = await openPostgresProject(url, 4);
  const store = blobs === undefined ? new te.NoBlobStore() : new FolderBlobStore(blobs);
  return {
    source: te.teamExportProject(db, store, blobs === undefined ? null : resolve(blobs)),
    close: () => db.close(),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
