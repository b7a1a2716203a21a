// Extents the scene graph states as only bounded (scene/extent-status.ts) are never stated as
// measured facts by QA; observed ones still are.
import { describe, expect, it } from 'vitest';
import { buildScene } from '../scene/build-scene-graph';
import { makeSyntheticScene } from '../scene/synthetic-scene';
import { sceneInput } from '../scene/test-support';
import { generateQa } from './generate';
import { randomGraph } from './testing/random-graph';

const all = { maxPerFamily: Infinity };
const EXTENT_FAMILY = { width: 'width', height: 'height', depth: 'depth_extent' } as const;

describe('bounded extents give no QA', () => {
  it('a bounded width or depth is skipped with its reason; the observed extents still give QA', () => {
    const g = randomGraph(31, { objects: 4, badQuality: 0 });
    const [a, b] = g.nodes;
    a!.extentStatus = { width: 'image-border', height: 'observed', depth: 'observed' };
    b!.extentStatus = { width: 'observed', height: 'observed', depth: 'occluded' };
    const r = generateQa(g, all);
    const about = (family: string, id: number) =>
      r.pairs.some((p) => p.family === family && p.subjects.includes(id));
    expect(about('width', a!.id)).toBe(false);
    expect(about('depth_extent', b!.id)).toBe(false);
    expect(about('height', a!.id) && about('depth_extent', a!.id)).toBe(true);
    expect(about('width', b!.id) && about('height', b!.id)).toBe(true);
    expect(r.skipped['width-bounded']).toBe(1);
    expect(r.skipped['depth_extent-bounded']).toBe(1);
    // Graphs without statuses (before issue 20): every extent is stated.
    for (const n of g.nodes) delete n.extentStatus;
    const old = generateQa(g, all);
    expect(old.skipped['width-bounded']).toBeUndefined();
    for (const n of [a!, b!])
      expect(old.pairs.some((p) => p.family === 'width' && p.subjects.includes(n.id))).toBe(true);
    expect(old.pairs.some((p) => p.family === 'depth_extent' && p.subjects.includes(b!.id))).toBe(
      true,
    );
  });

  it('a grazing view: no QA states the depth the objects hide behind their fronts', () => {
    // Camera 0.5-0.9 m high, nearly level: several objects hide their own backs.
    const sc = makeSyntheticScene(1005, {
      width: 640,
      height: 480,
      noise: 0.004,
      holes: 0.01,
      cameraHeight: [0.5, 0.9],
      pitchDeg: [0, 6],
    });
    const g = buildScene(sceneInput(sc, { masks: false })).graph;
    const ok = g.nodes.filter((n) => n.quality.ok);
    let bounded = 0;
    const r = generateQa(g, all);
    for (const n of ok)
      for (const axis of ['width', 'height', 'depth'] as const) {
        const stated = r.pairs.some(
          (p) => p.family === EXTENT_FAMILY[axis] && p.subjects.includes(n.id),
        );
        if (n.extentStatus![axis] === 'observed') continue;
        bounded++;
        expect(stated).toBe(false);
      }
    expect(bounded).toBeGreaterThan(0);
    // Observed extents of the same graph are still asked about.
    expect(r.pairs.some((p) => p.family === 'height')).toBe(true);
  });
});
