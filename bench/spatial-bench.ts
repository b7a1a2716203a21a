// Spatial engine benchmark: full lift + frame + clean-up + boxes + scene graph on synthetic RGB-D
// frames (ray-cast), single thread; median over several runs. Optionally the accuracy of the
// graphs against the scenes' exact ground truth, and everything side by side with another
// checkout (the code before a change) in the same process, runs interleaved.
//   node bin/run-ts.mjs bench/spatial-bench.ts [--runs 15] [--warmup 1] [--case 640x480]
//        [--accuracy 50] [--baseline /path/to/old/checkout]
// --accuracy N: N scenes per scene set (standard, far 5-8 m, grazing, partial occlusion), 640x480,
//   range noise 4 mm per metre, 1% holes, objects given as boxes only (the box -> mask path).
// --baseline DIR: DIR/spatial/scene/build-scene-graph.ts is timed and scored too ('old'), e.g. a
//   `git archive main spatial | tar -x -C DIR` copy with node_modules linked.
// --baseline2 DIR: a second such checkout ('old2'), e.g. an older commit and current main in one
//   run (no new/old ratio line then).
// --steps: per-step medians (frame, box -> mask, clean-up, smoothing, boxes, ...) on the
//   box-only frames (issue profile, then 20 objects), old and new alternating
//   (bench/spatial-steps.ts).
// --open3d: per-step times against Open3D on the issue-profile frames (bench/open3d-compare.ts);
//   skipped with a note where no python3 imports open3d.
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildScene, type SceneBuild, type SceneInput } from '../spatial/scene/build-scene-graph';
import { emptyAccuracy, scoreScene, summarize } from '../spatial/scene/extent-accuracy';
import { makeSyntheticScene, type SynthOptions } from '../spatial/scene/synthetic-scene';
import { sceneInput } from '../spatial/scene/test-support';
import { compareWithOpen3d } from './open3d-compare';
import { loadSteps, printStepTable } from './spatial-steps';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Math.max(3, Number(arg('--runs') ?? 15));
/** Untimed passes over each scene before timing (JIT warm-up). */
const WARMUP = Math.max(1, Number(arg('--warmup') ?? 1));
/** Only the cases whose name starts with this (all when absent). */
const ONLY = arg('--case') ?? '';
const ACCURACY = Number(arg('--accuracy') ?? 0);
const BASELINE = arg('--baseline');
const BASELINE2 = arg('--baseline2');
const OPEN3D = args.includes('--open3d');
const STEPS = args.includes('--steps');

type Build = (input: SceneInput) => SceneBuild;
const impls: { name: string; build: Build }[] = [{ name: 'new', build: buildScene }];
if (BASELINE) {
  const mod = (await import(
    pathToFileURL(resolve(BASELINE, 'spatial/scene/build-scene-graph.ts')).href
  )) as { buildScene: Build };
  impls.unshift({ name: 'old', build: mod.buildScene });
}
if (BASELINE2) {
  const mod = (await import(
    pathToFileURL(resolve(BASELINE2, 'spatial/scene/build-scene-graph.ts')).href
  )) as { buildScene: Build };
  impls.splice(impls.length - 1, 0, { name: 'old2', build: mod.buildScene });
}

/** Noise and holes of the issue-20 measurements (4 mm per metre, 1%). */
const SENSOR: SynthOptions = { noise: 0.004, holes: 0.01 };

interface Case {
  name: string;
  opts: SynthOptions;
  masks: boolean;
}

const CASES: Case[] = [
  {
    name: '640x480, 20 objects',
    opts: { width: 640, height: 480, objects: 20, objectScale: 0.55 },
    masks: true,
  },
  {
    name: '640x480, 3-6 objects, boxes only, 4 mm/m noise',
    opts: { width: 640, height: 480, ...SENSOR },
    masks: false,
  },
  {
    name: '640x480, 20 objects, boxes only, 4 mm/m noise',
    opts: { width: 640, height: 480, objects: 20, objectScale: 0.55, ...SENSOR },
    masks: false,
  },
  {
    name: '1920x1080, 50 objects',
    opts: { width: 1920, height: 1080, objects: 50, objectScale: 0.4 },
    masks: true,
  },
];

const SCENE_SETS: { name: string; opts: SynthOptions }[] = [
  { name: 'standard (1.8-5 m)', opts: {} },
  { name: 'far (5-8 m)', opts: { objectDistance: [5, 8] } },
  {
    name: 'grazing (camera 0.5-0.9 m, pitch 0-6 deg)',
    opts: { cameraHeight: [0.5, 0.9], pitchDeg: [0, 6] },
  },
  { name: 'partial occlusion (2 occluders)', opts: { occluders: 2 } },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}` +
    (BASELINE ? `; old = ${BASELINE}` : '') +
    (BASELINE2 ? `; old2 = ${BASELINE2}` : ''),
);
for (const c of CASES.filter((x) => x.name.startsWith(ONLY))) {
  // Three different scenes, runs spread over them; the first WARMUP passes warm up the JIT.
  const inputs = [1, 2, 3].map((seed) =>
    sceneInput(makeSyntheticScene(seed, c.opts), { masks: c.masks }),
  );
  for (const impl of impls)
    for (let w = 0; w < WARMUP; w++) for (const input of inputs) impl.build(input);
  const wall = impls.map(() => [] as number[]);
  const cpu = impls.map(() => [] as number[]);
  const shape = impls.map(() => ({ objects: 0, points: 0, edges: 0 }));
  // Implementations alternate run by run, so load changes hit both alike.
  for (let r = 0; r < RUNS; r++) {
    const input = inputs[r % inputs.length]!;
    impls.forEach((impl, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { graph } = impl.build(input);
      wall[i]!.push(performance.now() - t0);
      const cu = process.cpuUsage(c0);
      cpu[i]!.push((cu.user + cu.system) / 1000);
      if (r < inputs.length) {
        shape[i]!.objects += graph.nodes.length;
        shape[i]!.points += graph.nodes.reduce((s, n) => s + n.numPoints, 0);
        shape[i]!.edges += graph.edges.length;
      }
    });
  }
  const n = Math.min(RUNS, inputs.length);
  impls.forEach((impl, i) => {
    const ms = median(wall[i]!);
    console.log(
      `${c.name} [${impl.name}]: median ${ms.toFixed(1)} ms/frame (min ${Math.min(...wall[i]!).toFixed(1)}, ` +
        `max ${Math.max(...wall[i]!).toFixed(1)}, ${RUNS} runs; median CPU ${median(cpu[i]!).toFixed(1)} ms); ` +
        `${(shape[i]!.objects / n).toFixed(0)} objects, ${(shape[i]!.points / n / 1000).toFixed(0)}k object points, ` +
        `${(shape[i]!.edges / n).toFixed(0)} edges per frame`,
    );
  });
  if (impls.length === 2)
    console.log(
      `${c.name}: new/old = ${(median(wall[1]!) / median(wall[0]!)).toFixed(2)} (wall), ` +
        `${(median(cpu[1]!) / median(cpu[0]!)).toFixed(2)} (CPU)`,
    );
}

if (STEPS) {
  const stepImpls = [{ name: 'new', modules: await loadSteps(resolve(import.meta.dirname, '..')) }];
  if (BASELINE) stepImpls.unshift({ name: 'old', modules: await loadSteps(resolve(BASELINE)) });
  // Both box-only profiles of the speed goals: the issue profile and 20 objects per frame.
  for (const profile of [CASES[1]!, CASES[2]!])
    printStepTable(
      stepImpls,
      [1, 2, 3].map((seed) =>
        sceneInput(makeSyntheticScene(seed, profile.opts), { masks: profile.masks }),
      ),
      RUNS,
      profile.name,
    );
}

if (OPEN3D) {
  const profile = CASES[1]!;
  compareWithOpen3d(
    [1, 2, 3].map((seed) =>
      sceneInput(makeSyntheticScene(seed, profile.opts), { masks: profile.masks }),
    ),
    RUNS,
    profile.name,
  );
}

if (ACCURACY > 0)
  for (const set of SCENE_SETS) {
    const accs = impls.map(() => emptyAccuracy());
    for (let s = 0; s < ACCURACY; s++) {
      const sc = makeSyntheticScene(1000 + s, {
        width: 640,
        height: 480,
        ...SENSOR,
        ...set.opts,
      });
      const input = sceneInput(sc, { masks: false });
      impls.forEach((impl, i) => scoreScene(sc, impl.build(input).graph, accs[i]!));
    }
    impls.forEach((impl, i) =>
      console.log(
        `accuracy, ${set.name}, ${ACCURACY} scenes [${impl.name}]: ${summarize(accs[i]!)}`,
      ),
    );
  }
