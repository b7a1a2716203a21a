import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DepthEncodingName } from '../../../contract/api';
import { parseIntrinsicsArg } from '../intrinsics-arg';
import { CliError, createOutput } from '../output';

interface ImportFlags {
  project: string;
  depth?: string;
  depthEncoding?: string;
  intrinsics?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'import a folder of images (recursively) into a project, with optional sensor depth',
    )
    .argument('<folder>', 'folder with jpg, png, webp, ppm or pgm images')
    .requiredOption('-p, --project <dir>', 'project folder (created when missing)')
    .option('--depth <folder>', 'sensor depth maps paired by file name (16-bit PNG or PGM)')
    .option('--depth-encoding <enc>', 'mm | tum | sun | nyu | scale:K (metres = value / K)', 'mm')
    .option(
      '--intrinsics <fx,fy,cx,cy|file.json>',
      'camera intrinsics in pixels of the upright image',
    )
    .option('--json', 'print the result as JSON')
    .action(async (folder: string, flags: ImportFlags) => {
      const out = createOutput(Boolean(flags.json));
      requireFolder(folder, 'image folder');
      if (flags.depth) requireFolder(flags.depth, '--depth folder');
      const encoding = DepthEncodingName.safeParse(flags.depthEncoding ?? 'mm');
      if (!encoding.success)
        throw new CliError(
          `unknown depth encoding '${flags.depthEncoding}': use mm, tum, sun, nyu or scale:K`,
        );
      const intrinsics = flags.intrinsics ? parseIntrinsicsArg(flags.intrinsics) : undefined;
      // Loaded here so `sqw --help` does not pay for sharp, exifr and SQLite.
      const [{ ProjectStore }, { importBatch }] = await Promise.all([
        import('../../../db/project-store'),
        import('../../import/index'),
      ]);
      const store = ProjectStore.openOrCreate(flags.project);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const started = performance.now();
        const result = await importBatch(store, {
          folder: resolve(folder),
          depthFolder: flags.depth ? resolve(flags.depth) : undefined,
          depthEncoding: encoding.data,
          intrinsics,
          signal: controller.signal,
          onProgress: (p) => out.progress(p.done, p.total, p.current),
        });
        out.endProgress();
        const seconds = (performance.now() - started) / 1000;
        const lines = [
          `batch ${result.batchId}: ${result.imported} imported (${result.withDepth} with depth), ${result.duplicates} duplicates, ${result.skipped} skipped in ${seconds.toFixed(1)} s`,
          ...result.issues.map((i) => `  ${i.kind}: ${i.path}: ${i.reason}`),
          controller.signal.aborted ? 'interrupted: the files imported so far are kept' : '',
        ].filter(Boolean);
        out.result(lines.join('\n'), {
          ...result,
          project: store.folder,
          seconds,
          interrupted: controller.signal.aborted,
        });
      } finally {
        process.off('SIGINT', onSigint);
        store.close();
      }
    });
}

function requireFolder(path: string, what: string): void {
  if (!existsSync(path)) throw new CliError(`${what} not found: ${path}`);
  if (!statSync(path).isDirectory()) throw new CliError(`${what} is not a folder: ${path}`);
}
