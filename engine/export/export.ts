// `sqw export` and the exports API: streams the project (a page of images at a time) into one of
// the dataset formats through the safe writer (temporary folder, rename at the end, never outside
// the chosen folder), then records the export (time, options, counts, checksum) in the project. The
// project is read through ExportProject (export-project.ts): a desktop folder or a team project.
import {
  ExportOptions,
  type ExportCounts,
  type ExportOptionsInput,
  type ExportResult,
} from '../../contract/exports';
import { ProjectStore } from '../../db/project-store';
import { desktopExportProject, LINK_REFUSED, type ExportProject } from './export-project';
import { WRITERS } from './formats';
import { writeItem, type FormatContext } from './formats/types';
import { MediaWriter } from './media';
import { graphItems, objectItems, qaItems } from './project-source';
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

/** Whether an export with these options copies image or depth files (a format that writes media). */
export function readsFiles(opts: ExportOptions): boolean {
  return !WITHOUT_MEDIA.has(opts.format) && (opts.images !== 'none' || opts.depth !== 'none');
}

/** Images can be linked only where the project's files are on this machine. */
export function refuseUnlinkable(project: ExportProject, opts: ExportOptions): void {
  if (opts.images === 'link' && readsFiles(opts) && !project.files.local)
    throw new ExportError(LINK_REFUSED);
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

/** Exports a desktop project (its folder's ProjectStore) or any project behind ExportProject. */
export async function exportProject(
  source: ProjectStore | ExportProject,
  input: ExportOptionsInput,
  run: ExportRun = {},
): Promise<ExportResult> {
  const project = source instanceof ProjectStore ? desktopExportProject(source) : source;
  const opts = resolveExportOptions(input);
  project.checkWritable();
  refuseUnlinkable(project, opts);
  const started = performance.now();
  const rows = project.rows;
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
    { force: opts.force, protect: () => project.protectedPlaces() },
    async (w) => {
      const mediaWriter = new MediaWriter(w, project.files, media);
      const ctx: FormatContext = { w, media: mediaWriter, opts, counts, rows };
      const writer = WRITERS[opts.format](ctx);
      const qaFilter = { ...filter, naming: writer.naming, masks: writer.masks };
      // Only the count the format's source needs (the others scan whole tables).
      const total =
        writer.source === 'qa'
          ? await rows.qaImageCount(qaFilter)
          : writer.source === 'objects'
            ? (await rows.imageCounts()).withObjects
            : (await rows.imageCounts()).withGraphs;
      // Shards open the project folder themselves; a project elsewhere is read on this thread.
      const shardFolder = project.shardFolder;
      const shards =
        writer.shards && writer.source === 'qa' && shardFolder !== null
          ? (run.shards ?? defaultShardCount(total))
          : 1;
      const bounds = shards > 1 ? await rows.qaImageIdBounds(qaFilter) : null;
      let done = 0;
      if (writer.shards && bounds && shardFolder !== null) {
        await runShards(
          { projectFolder: shardFolder, root: w.root, opts, media, filter: qaFilter },
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
            ? qaItems(rows, qaFilter, run.signal)
            : writer.source === 'objects'
              ? objectItems(rows, opts.labels, run.signal)
              : graphItems(rows, run.signal);
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
  const id = await rows.recordExport({
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
