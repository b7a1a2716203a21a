// Click-to-refine through the engine: which segmentation model is installed decides whether it can
// run (and says why not), and a refinement runs the model on the object's box and the clicks on
// the decoded image, proposing a mask that a setMask then stores as the reviewer's.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MaskProposal } from '../../contract/review';
import { ProjectStore } from '../../db/project-store';
import { decodeRle } from '../../spatial/geometry/mask-rle';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { tempFolder } from '../pipeline/testing/run-job';
import { desktopRefineProject, refineSource } from '../services/mask-refine';
import { MaskRefiner } from './mask-refiner';
import { desktopReview } from './testing/desktop-review';
import { installTinySlimSam } from '../pipeline/testing/tiny-models';
import { imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
let dir: ReturnType<typeof tempFolder>;
let store: ProjectStore;
const refiner = new MaskRefiner();
const savedModelsDir = process.env.SQW_MODELS_DIR;

beforeAll(async () => {
  dir = tempFolder('sqw-refine-');
  process.env.SQW_MODELS_DIR = join(dir.path, 'models');
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
});
afterAll(async () => {
  await refiner.release();
  store.close();
  dir.remove();
  if (savedModelsDir === undefined) delete process.env.SQW_MODELS_DIR;
  else process.env.SQW_MODELS_DIR = savedModelsDir;
});

describe('click-to-refine', () => {
  const source = () => refineSource(desktopRefineProject(store));
  const cabinet = async () =>
    (await layer(store).browse.objectStates(await imageIdOf(store, 'corridor.jpg'))).find(
      (o) => o.label === 'cabinet',
    )!;

  it('says why it cannot run when no segmentation model is installed', async () => {
    const status = await refiner.status();
    expect(status).toMatchObject({ available: false, model: null, points: false });
    expect(status.reason).toMatch(/no segmentation model is installed/);
    await expect(refiner.refine(source(), (await cabinet()).id, [])).rejects.toThrow(
      /no segmentation model is installed/,
    );
  });

  it('runs the installed SlimSAM on the object box and the clicks; setMask stores the proposal', async () => {
    installTinySlimSam(process.env.SQW_MODELS_DIR!);
    expect(await refiner.status()).toEqual({
      available: true,
      model: 'slimsam-77-uniform',
      points: true,
      reason: null,
    });
    const c = await cabinet(); // box 368..503 × 88..412 in the 640 × 480 corridor
    const click = { x: 435, y: 250, positive: false };
    const p = MaskProposal.parse(await refiner.refine(source(), c.id, [click]));
    expect(p.model).toBe('slimsam-77-uniform');
    const { mask } = decodeRle(p.mask);
    expect(mask[250 * 640 + 435]).toBe(0); // cut out by the negative click
    expect(mask[100 * 640 + 435]).toBe(1); // the box elsewhere
    expect(mask[250 * 640 + 300]).toBe(0); // outside the box
    await expect(
      refiner.refine(source(), c.id, [{ x: 700, y: 10, positive: true }]),
    ).rejects.toThrow(/outside the image/);

    const entry = await desktopReview(store).objects.setMask({
      objectId: c.id,
      expectedVersion: c.version,
      mask: p.mask,
      tool: 'refine',
      actor: 'ana',
    });
    expect(entry.command).toBe('object.mask-refine');
    expect((await cabinet()).maskProvenance).toBe('human');
    expect(decodeRle(JSON.parse((await cabinet()).maskRle!)).mask).toEqual(mask);
  });
});
