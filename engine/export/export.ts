// `sqw export`: the formats this foundation writes (scenegraph, qa-jsonl); the dataset formats of
// the export issue (spatialrgpt, llava, hf, coco) build on the same safe writer and project record.
import { createHash } from 'node:crypto';
import type { ProjectStore } from '../../db/project-store';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { safeStem, writeExportFolder } from './safe-output';
import { sceneGraphRecord } from './scenegraph-format';

export const EXPORT_FORMATS = ['scenegraph', 'qa-jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  force: boolean;
  /** QA statuses to include besides approved and edited (e.g. proposed). */
  include: string[];
}

export interface ExportResult {
  outDir: string;
  format: ExportFormat;
  images: number;
  records: number;
  checksum: string;
}

const PAGE = 200;

export async function exportProject(
  store: ProjectStore,
  opts: ExportOptions,
): Promise<ExportResult> {
  const hash = createHash('sha256');
  let images = 0;
  let records = 0;
  const statuses = ['approved', 'edited', ...opts.include];
  const outDir = await writeExportFolder(opts.outDir, { force: opts.force }, async (w) => {
    const lines: string[] = [];
    let after = 0;
    for (;;) {
      const ids = store.scene.graphImageIds(after, PAGE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      for (const id of ids) {
        const image = store.images.get(id)!;
        if (opts.format === 'scenegraph') {
          const text = `${JSON.stringify(sceneGraphRecord(image, store.scene.graph(id)!.graph as SceneGraph), null, 2)}\n`;
          hash.update(text);
          await w.write(`${String(id).padStart(6, '0')}-${safeStem(image.fileName)}.json`, text);
          images++;
          records++;
        } else {
          const rows = store.scene.qaRecords(id, statuses);
          if (rows.length) images++;
          for (const row of rows) {
            const r = row.record as Record<string, unknown>;
            const line = JSON.stringify({
              id: r.id,
              image: image.relPath,
              image_id: id,
              family: r.family,
              type: r.type,
              kind: r.kind,
              question: r.question,
              // A reviewer's edited answer replaces the generated one.
              answer: row.answer,
              value: r.value,
              unit: r.unit,
              subjects: r.subjects,
              naming: r.naming,
              status: row.status,
              ...(r.steps ? { steps: r.steps } : {}),
            });
            lines.push(line);
            records++;
          }
          // Appended per page of images, so a large project never holds all of its QA at once.
          if (lines.length >= 5000) await flush();
        }
      }
      await flush();
    }
    if (opts.format === 'qa-jsonl') {
      await flush();
      await w.append('qa.jsonl', '');
    }

    async function flush() {
      if (!lines.length) return;
      const text = `${lines.join('\n')}\n`;
      hash.update(text);
      await w.append('qa.jsonl', text);
      lines.length = 0;
    }
  });
  const checksum = hash.digest('hex');
  store.scene.recordExport({
    format: opts.format,
    outDir,
    options: opts,
    counts: { images, records },
    checksum,
  });
  return { outDir, format: opts.format, images, records, checksum };
}
