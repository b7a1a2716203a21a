// Orchestrates a batch import: validate options (before touching the database), scan, create the
// batch, run files through a small worker pool, persist issues, report progress, honour cancel.
// It writes through the two-database layer (db/store/import-store.ts) and a blob sink, so the same
// import serves a desktop project and a team project on PostgreSQL.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ImportIssue } from '../../contract/entities';
import type { ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { ImportStore } from '../../db/store/import-store';
import type { Pinhole } from '../../spatial/camera';
import { parseDepthEncoding } from '../../spatial/depth-encoding';
import { isDepthErrorPreset, UnknownDepthErrorPreset } from '../../spatial/depth-error';
import { prepareEncoding } from './depth';
import { combineDepthSources, DepthIndex, FolderDepthPairs, type DepthSource } from './depth-pair';
import { splitDepthFiles } from './depth-detect';
import { projectFolderBlobs } from './blobs';
import {
  commitImage,
  prepareFile,
  type FileContext,
  type FileOutcome,
  type ImportTarget,
} from './process-file';
import { IMAGE_EXTENSIONS, scanFolder } from './scan';
import type { ImportOptions, ImportProgress, ImportResult } from './types';

export const DEFAULT_CONCURRENCY = 2;

export class ImportOptionsError extends Error {}

async function requireFolder(path: string, what: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new ImportOptionsError(`${what} not found: ${path}`);
  }
  if (!isDir) throw new ImportOptionsError(`${what} is not a folder: ${path}`);
}

function checkIntrinsics(i: ImportOptions['intrinsics']): Pinhole | null {
  if (!i) return null;
  const ok =
    [i.fx, i.fy, i.cx, i.cy].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    i.fx > 0 &&
    i.fy > 0;
  if (!ok)
    throw new ImportOptionsError('intrinsics need finite fx, fy > 0 and finite cx, cy (pixels)');
  return { fx: i.fx, fy: i.fy, cx: i.cx, cy: i.cy };
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}

/** A desktop project: its project.sqlite (through the layer, on the store's connection) and blobs/. */
export function desktopImportTarget(store: ProjectStore): ImportTarget {
  return {
    imports: new ImportStore(sqliteHandle(store.db)),
    blobs: projectFolderBlobs(store.folder),
  };
}

/** importInto() a desktop project. */
export function importBatch(store: ProjectStore, opts: ImportOptions): Promise<ImportResult> {
  return importInto(desktopImportTarget(store), opts);
}

/**
 * The import's options checked and its folders resolved (relative to this process's folder), as
 * importInto() takes them, before anything is written: throws ImportOptionsError (or
 * DepthEncodingError) saying what is wrong.
 */
export async function checkImportOptions(
  opts: Pick<
    ImportOptions,
    'folder' | 'depthFolder' | 'depthEncoding' | 'depthSensor' | 'intrinsics'
  >,
) {
  const folder = resolve(opts.folder);
  const depthFolder = opts.depthFolder ? resolve(opts.depthFolder) : null;
  // An unknown encoding must fail before the database is touched.
  const encoding = parseDepthEncoding(opts.depthEncoding ?? 'mm');
  const noisePreset = opts.depthSensor ?? null;
  if (noisePreset !== null && !isDepthErrorPreset(noisePreset))
    throw new ImportOptionsError(new UnknownDepthErrorPreset(noisePreset).message);
  const given = checkIntrinsics(opts.intrinsics);
  await requireFolder(folder, 'import folder');
  if (depthFolder) await requireFolder(depthFolder, 'depth folder');
  return { folder, depthFolder, encoding, noisePreset, given };
}

/**
 * Imports the images under `opts.folder` into the target as one new batch. Throws (before writing
 * anything) on invalid options; per-file problems become issues. Result counts satisfy
 * imported + duplicates + skipped = files handled (all files unless cancelled).
 */
export async function importInto(target: ImportTarget, opts: ImportOptions): Promise<ImportResult> {
  const { folder, depthFolder, encoding, noisePreset, given } = await checkImportOptions(opts);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));

  const exclude = depthFolder && isInside(depthFolder, folder) ? [depthFolder] : [];
  const scan = await scanFolder(folder, { extensions: IMAGE_EXTENSIONS, fs: opts.fs, exclude });
  // Depth maps inside the image folder are paired with their images, never imported as photos.
  const split = await splitDepthFiles(scan.files);
  const inFolder = new FolderDepthPairs(split.photos, split.depth);
  const issues: ImportIssue[] = [...scan.issues];
  let source: DepthSource | null = inFolder.size > 0 ? inFolder : null;
  // A depth folder that is the image folder itself would pair every image with itself.
  if (depthFolder && depthFolder !== folder) {
    const d = await DepthIndex.scan(depthFolder, opts.fs);
    source = source ? combineDepthSources(d.index, source) : d.index;
    // Depth-folder problems are reported relative to the colour folder's issue list, so prefix them.
    for (const i of d.issues) issues.push({ ...i, path: `[depth] ${i.path}`, kind: 'warning' });
  }
  const prepared = prepareEncoding(encoding);
  const depth = source ? { source, encoding: prepared, noisePreset } : null;
  if (inFolder.size > 0)
    issues.push({
      path: '.',
      kind: 'warning',
      reason: `${inFolder.size} image(s) paired with a depth map found beside them (16-bit, named depth), read with encoding ${prepared.name}`,
    });
  for (const d of inFolder.unpaired)
    issues.push({
      path: d.relPath,
      kind: 'skipped',
      reason:
        'depth map (16-bit single-channel, named depth) with no colour image to pair with: not imported as a photo',
    });
  for (const n of split.notDepth)
    issues.push({
      path: n.file.relPath,
      kind: 'warning',
      reason: `named like a depth map but ${n.header}, not 16-bit single-channel: imported as a photo`,
    });

  const { imports } = target;
  const batchId = await imports.openBatch(
    {
      sourceFolder: folder,
      depthFolder,
      depthEncoding: depth ? prepared.name : null,
      intrinsics: given,
    },
    issues,
  );

  const ctx: FileContext = { target, batchId, given, depth, claims: new Map() };
  const files = split.photos;
  const progress: ImportProgress = {
    total: files.length,
    done: 0,
    imported: 0,
    duplicates: 0,
    skipped: 0,
    failed: 0,
    current: null,
  };
  let withDepth = 0;
  let next = 0;

  // Files finish out of order (concurrency); rows are committed in file order, one short
  // transaction each, so image ids follow the sorted file list whatever the timing. Waiting outcomes
  // hold only a row, no pixels.
  const finished = new Map<number, FileOutcome>();
  let nextCommit = 0;
  const commitReady = async (): Promise<void> => {
    for (let out = finished.get(nextCommit); out; out = finished.get(nextCommit)) {
      finished.delete(nextCommit);
      const file = files[nextCommit]!;
      nextCommit++;
      const committed = await commitImage(imports, batchId, out);
      issues.push(...committed.issues);
      progress.done++;
      if (committed.status === 'imported') progress.imported++;
      else if (committed.status === 'duplicate') progress.duplicates++;
      else {
        progress.skipped++;
        if (committed.status === 'failed') progress.failed++;
      }
      if (committed.status === 'imported' && committed.withDepth) withDepth++;
      progress.current = file.relPath;
      opts.onProgress?.({ ...progress });
    }
  };
  // One commit at a time, in order; a failure to write stops the import (awaited below).
  let committing: Promise<void> = Promise.resolve();
  let commitFailed = false;
  const settle = (index: number, prepared: FileOutcome): void => {
    finished.set(index, prepared);
    committing = committing.then(commitReady);
    committing.catch(() => (commitFailed = true));
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      // Cancel between files: what is in flight finishes and its row is valid.
      if (opts.signal?.aborted || commitFailed) return;
      const index = next++;
      const file = files[index];
      if (!file) return;
      settle(index, await prepareFile(ctx, file, index));
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, Math.max(1, files.length)) }, worker),
    );
  } finally {
    await committing;
  }

  if (opts.signal?.aborted && progress.done < files.length) {
    const cancelled: ImportIssue = {
      path: '.',
      kind: 'warning',
      reason: `import cancelled after ${progress.done} of ${files.length} files`,
    };
    await imports.addIssues(batchId, [cancelled]);
    issues.push(cancelled);
  }

  return {
    batchId,
    imported: progress.imported,
    duplicates: progress.duplicates,
    skipped: progress.skipped,
    withDepth,
    issues,
  };
}
