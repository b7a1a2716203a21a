// `sqw export` and the exports API: streams the project (a page of images at a time) into one of
// the dataset formats through the safe writer (temporary folder, rename at the end, never outside
// the chosen folder), then records the export (time, options, counts, checksum) in the project.
import {
  ExportOptions,
  type ExportCounts,
  type ExportOptionsInput,
  type ExportResult,
} from '../../contract/exports';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, type ProjectStore } from '../../db/project-store';
import { ExportRowsRepository } from '../../db/repositories/export-rows';
import { WRITERS } from './formats';
import { writeItem, type FormatContext } from './formats/types';
import { MediaWriter } from './media';
import { objectItems, qaItems, type ExportItem } from './project-source';
import { requireWritable, type ProtectedPlace } from './output-guard';
import { ExportError, SHARDS_DIR, writeExportFolder } from './safe-output';
import { addCounts, defaultShardCount, runShards, shardRanges } from './shards';

export { EXPORT_FORMATS } from '../../contract/exports';
export type { ExportFormat } from '../../contract/exports';

/** Formats that write no images (their records point at the project's images). */
const WITHOUT_MEDIA = new Set(['scenegraph', 'qa-jsonl']);

export interface ExportRun {
  signal?: AbortSignal;
  /** Worker threads for a QA export (default: by size and cores; 1 = this thread only). */
  shards?: number;
  onProgress?(done: number, total: number, current: string | null): void;
  /** One line each: stale temporary folders of killed exports that were cleaned up. */
  onNotice?(line: string): void;
}

/** Parses export options (defaults filled in); throws ExportError naming the first bad field. */
export function resolveExportOptions(input: ExportOptionsInput): ExportOptions {
  const parsed = ExportOptions.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ExportError(`export options: ${first.path.join('.') || 'options'}: ${first.message}`);
  }
  if (parsed.data.format === 'hf' && parsed.data.images === 'none')
    throw new ExportError("the hf format needs its images: use images 'copy' or 'link'");
  return parsed.data;
}

export async function exportProject(
  store: ProjectStore,
  input: ExportOptionsInput,
  run: ExportRun = {},
): Promise<ExportResult> {
  const opts = resolveExportOptions(input);
  checkProjectWritable(store);
  const started = performance.now();
  const rows = new ExportRowsRepository(store.db);
  const counts: ExportCounts = { images: 0, records: 0, qa: 0, objects: 0, skipped: {} };
  const media = WITHOUT_MEDIA.has(opts.format)
    ? ({ ...opts, images: 'none', depth: 'none' } as const)
    : opts;
  const filter = {
    statuses: ['approved', 'edited', ...opts.include],
    families: opts.families,
    reviewers: opts.reviewers,
    labels: opts.labels,
    phrasingsPerFact: opts.phrasingsPerFact === 'all' ? undefined : opts.phrasingsPerFact,
    seed: opts.seed,
  };
  const written = await writeExportFolder(
    opts.outDir,
    { force: opts.force, protect: () => protectedFolders(store) },
    async (w) => {
      const mediaWriter = new MediaWriter(w, store.folder, media);
      const ctx: FormatContext = {
        w,
        media: mediaWriter,
        opts,
        counts,
        store,
      };
      const writer = WRITERS[opts.format](ctx);
      const qaFilter = { ...filter, naming: writer.naming, masks: writer.masks };
      // Only the count the format's source needs (the others scan whole tables).
      const total =
        writer.source === 'qa'
          ? rows.qaImageCount(qaFilter)
          : writer.source === 'objects'
            ? rows.imageCounts().withObjects
            : rows.imageCounts().withGraphs;
      const shards =
        writer.shards && writer.source === 'qa' ? (run.shards ?? defaultShardCount(total)) : 1;
      const bounds = shards > 1 ? rows.qaImageIdBounds(qaFilter) : null;
      let done = 0;
      if (writer.shards && bounds) {
        await runShards(
          { projectFolder: store.folder, root: w.root, opts, media, filter: qaFilter },
          shardRanges(bounds, shards),
          {
            signal: run.signal,
            onProgress: (n, current) => run.onProgress?.((done += n), total, current),
            link: (relPath, target) => w.link(relPath, target),
            async merge(r) {
              addCounts(counts, r.counts);
              w.adopt(r.files);
              await writer.shards!.merge(r);
            },
          },
        );
        await w.remove(SHARDS_DIR);
      } else {
        const items =
          writer.source === 'qa'
            ? qaItems(store, qaFilter, run.signal)
            : writer.source === 'objects'
              ? objectItems(store, opts.labels, run.signal)
              : graphItems(store, run.signal);
        for await (const item of items) {
          await writeItem(writer, item, counts);
          run.onProgress?.(++done, total, item.image.relPath);
        }
      }
      await mediaWriter.drain();
      await writer.finish();
    },
    () => ({
      tool: 'sqw export',
      format: opts.format,
      created_at: new Date().toISOString(),
      options: { ...opts, outDir: undefined, force: undefined },
      counts,
    }),
  );
  for (const line of written.cleaned) run.onNotice?.(line);
  const id = rows.recordExport({
    format: opts.format,
    outDir: written.outDir,
    options: { ...opts, force: undefined },
    counts,
    checksum: written.checksum,
  });
  return {
    id,
    format: opts.format,
    outDir: written.outDir,
    ...counts,
    checksum: written.checksum,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * An export is recorded in its project when it ends: a project that cannot be written fails here,
 * before the dataset is written, not after.
 */
export function checkProjectWritable(store: ProjectStore): void {
  const database = join(store.folder, DATABASE_FILE);
  requireWritable(database, 'the project database');
  // SQLite writes through the -wal and -shm files, or creates them in the project folder.
  for (const file of [`${database}-wal`, `${database}-shm`]) {
    if (existsSync(file)) requireWritable(file, 'the project database');
    else requireWritable(store.folder, 'the project folder', true);
  }
}

/** Folders an export must never replace: the project and the folders its images came from. */
export function protectedFolders(store: ProjectStore): ProtectedPlace[] {
  return [
    { path: store.folder, what: 'the project folder' },
    ...store.batches
      .list()
      .flatMap((b) => [
        { path: b.sourceFolder, what: `the image source of batch ${b.id}` },
        ...(b.depthFolder
          ? [{ path: b.depthFolder, what: `the depth source of batch ${b.id}` }]
          : []),
      ]),
  ];
}

async function* graphItems(store: ProjectStore, signal?: AbortSignal): AsyncGenerator<ExportItem> {
  let after = 0;
  for (;;) {
    signal?.throwIfAborted();
    const ids = store.scene.graphImageIds(after, 200);
    if (ids.length === 0) return;
    after = ids[ids.length - 1]!;
    for (const id of ids) {
      const image = store.images.get(id);
      if (image) yield { image, objects: new Map(), qa: [] };
    }
  }
}
