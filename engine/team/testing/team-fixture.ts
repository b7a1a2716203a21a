// Test fixture for team pipelines: a desktop project with imported depth and COCO boxes (the demo
// frames, the corridor repeated with shifted boxes so a run has enough images to interrupt), and
// what a pipeline stored in a project, read the same way from SQLite and PostgreSQL for comparison.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProjectStore } from '../../../db/project-store';
import { CatalogStore } from '../../../db/store/catalog-store';
import { openSqliteProject, type ProjectDb } from '../../../db/store/connect';
import { SceneStore } from '../../../db/store/scene-store';
import { importCocoFile } from '../../annotations/coco-import';
import { importBatch } from '../../import/index';
import { parseStages } from '../../pipeline/run';
import type { PipelineRunEnv } from '../../pipeline/pipeline-jobs';
import { runJob } from '../../pipeline/testing/run-job';
import { layer } from '../../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

/**
 * A desktop project in `folder`: the three Redwood frames (one with boxes) and `corridors` copies of
 * the SUN corridor (bytes appended after the JPEG's end, so each is its own image), each copy's
 * boxes shifted by a few pixels. Returns the number of images.
 */
export async function demoProject(work: string, corridors: number): Promise<number> {
  const color = join(work, 'corridor', 'color');
  const depth = join(work, 'corridor', 'depth');
  mkdirSync(color, { recursive: true });
  mkdirSync(depth, { recursive: true });
  const jpeg = readFileSync(join(SAMPLES, 'sun-corridor/color/corridor.jpg'));
  const coco = JSON.parse(readFileSync(join(SAMPLES, 'annotations.coco.json'), 'utf8')) as {
    images: Array<{ id: number; file_name: string; width: number; height: number }>;
    annotations: Array<{ id: number; image_id: number; category_id: number; bbox: number[] }>;
    categories: unknown[];
  };
  const corridorBoxes = coco.annotations.filter((a) => a.image_id === 2);
  const images = coco.images.filter((i) => i.file_name === '00000.jpg');
  const annotations = coco.annotations.filter((a) => a.image_id === 1);
  for (let i = 0; i < corridors; i++) {
    const name = `c${String(i).padStart(3, '0')}`;
    writeFileSync(join(color, `${name}.jpg`), Buffer.concat([jpeg, Buffer.from(name)]));
    copyFileSync(join(SAMPLES, 'sun-corridor/depth/corridor.png'), join(depth, `${name}.png`));
    const id = 100 + i;
    images.push({ id, file_name: `${name}.jpg`, width: 640, height: 480 });
    for (const a of corridorBoxes)
      annotations.push({
        ...a,
        id: 1000 + i * 10 + a.id,
        image_id: id,
        bbox: [a.bbox[0]! + (i % 7), a.bbox[1]! + (i % 3), a.bbox[2]! - (i % 5), a.bbox[3]!],
      });
  }
  const cocoFile = join(work, 'boxes.coco.json');
  writeFileSync(cocoFile, JSON.stringify({ ...coco, images, annotations }));
  const store = ProjectStore.openOrCreate(join(work, 'project'));
  try {
    await importBatch(store, {
      folder: `${SAMPLES}/redwood-livingroom/color`,
      depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
      depthEncoding: 'mm',
      intrinsics: INTRINSICS,
    });
    await importBatch(store, {
      folder: color,
      depthFolder: depth,
      depthEncoding: 'sun',
      intrinsics: INTRINSICS,
    });
    await importCocoFile(store, cocoFile);
    return (await layer(store).browse.counts()).images;
  } finally {
    store.close();
  }
}

/**
 * Everything the pipeline stores for each image, by image path, with no timings or QA row ids: the
 * image's depth and intrinsics (the model stages may set them), its objects, graph, QA,
 * ambiguities and stage records.
 */
export async function storedResults(project: ProjectDb) {
  const scene = new SceneStore(project.db);
  // No pipeline queue: each image with its stored status.
  const catalog = new CatalogStore(project.db);
  const out = [];
  for (const id of await catalog.imageIds()) {
    const image = (await catalog.image(id))!;
    const qa = (await scene.qaPairs(image.id))
      .map((q) => [q.key, q.family, q.question, q.answer, q.status])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    out.push({
      image: image.relPath,
      status: image.status,
      depth: [image.depthBlob, image.depthPreviewBlob, image.depthJson],
      intrinsics: [image.fx, image.fy, image.cx, image.cy, image.intrinsicsSource],
      qa,
      graph: (await scene.graph(image.id)) ?? null,
      objects: (await scene.objectsWithMasks(image.id)).map((o) => [
        o.id,
        o.label,
        o.score,
        o.box,
        o.provenance,
        o.maskRle,
        o.maskProvenance,
      ]),
      ambiguities: await scene.ambiguities(image.id),
      // Provenance without timings: model, checksum, provider, parameters, counts.
      stages: (await scene.stageRecords(image.id)).map((r) => [
        r.stage,
        r.status,
        r.reason,
        withoutTimings(r.provenance),
      ]),
    });
  }
  return out;
}

function withoutTimings(p: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!p) return p;
  const { decodeMs: _decode, ...rest } = p;
  return rest;
}

/** The stages workers run: everything after detection that needs no model. */
export const WORKER_STAGES = ['segment', 'lift', 'graph', 'qa'];

/**
 * The single-process run the workers' results are held to: the desktop job over the project
 * folder (seed '1'; by default the model-free stages, no models), then everything it stored, read
 * through the same layer as the team side.
 */
export async function desktopRun(
  folder: string,
  o: { stages?: string[]; labels?: string[]; env?: PipelineRunEnv } = {},
) {
  const store = ProjectStore.open(folder);
  let status: string;
  try {
    const { job } = await runJob(
      store,
      {
        stages: parseStages((o.stages ?? WORKER_STAGES).join(',')),
        seed: '1',
        labels: o.labels ?? [],
      },
      o.env,
    );
    status = job.status;
  } finally {
    store.close();
  }
  const sqlite = openSqliteProject(folder);
  try {
    return { status, results: await storedResults(sqlite) };
  } finally {
    await sqlite.close();
  }
}
