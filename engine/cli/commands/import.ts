import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DepthEncodingName } from '../../../contract/api';
import {
  DEPTH_ERROR_PRESET_NAMES,
  isDepthErrorPreset,
  UnknownDepthErrorPreset,
} from '../../../spatial/depth-error';
import type { AnnotationTarget } from '../../annotations/coco-import';
import type { ImportTarget } from '../../import/index';
import { printable } from '../../printable';
import { parseIntrinsicsArg } from '../intrinsics-arg';
import { CliError, createOutput } from '../output';

interface ImportFlags {
  project?: string;
  database?: string;
  blobs?: string;
  depth?: string;
  depthEncoding?: string;
  depthSensor?: string;
  intrinsics?: string;
  annotations?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'import a folder of images (recursively) into a project, with optional sensor depth',
    )
    .argument(
      '[folder]',
      'folder with jpg, png, webp, ppm or pgm images (optional with --annotations)',
    )
    .option('-p, --project <dir>', 'project folder (created when missing)')
    .option('--database <url>', 'a team project on PostgreSQL (postgres://…), with --blobs')
    .option('--blobs <dir>', "the team project's shared blob folder (images, depth, sources)")
    .option(
      '--annotations <coco.json>',
      'attach 2D boxes and masks from a COCO instances file, matched by file name',
    )
    .option('--depth <folder>', 'sensor depth maps paired by file name (16-bit PNG or PGM)')
    .option('--depth-encoding <enc>', 'mm | tum | sun | nyu | scale:K (metres = value / K)', 'mm')
    .option(
      '--depth-sensor <preset>',
      `range-noise model of the depth maps: ${DEPTH_ERROR_PRESET_NAMES.join(' | ')} (default: estimated from each map)`,
    )
    .option(
      '--intrinsics <fx,fy,cx,cy|file.json>',
      'camera intrinsics in pixels of the upright image',
    )
    .option('--json', 'print the result as JSON')
    .action(async (folder: string | undefined, flags: ImportFlags) => {
      const out = createOutput(Boolean(flags.json));
      if (!flags.project === !flags.database)
        throw new CliError('give the project: --project <dir> or --database postgres://…', 2);
      if (flags.database && !/^postgres(ql)?:\/\//.test(flags.database))
        throw new CliError('--database takes a postgres://… URL; a project folder is --project', 2);
      if (flags.database && !flags.blobs)
        throw new CliError("--blobs <dir>: a team project's images go to its shared folder", 2);
      if (flags.blobs && !flags.database)
        throw new CliError('--blobs is for a team project: a project folder has its blobs/', 2);
      if (flags.blobs) requireFolder(flags.blobs, '--blobs folder');
      if (!folder && !flags.annotations)
        throw new CliError('give an image folder, --annotations, or both');
      if (folder) requireFolder(folder, 'image folder');
      if (flags.annotations && !existsSync(flags.annotations)) {
        throw new CliError(`annotations file not found: ${flags.annotations}`);
      }
      if (flags.depth) requireFolder(flags.depth, '--depth folder');
      const encoding = DepthEncodingName.safeParse(flags.depthEncoding ?? 'mm');
      if (!encoding.success)
        throw new CliError(
          `unknown depth encoding '${flags.depthEncoding}': use mm, tum, sun, nyu or scale:K`,
        );
      if (flags.depthSensor !== undefined && !isDepthErrorPreset(flags.depthSensor))
        throw new CliError(new UnknownDepthErrorPreset(flags.depthSensor).message);
      const intrinsics = flags.intrinsics ? parseIntrinsicsArg(flags.intrinsics) : undefined;
      // Loaded here so `sqw --help` does not pay for sharp, exifr and SQLite.
      const [
        { ProjectStore },
        imp,
        request,
        coco,
        connect,
        { teamImportTargets },
        { FolderBlobStore },
        copy,
      ] = await Promise.all([
        import('../../../db/project-store'),
        import('../../import/index'),
        import('../../import/import-request'),
        import('../../annotations/coco-import'),
        import('../../../db/store/connect'),
        import('../../team/team-import'),
        import('../../team/blob-store'),
        import('../../../db/copy/project-copy'),
      ]);
      let project: {
        targets: { images: ImportTarget; boxes: AnnotationTarget };
        where: Record<string, unknown>;
        close(): Promise<void>;
      };
      if (flags.database) {
        const db = await connect.openPostgresProject(flags.database, 2);
        project = {
          // What imports.start on `sqw serve --database` imports through, too.
          targets: teamImportTargets(db, new FolderBlobStore(flags.blobs!)),
          // Never the database password.
          where: { database: copy.describeLocation(flags.database) },
          close: () => db.close(),
        };
      } else {
        const store = ProjectStore.openOrCreate(flags.project!);
        project = {
          targets: {
            images: imp.desktopImportTarget(store),
            boxes: coco.desktopAnnotationTarget(store),
          },
          where: { project: store.folder },
          close: async () => store.close(),
        };
      }
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const started = performance.now();
        const run = await request.importRequest(
          project.targets,
          {
            folder: folder && resolve(folder),
            depthFolder: flags.depth && resolve(flags.depth),
            depthEncoding: encoding.data,
            depthSensor: flags.depthSensor,
            intrinsics,
            annotations: flags.annotations && resolve(flags.annotations),
          },
          {
            signal: controller.signal,
            onProgress: (p) => out.progress(p.done, p.total, p.current),
          },
        );
        const lines: string[] = [];
        let machine: Record<string, unknown> = { ...project.where };
        if (run.images) {
          const result = run.images;
          out.endProgress();
          const seconds = (performance.now() - started) / 1000;
          lines.push(
            `batch ${result.batchId}: ${result.imported} imported (${result.withDepth} with depth), ${result.duplicates} duplicates, ${result.skipped} skipped in ${seconds.toFixed(1)} s`,
            ...result.issues.map(
              (i) => `  ${i.kind}: ${printable(i.path)}: ${printable(i.reason)}`,
            ),
          );
          if (controller.signal.aborted)
            lines.push('interrupted: the files imported so far are kept');
          machine = { ...result, ...machine, seconds, interrupted: controller.signal.aborted };
        }
        if (run.annotations) {
          const a = run.annotations;
          lines.push(
            `annotations: ${a.objectsAdded} objects added on ${a.imagesMatched} images, ${a.alreadyPresent} already present`,
            ...a.issues.map((i) => `  ${i.kind}: ${printable(i.path)}: ${printable(i.reason)}`),
          );
          machine = { ...machine, annotations: a };
        }
        out.result(lines.join('\n'), machine);
      } finally {
        process.off('SIGINT', onSigint);
        await project.close();
      }
    });
}

function requireFolder(path: string, what: string): void {
  if (!existsSync(path)) throw new CliError(`${what} not found: ${path}`);
  if (!statSync(path).isDirectory()) throw new CliError(`${what} is not a folder: ${path}`);
}
