// Engine side of opening an image in the review UI: the RPCs the image view issues, timed on the
// SUN RGB-D corridor sample after graph + QA (median of N calls through the dispatcher, which
// validates input and output as over HTTP). Usage: node bin/run-ts.mjs bench/review-rpc-bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { CatalogStore } from '../db/store/catalog-store';
import { importCocoFile } from '../engine/annotations/coco-import';
import { createEngine } from '../engine/engine';
import { importBatch } from '../engine/import/index';
import { rederiveImage } from '../engine/pipeline/rederive-image';
import { FolderBlobStore } from '../engine/team/blob-store';
import { sqliteHandle } from '../db/store/connect';

const SAMPLES = resolve(import.meta.dirname, '../samples/demo-batch');
const N = 15;
const METHODS = [
  'reviews.image',
  'images.get',
  'scene.get',
  'labels.vocabulary',
  'objects.list',
  'qa.list',
];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sqw-review-bench-'));
  try {
    const store = ProjectStore.openOrCreate(dir);
    await importBatch(store, {
      folder: `${SAMPLES}/sun-corridor/color`,
      depthFolder: `${SAMPLES}/sun-corridor/depth`,
      depthEncoding: 'sun',
    });
    await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
    const imageId = (await new CatalogStore(sqliteHandle(store.db)).imagesNamed('corridor.jpg'))[0]!
      .id;
    // Graph and QA as a re-derivation stores them (seed '1' on a fresh project).
    await rederiveImage(
      { db: sqliteHandle(store.db), dialect: 'sqlite' },
      new FolderBlobStore(store.blobsDir),
      imageId,
    );
    store.close();
    const engine = await createEngine({ transport: 'http', projectFolders: [dir] });
    const projectId = engine.projects.list()[0]!.id;
    for (const method of METHODS) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        const r = await engine.dispatch(method, { projectId, imageId });
        times.push(performance.now() - t);
        if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
        bytes = JSON.stringify(r.result).length;
      }
      times.sort((a, b) => a - b);
      console.log(
        `${method.padEnd(20)} median ${times[N >> 1]!.toFixed(2)} ms  min ${times[0]!.toFixed(2)} ms  ${bytes} bytes`,
      );
    }
    await engine.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
