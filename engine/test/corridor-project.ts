// The SUN RGB-D corridor as most review tests start from it: colour, metric depth (SUN encoding,
// its Kinect intrinsics) and the demo COCO boxes, optionally with its scene graph and QA (seed '1').
import { resolve } from 'node:path';
import type { ProjectStore } from '../../db/project-store';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { deriveGraphAndQa } from './desktop-results';
import { imageIdOf } from './layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

/** Imports the corridor and its boxes; returns the image id of corridor.jpg. */
export async function importCorridor(store: ProjectStore): Promise<number> {
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  return imageIdOf(store, 'corridor.jpg');
}

/** The corridor with its scene graph and QA built; returns the image id of corridor.jpg. */
export async function corridorWithQa(store: ProjectStore): Promise<number> {
  const imageId = await importCorridor(store);
  await deriveGraphAndQa(store, imageId);
  return imageId;
}

/**
 * The corridor and the first Redwood living-room frame (depth in mm), both with boxes, graphs and
 * QA (seed '1'): two images that share labels, for project-wide label edits.
 */
export async function corridorAndLivingRoomWithQa(
  store: ProjectStore,
): Promise<{ corridor: number; living: number }> {
  const corridor = await importCorridor(store);
  await importBatch(store, {
    folder: `${SAMPLES}/redwood-livingroom/color`,
    depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
    depthEncoding: 'mm',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  // The COCO file names both; importing it again now attaches the living room's boxes.
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  const living = await imageIdOf(store, '00000.jpg');
  for (const id of [corridor, living]) {
    await deriveGraphAndQa(store, id);
  }
  return { corridor, living };
}
