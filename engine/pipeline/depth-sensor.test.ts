// A depth-sensor preset given at import (`--depth-sensor`, ImportOptions.depthSensor) is stored
// with each image's depth and selects the range-noise model sigma(z) the graph stage's extents
// use (issue 20); an unknown preset is refused before anything is written.
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch, ImportOptionsError } from '../import/index';
import { depthNoisePreset } from './depth-noise';
import { runCpuTask } from './cpu-task';
import { sceneInputs } from './scene-inputs';
import { runJob, tempFolder } from './testing/run-job';
import { parseStages } from './run';
import { deriveGraphAndQa } from '../test/desktop-results';
import { imageNamed, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

let dir: ReturnType<typeof tempFolder>;

async function corridorProject(name: string, depthSensor?: string): Promise<ProjectStore> {
  const store = ProjectStore.openOrCreate(join(dir.path, name));
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: INTRINSICS,
    depthSensor,
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  return store;
}

const corridor = async (store: ProjectStore) => imageNamed(store, 'corridor.jpg');

beforeAll(() => {
  dir = tempFolder();
});
afterAll(() => dir.remove());

describe('depth sensor presets through import and the graph stage', () => {
  it('stores the preset with the image and the graph stage uses it', async () => {
    const plain = await corridorProject('plain');
    const kinect = await corridorProject('kinect', 'kinect-v1');
    try {
      expect(JSON.parse((await corridor(kinect)).depthJson!)).toMatchObject({
        source: 'sensor',
        encoding: 'sun',
        noisePreset: 'kinect-v1',
      });
      expect(depthNoisePreset(await corridor(plain))).toBeNull();
      // The pipeline job (worker path) and the single-image stage both record the model used.
      await runJob(kinect, { stages: parseStages('segment,lift,graph') });
      const run = (await layer(kinect).browse.stageRuns((await corridor(kinect)).id)).find(
        (r) => r.stage === 'graph',
      )!;
      expect(run.provenance).toMatchObject({ depthError: 'kinect-v1' });
      expect(await deriveGraphAndQa(plain, (await corridor(plain)).id)).toMatchObject({
        status: 'done',
      });
      const plainRun = (await layer(plain).browse.stageRuns((await corridor(plain)).id)).find(
        (r) => r.stage === 'graph',
      )!;
      expect(plainRun.provenance).toMatchObject({ depthError: 'estimated' });
      // Kinect v1's sigma at the corridor's 2-5 m (0.6-3.6 cm) is not the map's own estimate:
      // some extent differs between the two graphs of the same frame and boxes.
      const extents = async (s: ProjectStore) =>
        ((await layer(s).scene.graph((await corridor(s)).id))!.graph as SceneGraph).nodes.map(
          (n) => n.extent,
        );
      expect(await extents(kinect)).not.toEqual(await extents(plain));
    } finally {
      plain.close();
      kinect.close();
    }
  });

  it('refuses an unknown preset before writing anything', async () => {
    const store = ProjectStore.openOrCreate(join(dir.path, 'unknown'));
    try {
      const attempt = importBatch(store, {
        folder: `${SAMPLES}/sun-corridor/color`,
        depthFolder: `${SAMPLES}/sun-corridor/depth`,
        depthEncoding: 'sun',
        depthSensor: 'kinect-v3',
      });
      await expect(attempt).rejects.toThrow(ImportOptionsError);
      await expect(attempt).rejects.toThrow(
        /unknown depth sensor preset 'kinect-v3': use kinect-v1, realsense-d435, tum, redwood/,
      );
      expect((await layer(store).browse.counts()).images).toBe(0);
    } finally {
      store.close();
    }
  });

  it('a stored preset the engine does not know fails the graph build with the reason', async () => {
    const store = await corridorProject('edited', 'tum');
    try {
      const img = await corridor(store);
      const out = await runCpuTask({
        imageId: img.id,
        width: img.width,
        height: img.height,
        intrinsics: { ...INTRINSICS, source: 'given' },
        depth: { file: join(store.folder, img.depthBlob!) },
        objects: sceneInputs(await layer(store).scene.objectsWithMasks(img.id)),
        // As if a later version had stored a name this one does not know.
        depthError: 'kinect-v9',
        buildGraph: true,
        graph: null,
        qa: null,
      });
      expect(out.geometry).toMatchObject({ ok: false });
      expect(out.geometry!.ok === false && out.geometry!.reason).toMatch(
        /unknown depth sensor preset 'kinect-v9'/,
      );
    } finally {
      store.close();
    }
  });
});
