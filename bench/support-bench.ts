// Supporting surfaces under stacked objects (issue 20 item 3): on standard synthetic scenes
// (640x480, range noise 4 mm per metre, 1% holes, objects given as 2D boxes only), how many
// unoccluded stacked objects get their support found ('base-snapped-to-support'), whether any
// floor object gets one, and the stacked objects' extent errors. Not timed.
//   node bin/run-ts.mjs bench/support-bench.ts [--seeds 1000-1099] [--baseline /path/to/old/checkout]
// --baseline DIR: DIR/spatial/scene/build-scene-graph.ts is scored too ('old'), on the same scenes.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildScene, type SceneBuild, type SceneInput } from '../spatial/scene/build-scene-graph';
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

for (let seed = first; seed <= last; seed++) {
  const sc = makeSyntheticScene(seed, { width: 640, height: 480, noise: 0.004, holes: 0.01 });
  const input = sceneInput(sc, { masks: false });
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
