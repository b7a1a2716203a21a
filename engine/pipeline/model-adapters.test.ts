// The perception adapters reach the pipeline through the resolver: an installed SAM (a generated
// graph with the real export's contract, whose mask is its box) segments imported boxes in a run, and
// the masks are stored as model masks with the model's provenance. Which manifest gets which stage
// adapter is checked for the whole catalogue.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { CATALOGUE } from '../../native-models/catalogue';
import {
  groundingDinoModel,
  samDecoderModel,
  samEncoderModel,
} from '../../native-models/testing/adapter-models';
import { bertTokenizer } from '../../native-models/testing/tokenizers';
import { decodeRle, type CocoRle } from '../../spatial/geometry/mask-rle';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { cleanLabels, STAGE_ADAPTERS, stageAdapterKind } from './model-adapters';
import { jobStore } from './pipeline-jobs';
import { ADAPTERS, STAGE_TASK } from './model-resolver';
import { runJob, tempFolder } from './testing/run-job';
import { writeSyntheticBatch, type SyntheticBatch } from './testing/synthetic-batch';
import { installTinyModel } from './testing/tiny-models';
import { desktopScene } from '../test/desktop-results';
import { imageNamed, layer } from '../test/layer';

let dir: ReturnType<typeof tempFolder>;
let batch: SyntheticBatch;
const models = mkdtempSync(join(tmpdir(), 'sqw-models-'));
let checksum: string;

beforeAll(async () => {
  dir = tempFolder();
  batch = await writeSyntheticBatch(join(dir.path, 'batch'), { count: 3, width: 96, height: 72 });
  checksum = installTinyModel(models, 'sam-vit-b', {
    'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
    'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
  }).sha256;
});
afterAll(() => dir.remove());

describe('perception adapters in the pipeline', () => {
  it('every catalogue model has exactly one pipeline adapter, on the stage of its task', () => {
    for (const m of CATALOGUE) {
      const entries = ADAPTERS.filter((a) => a.matches(m));
      expect(entries.length, m.id).toBe(1);
      expect(STAGE_TASK[entries[0]!.stage], m.id).toBe(m.task);
    }
    // Every adapter kind but Depth Anything (wired in the resolver) has a stage.
    const kinds = new Set(CATALOGUE.map(stageAdapterKind));
    for (const k of kinds) if (k !== 'depth-anything') expect(STAGE_ADAPTERS[k!], k!).toBeDefined();
  });

  it("a run's detection labels reach Grounding DINO, its objects and its provenance", async () => {
    // The generated detector scores "chair" (token 6) high on query 0, "table" (7) on query 1 and
    // "lamp" (8) nowhere: asked for chair and lamp, it finds one chair and no table.
    const dinoModels = mkdtempSync(join(tmpdir(), 'sqw-models-'));
    const table = new Float32Array(9 * 900).fill(-8);
    table[6 * 900 + 0] = 3;
    table[7 * 900 + 1] = 1.5;
    const boxes = new Float32Array(900 * 4);
    boxes.set([0.25, 0.5, 0.2, 0.4], 0);
    boxes.set([0.75, 0.5, 0.3, 0.2], 4);
    installTinyModel(dinoModels, 'grounding-dino-tiny', {
      'onnx/model.onnx': groundingDinoModel(table, boxes),
      ...bertTokenizer(['chair', 'table', 'lamp']),
    });
    const store = ProjectStore.openOrCreate(join(dir.path, 'p-dino'));
    try {
      await importBatch(store, {
        folder: batch.colorDir,
        depthFolder: batch.depthDir,
        intrinsics: batch.intrinsics,
      });
      const { job, summary } = await runJob(
        store,
        { stages: ['detect'], labels: [' chair', 'lamp', 'Chair '] },
        { modelsDir: dinoModels, workers: 1 },
      );
      expect(job.status).toBe('done');
      expect(summary.stages.detect).toMatchObject({ done: 3, failed: [] });
      expect(await jobStore(store).params(job.id)).toMatchObject({
        labels: [' chair', 'lamp', 'Chair '],
      });
      const image = await imageNamed(store, batch.names[0]!);
      const objects = await layer(store).browse.objects(image.id);
      expect(objects.map((o) => [o.label, o.provenance])).toEqual([['chair', 'model']]);
      // Query 0's box (cx 0.25, cy 0.5, w 0.2, h 0.4) in the 96x72 image.
      expect(objects[0]!.box.map((v) => Number(v.toFixed(3)))).toEqual([14.4, 21.6, 33.6, 50.4]);
      const detect = (await desktopScene(store).stageRecords(image.id)).find(
        (r) => r.stage === 'detect',
      )!;
      expect(detect.provenance).toMatchObject({
        model: 'grounding-dino-tiny',
        params: { labels: ['chair', 'lamp'] },
        objects: 1,
      });
    } finally {
      store.close();
    }
  });

  it('cleans a label list: trimmed, spaces collapsed, each once whatever its case', () => {
    expect(cleanLabels([' chair', 'trash   can', '', 'Chair ', 'lamp'])).toEqual([
      'chair',
      'trash can',
      'lamp',
    ]);
  });

  it('an installed SAM segments imported boxes during a run, with its provenance', async () => {
    const store = ProjectStore.openOrCreate(join(dir.path, 'p-sam'));
    try {
      await importBatch(store, {
        folder: batch.colorDir,
        depthFolder: batch.depthDir,
        intrinsics: batch.intrinsics,
      });
      await importCocoFile(store, batch.cocoFile);
      const { job, summary } = await runJob(
        store,
        { stages: ['segment', 'lift', 'graph', 'qa'] },
        { modelsDir: models, workers: 1 },
      );
      expect(job.status).toBe('done');
      expect(summary.notices).toEqual([]);
      expect(summary.providers).toEqual({ segment: 'cpu' });
      expect(summary.stages.segment).toMatchObject({ done: 3, failed: [] });

      const image = await imageNamed(store, batch.names[0]!);
      const objects = await layer(store).scene.objectsWithMasks(image.id);
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        expect(o.maskProvenance).toBe('model');
        const { mask, width } = decodeRle(JSON.parse(o.maskRle!) as CocoRle);
        // The generated decoder's mask is its box: every mask pixel lies in the object's box.
        let area = 0;
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) continue;
          area++;
          const x = i % width;
          const y = Math.floor(i / width);
          expect(x >= Math.floor(o.box[0]) && x <= Math.ceil(o.box[2])).toBe(true);
          expect(y >= Math.floor(o.box[1]) && y <= Math.ceil(o.box[3])).toBe(true);
        }
        expect(area).toBeGreaterThan(0);
      }
      const segment = (await desktopScene(store).stageRecords(image.id)).find(
        (r) => r.stage === 'segment',
      )!;
      expect(segment.provenance).toMatchObject({
        model: 'sam-vit-b',
        checksum,
        provider: 'cpu',
        masks: objects.length,
      });
    } finally {
      store.close();
    }
  });
});
