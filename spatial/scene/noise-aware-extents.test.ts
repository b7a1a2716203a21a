// Issue 20 item 1 and 3: extents that do not grow with range noise, observed vs bounded extents,
// and a supporting surface kept out of the object standing on it, on ray-cast scenes with exact
// ground truth (640x480, range noise 4 mm per metre, 1% holes, objects given as 2D boxes only).
import { describe, expect, it } from 'vitest';
import { buildScene } from './build-scene-graph';
import { emptyAccuracy, quantile, scoreScene, type AccuracySample } from './extent-accuracy';
import { makeSyntheticScene, truthOf, type SynthOptions } from './synthetic-scene';
import { sceneInput, unoccluded } from './test-support';

const SENSOR: SynthOptions = { width: 640, height: 480, noise: 0.004, holes: 0.01 };
const SCENES = 24;

function accuracyOn(opts: SynthOptions): AccuracySample {
  const acc = emptyAccuracy();
  for (let s = 0; s < SCENES; s++) {
    const sc = makeSyntheticScene(1000 + s, { ...SENSOR, ...opts });
    scoreScene(sc, buildScene(sceneInput(sc, { masks: false })).graph, acc);
  }
  return acc;
}

/** Issue 20's goals on the observed extents; centre distances within `distanceMedian`. */
function expectGoals(acc: AccuracySample, distanceMedian = 0.01): void {
  expect(acc.width.length).toBeGreaterThan(30);
  for (const axis of ['width', 'height'] as const)
    expect(quantile(acc[axis], 0.5), `median ${axis}`).toBeLessThanOrEqual(0.03);
  expect(quantile(acc.depth, 0.5), 'median depth').toBeLessThanOrEqual(0.03);
  expect(quantile([...acc.width, ...acc.height, ...acc.depth], 0.9)).toBeLessThanOrEqual(0.1);
  // No loss on relations: a relation the true boxes decide is never stated the other way round
  // in more than 3% of the cases (near-ties at the margin).
  const decided = acc.relationsRight + acc.relationsWrong + acc.relationsUndecided;
  expect(acc.relationsWrong / decided).toBeLessThan(0.03);
  expect(quantile(acc.distance, 0.5)).toBeLessThan(distanceMedian);
}

describe('noise-aware extents (boxes only, 4 mm/m range noise)', () => {
  it('far objects (5-8 m): every axis median <= 3%, 90th percentile <= 10%', () => {
    // Depth was 11% with min/max boxes, 3.4% with smoothing alone: the base band's biased points
    // are left out of the horizontal extents, and a top face seen across fewer than 4 rows only
    // bounds the depth.
    expectGoals(accuracyOn({ objectDistance: [5, 8] }));
  });

  it('the standard scenes (1.8-5 m, some objects stacked on boxes) meet the same goals', () => {
    expectGoals(accuracyOn({}));
  });

  it('partial occlusion: goals on observed extents; hidden sides are stated as bounded', () => {
    expectGoals(accuracyOn({ occluders: 2 }));
    let hidden = 0;
    let stated = 0;
    let clear = 0;
    let clearObserved = 0;
    for (let s = 0; s < SCENES; s++) {
      const sc = makeSyntheticScene(1000 + s, { ...SENSOR, occluders: 2 });
      const g = buildScene(sceneInput(sc, { masks: false })).graph;
      for (const n of g.nodes) {
        const shape = sc.shapes.find((x) => x.id === n.id)!;
        const shown = (sc.visible.get(n.id) ?? 0) / Math.max(1, sc.alone.get(n.id) ?? 0);
        if (!n.quality.ok || !n.extentStatus) continue;
        if (shown < 0.7 && shape.on === null) {
          hidden++;
          if (n.extentStatus.width !== 'observed' || n.extentStatus.height !== 'observed') stated++;
        }
        if (unoccluded(sc, shape)) {
          clear++;
          if (n.extentStatus.width === 'observed') clearObserved++;
        }
      }
    }
    expect(hidden).toBeGreaterThan(5);
    expect(stated / hidden).toBeGreaterThanOrEqual(0.8);
    expect(clearObserved / clear).toBeGreaterThanOrEqual(0.9);
  });

  it('grazing views: depth is bounded when the top face is not seen or seen edge-on; observed extents meet the goals', () => {
    const opts: SynthOptions = { cameraHeight: [0.5, 0.9], pitchDeg: [0, 6] };
    const acc = accuracyOn(opts);
    // Centre distances: median 1.4% here (1.9% on 50 scenes, before and after the second pass):
    // low cameras see the objects' fronts only, so their centres lean towards the camera.
    expectGoals(acc, 0.02);
    expect(acc.bounded).toBeGreaterThan(0);
    for (let s = 0; s < SCENES; s++) {
      const sc = makeSyntheticScene(1000 + s, { ...SENSOR, ...opts });
      const g = buildScene(sceneInput(sc, { masks: false })).graph;
      for (const n of g.nodes) {
        const shape = sc.shapes.find((x) => x.id === n.id)!;
        if (!n.quality.ok || !n.extentStatus) continue;
        // The back of an object taller than the camera is never seen; a top face within 2 cm
        // below the camera spans under 4 rows at these ranges.
        if (shape.y1 > sc.cameraHeight - 0.02) expect(n.extentStatus.depth).toBe('occluded');
        // The graph says where each bounded extent is cut, and only there: a hidden back is the
        // far end.
        for (const axis of ['width', 'height', 'depth'] as const)
          expect(n.hiddenEnds![axis].length > 0).toBe(n.extentStatus[axis] !== 'observed');
        if (n.extentStatus.depth !== 'observed') expect(n.hiddenEnds!.depth).toContain('far');
      }
    }
  });

  it('an object on a box: when the box top is found under it, it is dropped and the base stands on it', () => {
    let stacked = 0;
    let snapped = 0;
    for (let s = 0; s < 40; s++) {
      const sc = makeSyntheticScene(1000 + s, SENSOR);
      const g = buildScene(sceneInput(sc, { masks: false })).graph;
      for (const shape of sc.shapes) {
        const n = g.nodes.find((x) => x.id === shape.id);
        if (shape.on === null || !n?.quality.ok || !unoccluded(sc, shape)) continue;
        stacked++;
        const t = truthOf(shape);
        if (!n.quality.flags.includes('base-snapped-to-support')) continue;
        snapped++;
        expect(Math.abs(n.extent.width - t.extent.width) / t.extent.width).toBeLessThan(0.05);
        expect(Math.abs(n.elevation! - t.elevation)).toBeLessThan(0.02);
      }
      // Objects on the floor never take the floor for a support.
      for (const n of g.nodes) {
        const shape = sc.shapes.find((x) => x.id === n.id)!;
        if (shape.on === null) expect(n.quality.flags).not.toContain('base-snapped-to-support');
      }
    }
    expect(stacked).toBeGreaterThan(10);
    // Found on 5 of 30 stacked objects (the flatness test is conservative, issue 20 item 3).
    expect(snapped).toBeGreaterThanOrEqual(4);
  });
});
