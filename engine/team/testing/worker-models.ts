// The tiny generated models team worker tests run the model stages with (CPU): Depth Anything, a
// Grounding DINO that finds a chair and a table in every image, and a SAM whose mask is the box.
import {
  groundingDinoModel,
  samDecoderModel,
  samEncoderModel,
} from '../../../native-models/testing/adapter-models';
import { bertTokenizer } from '../../../native-models/testing/tokenizers';
import { join } from 'node:path';
import { ProjectStore } from '../../../db/project-store';
import { importBatch } from '../../import/index';
import { writeSyntheticBatch } from '../../pipeline/testing/synthetic-batch';
import { installTinyDepthModel, installTinyModel } from '../../pipeline/testing/tiny-models';

/** What the runs' detection looks for (`--labels`). */
export const WORKER_LABELS = ['chair', 'table'];

/** A generated Grounding DINO that finds a chair (left) and a table (right) in every image. */
function installTinyDetector(models: string): void {
  const table = new Float32Array(9 * 900).fill(-8);
  table[6 * 900 + 0] = 3; // "chair" (token 6) on query 0
  table[7 * 900 + 1] = 1.5; // "table" (token 7) on query 1
  const boxes = new Float32Array(900 * 4);
  boxes.set([0.3, 0.7, 0.2, 0.4], 0);
  boxes.set([0.7, 0.75, 0.3, 0.3], 4);
  installTinyModel(models, 'grounding-dino-tiny', {
    'onnx/model.onnx': groundingDinoModel(table, boxes),
    ...bertTokenizer(['chair', 'table', 'lamp']),
  });
}

/** Installs the depth model, the detector and SAM into the models folder `models`. */
export function installWorkerModels(models: string): void {
  installTinyDepthModel(models);
  installTinyDetector(models);
  installTinyModel(models, 'sam-vit-b', {
    'sam_vit_b_01ec64.encoder.onnx': samEncoderModel(),
    'sam_vit_b_01ec64.decoder.onnx': samDecoderModel(),
  });
}

/**
 * A desktop project in `dir`/project of `count` synthetic colour-only images (96x72, no depth, no
 * objects): what the model stages have everything to do for. Returns the project folder.
 */
export async function colourOnlyProject(dir: string, count: number): Promise<string> {
  const batch = await writeSyntheticBatch(join(dir, 'batch'), { count, width: 96, height: 72 });
  const folder = join(dir, 'project');
  const store = ProjectStore.openOrCreate(folder);
  try {
    await importBatch(store, { folder: batch.colorDir });
  } finally {
    store.close();
  }
  return folder;
}
