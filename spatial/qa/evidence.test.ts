// The numbers on a review card come from the QA's scene graph: azimuths for left/right, value and
// endpoints for metric answers, with the endpoints' distance equal to the stated value.
import { describe, expect, it } from 'vitest';
import { aabbCentre, azimuthFromCamera } from '../scene/measurements';
import { relateNodes } from '../scene/relations';
import type { SceneGraph, SceneNode, Vec3 } from '../scene/scene-graph';
import { qaEvidence, projectToImage } from './evidence';
import { generateQa } from './generate';

function node(id: number, label: string, c: Vec3, size: Vec3): SceneNode {
  const min: Vec3 = [c[0] - size[0] / 2, c[1] - size[1] / 2, c[2] - size[2] / 2];
  const max: Vec3 = [c[0] + size[0] / 2, c[1] + size[1] / 2, c[2] + size[2] / 2];
  return {
    id,
    label,
    attributes: [],
    bbox2d: [0, 0, 10, 10],
    maskRef: null,
    maskProvenance: null,
    centroid: c,
    aabb: { min, max },
    obb: { center: c, extent: size, yaw: 0 },
    extent: { width: size[0], height: size[1], depth: size[2] },
    numPoints: 500,
    elevation: min[1],
    distanceFromCamera: Math.hypot(c[0], c[1] - 1.5, c[2] - size[2] / 2),
    quality: { ok: true, flags: [] },
  };
}

/** A level camera 1.5 m above the floor; the corridor frame of the issue, three objects. */
function corridor(): SceneGraph {
  const frame = {
    gravitySource: 'given' as const,
    aligned: true,
    rotation: [1, 0, 0, 0, -1, 0, 0, 0, 1],
    translation: [0, 1.5, 0] as Vec3,
    floorY: 0,
    cameraHeight: 1.5,
  };
  const nodes = [
    node(3, 'partition', [0.5, 0.9, 1.2], [0.1, 1.8, 0.3]),
    node(5, 'cabinet', [1.0, 0.6, 6.0], [0.6, 1.2, 0.5]),
    node(8, 'chair', [-0.8, 0.45, 3.0], [0.5, 0.9, 0.5]),
  ];
  return {
    width: 640,
    height: 480,
    intrinsics: { fx: 500, fy: 500, cx: 320, cy: 240, source: 'test' },
    frame,
    nodes,
    edges: relateNodes(nodes, frame),
  };
}

const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

describe('QA evidence', () => {
  const g = corridor();
  const qa = generateQa(g, { imageId: 'img', maxPerFamily: Infinity, naming: ['region'] }).pairs;

  it('left/right QA carry both azimuths from the graph and the relation the graph states', () => {
    const lr = qa.filter((p) => p.family === 'left_right');
    expect(lr.length).toBeGreaterThan(0);
    for (const p of lr) {
      const ev = qaEvidence(g, p)!;
      expect(ev.azimuths.map((a) => a.objectId)).toEqual(p.subjects);
      for (const a of ev.azimuths) {
        const n = g.nodes.find((x) => x.id === a.objectId)!;
        expect(a.degrees).toBeCloseTo(azimuthFromCamera(g.frame, aabbCentre(n.aabb)), 9);
        expect(a.centre.world).toEqual(aabbCentre(n.aabb));
      }
      const [cmp] = ev.comparisons;
      expect(cmp!.difference).toBeCloseTo(ev.azimuths[1]!.degrees - ev.azimuths[0]!.degrees, 9);
      const edge = g.edges.find(
        (e) => e.subject === p.subjects[0] && e.object === p.subjects[1] && e.unit === 'deg',
      );
      expect(cmp!.stated).toBe(edge?.predicate ?? null);
      expect(Math.abs(cmp!.difference)).toBeCloseTo(edge!.value!, 3);
      // A yes/no "left" question is answered yes exactly when the subject's azimuth is smaller.
      if (p.type === 'left_predicate') expect(p.value).toBe(cmp!.difference > 0);
    }
    // The corridor case: the partition (nearer, x 0.5) is seen right of the cabinet (x 1.0).
    const pc = g.edges.find((e) => e.subject === 3 && e.object === 5 && e.unit === 'deg');
    expect(pc?.predicate).toBe('right_of');
  });

  it('metric QA carry value, unit and two endpoints whose distance is the value', () => {
    const families = new Set<string>();
    for (const p of qa) {
      if (p.valueType !== 'meters') continue;
      const ev = qaEvidence(g, p)!;
      families.add(p.family);
      expect(ev.lengths.length, p.family).toBeGreaterThan(0);
      for (const l of ev.lengths) {
        expect(l.unit).toBe('m');
        expect(dist(l.from.world, l.to.world), `${p.family} ${l.measure}`).toBeCloseTo(l.value, 3);
      }
      if (p.kind === 'quantitative') expect(ev.lengths[0]!.value).toBeCloseTo(p.value as number, 9);
    }
    for (const f of [
      'direct_distance',
      'horizontal_distance',
      'vertical_distance',
      'gap',
      'width',
      'height',
      'depth_extent',
      'elevation',
      'distance_from_camera',
    ])
      expect(families, f).toContain(f);
  });

  it('direct distances are measured between the two box centres', () => {
    const p = qa.find((x) => x.family === 'direct_distance')!;
    const [l] = qaEvidence(g, p)!.lengths;
    const [a, b] = p.subjects.map((id) => g.nodes.find((n) => n.id === id)!);
    expect(l!.from).toMatchObject({ objectId: a!.id, role: 'centre', world: aabbCentre(a!.aabb) });
    expect(l!.to).toMatchObject({ objectId: b!.id, role: 'centre', world: aabbCentre(b!.aabb) });
  });

  it('multi-hop steps bring the facts they read (middle: three azimuths)', () => {
    const middle = qa.find((p) => p.family === 'middle');
    expect(middle).toBeDefined();
    const ev = qaEvidence(g, middle!)!;
    expect(ev.azimuths.map((a) => a.objectId).sort()).toEqual([...middle!.subjects].sort());
    expect(ev.comparisons.length).toBe(middle!.steps!.length);
  });

  it('projects points with the graph intrinsics; none behind the camera; null for unknown objects', () => {
    expect(projectToImage(g, [0, 1.5, 2])).toEqual([320, 240]);
    expect(projectToImage(g, [1, 1.5, 2])).toEqual([570, 240]);
    expect(projectToImage(g, [0, 0.5, 2])).toEqual([320, 490]);
    expect(projectToImage(g, [0, 1.5, -1])).toBeNull();
    expect(qaEvidence(g, { family: 'left_right', subjects: [3, 99] })).toBeNull();
  });
});
