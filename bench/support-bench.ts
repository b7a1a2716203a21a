// Supporting surfaces under stacked objects (issue 20 item 3): on standard synthetic scenes
// (640x480, range noise 4 mm per metre, 1% holes, objects given as 2D boxes only), how many
// unoccluded stacked objects get their support found ('base-snapped-to-support'), whether any
// floor object gets one, and the stacked objects' extent errors. Not timed.
//   node bin/run-ts.mjs bench/support-bench.ts [--seeds 1000-1099] [--baseline /path/to/old/checkout]
//        [--time 9]
// --baseline DIR: DIR/spatial/scene/build-scene-graph.ts is scored too ('old'), on the same scenes.
// --time N: box -> mask alone (every box of every scene, the frame estimated once per scene),
//   N passes per code alternating old/new, median CPU ms per pass (what the support search costs).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { buildScene, type SceneBuild, type SceneInput } from '../spatial/scene/build-scene-graph';
import { maskFromBox } from '../spatial/scene/box-to-mask';
import { estimateFrame } from '../spatial/scene/gravity-frame';
import { makeSyntheticScene } from '../spatial/scene/synthetic-scene';
import { sceneInput } from '../spatial/scene/test-support';
import {
  emptyCoverage,
  quantile,
  scoreSupport,
  type SupportCoverage,
} from '../spatial/scene/testing/support-coverage';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const [first, last] = (arg('--seeds') ?? '1000-1099').split('-').map(Number) as [number, number];
const BASELINE = arg('--baseline');
const SHOW_MISSED = args.includes('--missed');
const TIME = Number(arg('--time') ?? 0);

type Build = (input: SceneInput) => SceneBuild;
const impls: { name: string; build: Build; acc: SupportCoverage }[] = [
  { name: 'new', build: buildScene, acc: emptyCoverage() },
];
if (BASELINE) {
  const mod = (await import(
    pathToFileURL(resolve(BASELINE, 'spatial/scene/build-scene-graph.ts')).href
  )) as { buildScene: Build };
  impls.unshift({ name: 'old', build: mod.buildScene, acc: emptyCoverage() });
}

const scenes: { sc: ReturnType<typeof makeSyntheticScene>; input: SceneInput }[] = [];
for (let seed = first; seed <= last; seed++) {
  const sc = makeSyntheticScene(seed, { width: 640, height: 480, noise: 0.004, holes: 0.01 });
  const input = sceneInput(sc, { masks: false });
  scenes.push({ sc, input });
  for (const impl of impls) scoreSupport(impl.acc, sc, impl.build(input).graph, String(seed));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const errs = (xs: number[]) => `${pct(quantile(xs, 0.5))} / ${pct(quantile(xs, 0.9))}`;
console.log(`seeds ${first}-${last}, 640x480, 4 mm/m noise, 1% holes, boxes only`);
console.log(
  '| code | stacked: support found | floor objects with a support | width median / p90 | height median / p90 | depth median / p90 |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const { name, acc } of impls)
  console.log(
    `| ${name} | ${acc.stackedSnapped} of ${acc.stacked} (${pct(acc.stackedSnapped / acc.stacked)}) | ${acc.floorSnapped} of ${acc.floor} | ${errs(acc.width)} | ${errs(acc.height)} | ${errs(acc.depth)} |`,
  );
if (SHOW_MISSED)
  for (const { name, acc } of impls)
    console.log(`${name} missed (seed:id): ${acc.missed.join(' ')}`);

if (TIME > 0) {
  type MaskFn = typeof maskFromBox;
  const masks: { name: string; fn: MaskFn; cpu: number[] }[] = [
    { name: 'new', fn: maskFromBox, cpu: [] },
  ];
  if (BASELINE) {
    const mod = (await import(
      pathToFileURL(resolve(BASELINE, 'spatial/scene/box-to-mask.ts')).href
    )) as { maskFromBox: MaskFn };
    masks.unshift({ name: 'old', fn: mod.maskFromBox, cpu: [] });
  }
  const work = scenes.map(({ sc, input }) => ({
    img: { depth: sc.depth, width: sc.width, height: sc.height },
    k: sc.k,
    frame: estimateFrame({ depth: sc.depth, width: sc.width, height: sc.height }, sc.k).frame,
    boxes: input.objects.map((o) => o.bbox2d),
  }));
  const boxes = work.reduce((n, w) => n + w.boxes.length, 0);
  for (let pass = -1; pass < TIME; pass++)
    for (const m of masks) {
      const t0 = process.cpuUsage();
      for (const w of work) for (const b of w.boxes) m.fn(w.img, w.k, b, w.frame);
      const t = process.cpuUsage(t0);
      if (pass >= 0) m.cpu.push((t.user + t.system) / 1000);
    }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  console.log(
    `box -> mask, ${boxes} boxes over ${work.length} scenes, ${TIME} passes, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const m of masks)
    console.log(
      `${m.name}: median CPU ${med(m.cpu).toFixed(1)} ms per pass (${(med(m.cpu) / boxes).toFixed(3)} ms per box)`,
    );
  if (masks.length === 2)
    console.log(`new/old = ${(med(masks[1]!.cpu) / med(masks[0]!.cpu)).toFixed(2)} (CPU)`);
}
