// Spatial engine benchmark: full lift + frame + clean-up + boxes + scene graph on synthetic RGB-D
// frames (ray-cast, with masks as COCO RLE), single thread; median over several runs.
//   node bin/run-ts.mjs bench/spatial-bench.ts [--runs 15] [--warmup 1] [--case 640x480]
import { cpus } from 'node:os';
import { buildScene } from '../spatial/scene/build-scene-graph';
import { makeSyntheticScene } from '../spatial/scene/synthetic-scene';
import { sceneInput } from '../spatial/scene/test-support';

const args = process.argv.slice(2);
const ri = args.indexOf('--runs');
const RUNS = ri >= 0 ? Math.max(3, Number(args[ri + 1])) : 15;
const wi = args.indexOf('--warmup');
/** Untimed passes over each scene before timing (JIT warm-up). */
const WARMUP = wi >= 0 ? Math.max(1, Number(args[wi + 1])) : 1;
const ci = args.indexOf('--case');
/** Only the cases whose name starts with this (all when absent). */
const ONLY = ci >= 0 ? (args[ci + 1] ?? '') : '';

interface Case {
  name: string;
  width: number;
  height: number;
  objects: number;
  scale: number;
}

const CASES: Case[] = [
  { name: '640x480, 20 objects', width: 640, height: 480, objects: 20, scale: 0.55 },
  { name: '1920x1080, 50 objects', width: 1920, height: 1080, objects: 50, scale: 0.4 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores`,
);
for (const c of CASES.filter((x) => x.name.startsWith(ONLY))) {
  const times: number[] = [];
  /** CPU time (user + system) per run: less sensitive than wall time to other load. */
  const cpuTimes: number[] = [];
  let points = 0;
  let objects = 0;
  let edges = 0;
  // Three different scenes, runs spread over them; the first WARMUP passes over each warm up the JIT.
  const scenes = [1, 2, 3].map((seed) =>
    makeSyntheticScene(seed, {
      width: c.width,
      height: c.height,
      objects: c.objects,
      objectScale: c.scale,
    }),
  );
  const inputs = scenes.map((sc) => sceneInput(sc));
  for (let w = 0; w < WARMUP; w++) for (const input of inputs) buildScene(input);
  for (let r = 0; r < RUNS; r++) {
    const input = inputs[r % inputs.length]!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { graph } = buildScene(input);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
    if (r < inputs.length) {
      points += graph.nodes.reduce((s, n) => s + n.numPoints, 0);
      objects += graph.nodes.length;
      edges += graph.edges.length;
    }
  }
  const ms = median(times);
  const n = Math.min(RUNS, inputs.length);
  const pts = points / n;
  console.log(
    `${c.name}: median ${ms.toFixed(1)} ms/frame (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${RUNS} runs; median CPU ${median(cpuTimes).toFixed(1)} ms); ` +
      `${(objects / n).toFixed(0)} objects, ${(pts / 1000).toFixed(0)}k object points, ${(edges / n).toFixed(0)} edges per frame; ` +
      `${(((pts / ms) * 1000) / 1e6).toFixed(1)} M object points/s, ${((c.width * c.height) / ms / 1000).toFixed(1)} M pixels/s`,
  );
}
