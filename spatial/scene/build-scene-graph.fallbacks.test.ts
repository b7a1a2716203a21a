// Frame fallbacks, box -> mask without a segmentation model, given gravity, and bad input: flagged
// objects or clear errors, never NaN, never a crash.
import { describe, expect, it } from 'vitest';
import { buildScene, buildSceneGraph, SceneInputError } from './build-scene-graph';
import { aabbCentre } from './measurements';
import type { SceneGraph } from './scene-graph';
import { makeSyntheticScene, truthOf, visibleBox } from './synthetic-scene';
import { footprintOf, rangeOf, sceneInput, TOL, unoccluded } from './test-support';

function finiteGraph(g: SceneGraph): boolean {
  return (
    JSON.stringify(g, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? 'BAD' : v,
    ).indexOf('"BAD"') < 0
  );
}

const VERTICAL = new Set([
  'above',
  'below',
  'taller_than',
  'shorter_than',
  'same_height',
  'on_top_of',
  'vertical_distance',
]);

describe('no floor visible (30 seeds): camera axes, no elevation facts', () => {
  it('falls back to an unaligned frame and states no vertical facts', () => {
    let lr = 0;
    for (let seed = 0; seed < 30; seed++) {
      const sc = makeSyntheticScene(500 + seed, { noFloor: true });
      const g = buildSceneGraph(sceneInput(sc));
      expect(g.frame.gravitySource).toBe('camera-axes');
      expect(g.frame.aligned).toBe(false);
      expect(g.frame.floorY).toBeNull();
      expect(g.frame.cameraHeight).toBeNull();
      expect(g.frame.translation).toEqual([0, 0, 0]);
      expect(finiteGraph(g)).toBe(true);
      for (const n of g.nodes) expect(n.elevation).toBeNull();
      expect(g.edges.filter((e) => VERTICAL.has(e.predicate))).toEqual([]);
      // Left/right still follow the viewer (directions seen from the camera) when clearly
      // separated: the camera axes differ from the level frame by the camera's pitch and roll.
      const ok = g.nodes.filter((n) => n.quality.ok);
      const azimuth = (c: readonly number[]) => (Math.atan2(c[0]!, c[2]!) * 180) / Math.PI;
      for (const a of ok)
        for (const b of ok) {
          const ta = truthOf(sc.shapes.find((s) => s.id === a.id)!);
          const tb = truthOf(sc.shapes.find((s) => s.id === b.id)!);
          if (azimuth(tb.centre) - azimuth(ta.centre) > 12) {
            lr++;
            expect(
              g.edges.some(
                (e) => e.subject === a.id && e.object === b.id && e.predicate === 'left_of',
              ),
            ).toBe(true);
          }
        }
    }
    expect(lr).toBeGreaterThan(20);
  });
});

describe('given gravity', () => {
  it('uses the given up vector and still finds the floor height', () => {
    for (let seed = 0; seed < 10; seed++) {
      const sc = makeSyntheticScene(700 + seed);
      const g = buildSceneGraph(sceneInput(sc, { gravity: true }));
      expect(g.frame.gravitySource).toBe('given');
      expect(
        g.frame.rotation[3]! * sc.up[0] +
          g.frame.rotation[4]! * sc.up[1] +
          g.frame.rotation[5]! * sc.up[2],
      ).toBeCloseTo(1, 9);
      expect(Math.abs(g.frame.cameraHeight! - sc.cameraHeight)).toBeLessThan(TOL.cameraHeight);
    }
  });
});

describe('box -> mask from the dominant depth cluster (40 seeds, no masks given)', () => {
  it('measures objects alone in their 2D box like masked ones, provenance depth-cluster', () => {
    let checked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const sc = makeSyntheticScene(900 + seed);
      const { graph: g, derivedMasks } = buildScene(sceneInput(sc, { masks: false }));
      expect(finiteGraph(g)).toBe(true);
      for (const shape of sc.shapes) {
        const node = g.nodes.find((n) => n.id === shape.id);
        if (!node) continue;
        expect(node.maskProvenance).toBe('depth-cluster');
        expect(node.maskRef).toBeNull();
        // Only objects alone in their box (no other object's pixel inside it) and unoccluded.
        const b = visibleBox(sc, shape.id)!;
        let alone = true;
        for (let v = b[1]; v < b[3] && alone; v++)
          for (let u = b[0]; u < b[2]; u++) {
            const id = sc.ids[v * sc.width + u]!;
            if (id >= 0 && id !== shape.id) {
              alone = false;
              break;
            }
          }
        if (!alone || !unoccluded(sc, shape) || shape.on !== null) continue;
        checked++;
        expect(node.quality.ok).toBe(true);
        expect(derivedMasks.get(shape.id)!.size).toEqual([sc.height, sc.width]);
        const t = truthOf(shape);
        const fp = footprintOf(sc, shape);
        // Looser than with masks: the floor band under the object is cut and snapped back.
        expect(Math.abs(node.extent.width - t.extent.width)).toBeLessThan(
          TOL.extent(t.extent.width, fp) + 0.02,
        );
        expect(Math.abs(node.extent.height - t.extent.height)).toBeLessThan(
          TOL.extent(t.extent.height, fp) + 0.02,
        );
        const c = aabbCentre(node.aabb);
        expect(Math.hypot(c[0] - t.centre[0], c[1] - t.centre[1], c[2] - t.centre[2])).toBeLessThan(
          TOL.centre(rangeOf(sc, shape), fp) + 0.03,
        );
        expect(Math.abs(node.elevation!)).toBeLessThan(TOL.elevation);
      }
    }
    expect(checked).toBeGreaterThan(25);
  });
});

describe('bad input', () => {
  const sc = makeSyntheticScene(42);
  const base = sceneInput(sc);

  it('all-zero depth: every object flagged, no edges, no NaN', () => {
    const g = buildSceneGraph({ ...base, depth: new Float32Array(sc.width * sc.height) });
    expect(g.frame.gravitySource).toBe('camera-axes');
    expect(g.nodes.length).toBe(base.objects.length);
    for (const n of g.nodes) {
      expect(n.quality.ok).toBe(false);
      expect(n.quality.flags).toContain('no-valid-depth');
      expect(n.numPoints).toBe(0);
    }
    expect(g.edges).toEqual([]);
    expect(finiteGraph(g)).toBe(true);
  });

  it('depth in millimetres read as metres: flagged implausible, no facts', () => {
    const mm = sc.depth.map((z) => z * 1000);
    const { graph: g, notes } = buildScene({ ...base, depth: mm });
    expect(notes.join(' ')).toMatch(/depth-implausible-range/);
    for (const n of g.nodes) {
      expect(n.quality.ok).toBe(false);
      expect(n.quality.flags).toContain('depth-implausible-range');
    }
    expect(g.edges).toEqual([]);
    expect(finiteGraph(g)).toBe(true);
  });

  it('mask outside the image / wrong size, zero-area box, 3-point object', () => {
    const first = base.objects[0]!;
    const threePx = new Uint8Array(sc.width * sc.height);
    // Three pixels of the first object.
    let c = 0;
    for (let p = 0; p < sc.ids.length && c < 3; p++)
      if (sc.ids[p] === first.id && sc.depth[p]! > 0) {
        threePx[p] = 1;
        c++;
      }
    const g = buildSceneGraph({
      ...base,
      objects: [
        ...base.objects,
        {
          id: 100,
          label: 'off-image',
          bbox2d: [5000, 5000, 5100, 5100],
          mask: { rle: { size: [10, 10], counts: [0, 100] } },
        },
        { id: 101, label: 'flat', bbox2d: [10, 10, 10, 50] },
        {
          id: 102,
          label: 'tiny',
          bbox2d: [0, 0, 1, 1],
          mask: { bitmap: threePx, width: sc.width, height: sc.height },
        },
        { id: 103, label: 'nan box', bbox2d: [NaN, 0, 10, 10] },
        {
          id: 104,
          label: 'bad rle',
          bbox2d: [0, 0, 10, 10],
          mask: { rle: { size: [sc.height, sc.width], counts: [1e9, 5] } },
        },
      ],
    });
    const node = (id: number) => g.nodes.find((n) => n.id === id)!;
    expect(node(100).quality.ok).toBe(false);
    expect(node(100).quality.flags).toEqual(
      expect.arrayContaining(['mask-size-mismatch:10x10', 'box-empty-or-outside-image']),
    );
    expect(node(101).quality.flags).toContain('zero-area-box');
    expect(node(102).quality.ok).toBe(false);
    expect(node(102).quality.flags).toContain('too-few-points');
    expect(node(102).numPoints).toBe(3);
    expect(node(103).quality.ok).toBe(false);
    expect(node(103).bbox2d).toEqual([0, 0, 10, 10]);
    // An unreadable mask falls back to the box's depth cluster (here a patch of wall).
    expect(node(104).quality.flags).toEqual(['mask-invalid', 'mask-ignored-box-used']);
    expect(node(104).maskProvenance).toBe('depth-cluster');
    expect(finiteGraph(g)).toBe(true);
    // Bad objects never appear in edges; good ones still relate.
    const bad = new Set([100, 101, 102, 103]);
    expect(g.edges.some((e) => bad.has(e.subject) || bad.has(e.object))).toBe(false);
    expect(g.edges.length).toBeGreaterThan(0);
  });

  it('wrong raster size or intrinsics: a clear error', () => {
    expect(() => buildSceneGraph({ ...base, depth: new Float32Array(10) })).toThrow(
      SceneInputError,
    );
    expect(() => buildSceneGraph({ ...base, intrinsics: { fx: 0, fy: 1, cx: 0, cy: 0 } })).toThrow(
      /fx and fy/,
    );
  });
});
