// Output check for speed changes of the spatial engine: builds the scene graphs of 132 generated
// scenes (640x480 sensor-noise sets: 3-6 and 20 objects, far, grazing, occluded; 320x240
// noise-free; boxes only and masks; with and without a gravity vector) with another checkout's
// buildScene and with this one's, and compares their JSON (graph, derived masks, notes, error
// model) byte for byte. Exit status 1 when any differs.
//   node bin/run-ts.mjs bench/spatial-same-output.ts /path/to/old/checkout
// (e.g. `git archive main spatial | tar -x -C DIR`, as for spatial-bench.ts --baseline).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SceneBuild, SceneInput } from '../spatial/scene/build-scene-graph';
import { makeSyntheticScene, type SynthOptions } from '../spatial/scene/synthetic-scene';
import { sceneInput } from '../spatial/scene/test-support';
import { buildScene } from '../spatial/scene/build-scene-graph';

const oldDir = process.argv[2];
if (!oldDir) {
  console.error('usage: node bin/run-ts.mjs bench/spatial-same-output.ts OLD_CHECKOUT');
  process.exit(2);
}
const old = (await import(
  pathToFileURL(resolve(oldDir, 'spatial/scene/build-scene-graph.ts')).href
)) as { buildScene: (input: SceneInput) => SceneBuild };

const SENSOR: SynthOptions = { noise: 0.004, holes: 0.01 };
const SETS: SynthOptions[] = [
  { width: 640, height: 480, ...SENSOR },
  { width: 640, height: 480, objects: 20, objectScale: 0.55, ...SENSOR },
  { width: 640, height: 480, objectDistance: [5, 8], ...SENSOR },
  { width: 640, height: 480, cameraHeight: [0.5, 0.9], pitchDeg: [0, 6], ...SENSOR },
  { width: 640, height: 480, occluders: 2, ...SENSOR },
  { width: 320, height: 240 },
];

const serialize = (b: SceneBuild): string =>
  JSON.stringify({
    graph: b.graph,
    masks: [...b.derivedMasks],
    notes: b.notes,
    error: b.depthError,
  });

let scenes = 0;
let differ = 0;
for (const opts of SETS)
  for (let seed = 1; seed <= 8; seed++)
    for (const masks of [false, true])
      for (const gravity of [false, true]) {
        if (masks && seed > 3) continue;
        const input = sceneInput(makeSyntheticScene(seed, opts), { masks, gravity });
        scenes++;
        if (serialize(old.buildScene(input)) !== serialize(buildScene(input))) {
          differ++;
          console.log(
            `differs: ${JSON.stringify(opts)} seed ${seed} masks ${masks} gravity ${gravity}`,
          );
        }
      }
console.log(`${scenes} scenes, ${differ} differ`);
process.exit(differ > 0 ? 1 : 0);
