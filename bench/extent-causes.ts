// Breakdown of extent errors on one scene set by status and cause (diagnostic for issue 20):
//   node bin/run-ts.mjs bench/extent-causes.ts [--scenes 50] [--set grazing]
import { buildScene } from '../spatial/scene/build-scene-graph';
import { quantile, relationOutcomes } from '../spatial/scene/extent-accuracy';
import { makeSyntheticScene, truthOf, type SynthOptions } from '../spatial/scene/synthetic-scene';
import { sceneInput, unoccluded } from '../spatial/scene/test-support';

const args = process.argv.slice(2);
const arg = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const N = Number(arg('--scenes') ?? 50);
const SETS: Record<string, SynthOptions> = {
  standard: {},
  far: { objectDistance: [5, 8] },
  grazing: { cameraHeight: [0.5, 0.9], pitchDeg: [0, 6] },
  occlusion: { occluders: 2 },
};
const setName = arg('--set') ?? 'grazing';
const wrongRel = new Map<string, number>();
const rows: { key: string; err: number; signed: number }[] = [];
for (let s = 0; s < N; s++) {
  const sc = makeSyntheticScene(1000 + s, {
    width: 640,
    height: 480,
    noise: 0.004,
    holes: 0.01,
    ...SETS[setName],
  });
  const g = buildScene(sceneInput(sc, { masks: false })).graph;
  // Wrong relations (the opposite predicate stated), by predicate and whether a node in the pair
  // has an extent stated as bounded.
  const wrong = relationOutcomes(sc, g).filter((r) => r.outcome === 'wrong');
  for (const { edge: e } of wrong) {
    const bounded = [e.subject, e.object].some((id) => {
      const st = g.nodes.find((n) => n.id === id)?.extentStatus;
      return (
        !!st && (st.width !== 'observed' || st.height !== 'observed' || st.depth !== 'observed')
      );
    });
    const k = `${e.predicate}${bounded ? ' (a node has a bounded extent)' : ''}`;
    wrongRel.set(k, (wrongRel.get(k) ?? 0) + 1);
  }
  for (const n of g.nodes.filter((x) => x.quality.ok)) {
    const sh = sc.shapes.find((x) => x.id === n.id);
    if (!sh || !unoccluded(sc, sh)) continue;
    const t = truthOf(sh).extent;
    const above = sc.cameraHeight - sh.y1;
    for (const axis of ['width', 'height', 'depth'] as const) {
      const signed = (n.extent[axis] - t[axis]) / t[axis];
      const st = n.extentStatus?.[axis] ?? 'none';
      const cause =
        st === 'observed'
          ? ''
          : axis !== 'depth'
            ? ' outline'
            : above > 0.02
              ? ' top-face-edge-on'
              : ' back-hidden-camera-not-above-top';
      const key = `${axis} ${st}${cause} ${sh.kind}${sh.on !== null ? ' stacked' : ''}`;
      rows.push({ key, err: Math.abs(signed), signed });
      if (process.env.VERBOSE && Math.abs(signed) > 0.1)
        console.log(
          `scene ${1000 + s} id ${sh.id} ${key} truth ${t[axis].toFixed(3)} meas ${n.extent[axis].toFixed(3)} cam ${sc.cameraHeight.toFixed(2)} top ${sh.y1.toFixed(2)} z ${sh.cz.toFixed(2)} on ${sh.on}`,
        );
    }
  }
}
const groups = new Map<string, typeof rows>();
for (const r of rows) groups.set(r.key, [...(groups.get(r.key) ?? []), r]);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
for (const [k, rs] of [...groups].sort()) {
  const e = rs.map((r) => r.err);
  const sg = rs.map((r) => r.signed);
  console.log(
    `${k}: n ${rs.length}, median ${pct(quantile(e, 0.5))}, p90 ${pct(quantile(e, 0.9))}, ` +
      `signed min ${pct(Math.min(...sg))} median ${pct(quantile(sg, 0.5))} max ${pct(Math.max(...sg))}, ` +
      `below truth ${sg.filter((x) => x < 0).length}`,
  );
}
for (const [k, v] of [...wrongRel].sort()) console.log(`wrong relation ${k}: ${v}`);
const all = rows.map((r) => r.err);
console.log(`all: n ${all.length}, p90 ${pct(quantile(all, 0.9))}`);
