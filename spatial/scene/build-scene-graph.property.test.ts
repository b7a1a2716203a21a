// Property tests over seeded random synthetic scenes (ray-cast depth, noise, holes, varying camera
// height, pitch and roll): the frame, every measurement within the stated tolerance (test-support
// TOL) for unoccluded objects, and every qualitative relation correct whenever the true difference
// exceeds its margin plus the measurement slack.
import { describe, expect, it } from 'vitest';
import { buildSceneGraph } from './build-scene-graph';
import {
  aabbCentre,
  angleDifference,
  azimuthFromCamera,
  clockDirection,
  obbVolume,
} from './measurements';
import { leftRightDecision, MARGINS, marginOf } from './relations';
import type { SceneEdge, SceneGraph, SceneNode } from './scene-graph';
import { makeSyntheticScene, truthOf, type SynthScene, type SynthShape } from './synthetic-scene';
import { footprintOf, rangeOf, sceneInput, TOL, topGrazing, unoccluded } from './test-support';

const SCENES = 120;

function has(g: SceneGraph, s: number, o: number, p: SceneEdge['predicate']): boolean {
  return g.edges.some((e) => e.subject === s && e.object === o && e.predicate === p);
}

function allFinite(g: SceneGraph): boolean {
  const nums: number[] = [...g.frame.rotation, ...g.frame.translation];
  for (const n of g.nodes)
    nums.push(
      ...n.centroid,
      ...n.aabb.min,
      ...n.aabb.max,
      ...n.obb.center,
      ...n.obb.extent,
      n.obb.yaw,
      n.extent.width,
      n.extent.height,
      n.extent.depth,
      n.distanceFromCamera,
      n.elevation ?? 0,
    );
  for (const e of g.edges) nums.push(e.value ?? 0, e.margin ?? 0);
  return nums.every(Number.isFinite);
}

interface Checked {
  node: SceneNode;
  shape: SynthShape;
}

describe(`synthetic scenes with masks (${SCENES} seeds)`, () => {
  const stats = { objects: 0, pairs: 0, decided: 0 };
  const results: { sc: SynthScene; g: SceneGraph }[] = [];
  for (let seed = 0; seed < SCENES; seed++) {
    const sc = makeSyntheticScene(seed);
    results.push({ sc, g: buildSceneGraph(sceneInput(sc)) });
  }

  it('finds the floor: level frame, camera height, origin below the camera', () => {
    for (const { sc, g } of results) {
      expect(g.frame.gravitySource).toBe('floor-plane');
      expect(g.frame.aligned).toBe(true);
      expect(g.frame.floorY).toBe(0);
      expect(Math.abs(g.frame.cameraHeight! - sc.cameraHeight)).toBeLessThan(TOL.cameraHeight);
      const R = g.frame.rotation;
      const cosUp = R[3]! * sc.up[0] + R[4]! * sc.up[1] + R[5]! * sc.up[2];
      expect((Math.acos(Math.min(1, cosUp)) * 180) / Math.PI).toBeLessThan(TOL.upDeg);
      // Heading follows the camera: world +z is the optical axis projected on the ground.
      expect(R[8]!).toBeGreaterThan(0.8);
      expect(allFinite(g)).toBe(true);
    }
  });

  it('measures unoccluded objects within tolerance (extents, centre, elevation, range)', () => {
    for (const { sc, g } of results) {
      for (const shape of sc.shapes) {
        const node = g.nodes.find((n) => n.id === shape.id);
        if (!node || !unoccluded(sc, shape)) continue;
        stats.objects++;
        expect(node.quality.ok, `seed ${sc.shapes.length} ${node.quality.flags}`).toBe(true);
        const t = truthOf(shape);
        const fp = footprintOf(sc, shape);
        expect(Math.abs(node.extent.width - t.extent.width)).toBeLessThan(
          TOL.extent(t.extent.width, fp),
        );
        expect(Math.abs(node.extent.height - t.extent.height)).toBeLessThan(
          TOL.extent(t.extent.height, fp),
        );
        const graze = topGrazing(sc, shape);
        if (graze > (8 * Math.PI) / 180)
          expect(Math.abs(node.extent.depth - t.extent.depth)).toBeLessThan(
            TOL.depthExtent(t.extent.depth, fp, graze),
          );
        const c = aabbCentre(node.aabb);
        const err = Math.hypot(c[0] - t.centre[0], c[1] - t.centre[1], c[2] - t.centre[2]);
        expect(err).toBeLessThan(TOL.centre(rangeOf(sc, shape), fp));
        expect(Math.abs(node.elevation! - t.elevation)).toBeLessThan(TOL.elevation);
        // Closest point is nearer than the centre and not nearer than the box allows.
        expect(node.distanceFromCamera).toBeLessThan(rangeOf(sc, shape));
        expect(node.distanceFromCamera).toBeGreaterThan(0.5 * rangeOf(sc, shape));
        expect(node.maskProvenance).toBe('model');
        expect(node.maskRef).toBe(`mask:${shape.id}`);
      }
    }
    expect(stats.objects).toBeGreaterThan(200);
  });

  it('gets every qualitative relation right beyond its margin, and metric edges within tolerance', () => {
    for (const { sc, g } of results) {
      const ok: Checked[] = [];
      for (const shape of sc.shapes) {
        const node = g.nodes.find((n) => n.id === shape.id);
        if (node && node.quality.ok && unoccluded(sc, shape)) ok.push({ node, shape });
      }
      for (let i = 0; i < ok.length; i++)
        for (let j = i + 1; j < ok.length; j++) {
          const { node: a, shape: sa } = ok[i]!;
          const { node: b, shape: sb } = ok[j]!;
          stats.pairs++;
          const ta = truthOf(sa);
          const tb = truthOf(sb);
          // Slack: what the two measurements may be off by (centre tolerance of both).
          const slack =
            TOL.centre(rangeOf(sc, sa), footprintOf(sc, sa)) +
            TOL.centre(rangeOf(sc, sb), footprintOf(sc, sb));
          const check = (
            trueDiff: number,
            margin: number,
            pos: SceneEdge['predicate'],
            neg: SceneEdge['predicate'],
            slackHere: number,
          ): void => {
            if (trueDiff > margin + slackHere) {
              stats.decided++;
              expect(has(g, a.id, b.id, pos), `${pos} seed-scene pair ${a.id},${b.id}`).toBe(true);
              expect(has(g, b.id, a.id, neg)).toBe(true);
            } else if (trueDiff < -(margin + slackHere)) {
              stats.decided++;
              expect(has(g, a.id, b.id, neg), `${neg} pair ${a.id},${b.id}`).toBe(true);
            }
            // Never the opposite of the truth once the truth is beyond the slack.
            if (trueDiff > slackHere) expect(has(g, a.id, b.id, neg)).toBe(false);
            if (trueDiff < -slackHere) expect(has(g, a.id, b.id, pos)).toBe(false);
          };
          const M = MARGINS;
          // Left/right: azimuths seen from the camera (at x = z = 0), slack = the angle each
          // centre tolerance subtends at its ground range.
          const degSlack = (s: SynthShape, c: readonly number[]) =>
            (Math.atan2(TOL.centre(rangeOf(sc, s), footprintOf(sc, s)), Math.hypot(c[0]!, c[2]!)) *
              180) /
            Math.PI;
          check(
            angleDifference(
              azimuthFromCamera(g.frame, ta.centre),
              azimuthFromCamera(g.frame, tb.centre),
            ),
            leftRightDecision(g.frame, a, b).margin,
            'left_of',
            'right_of',
            degSlack(sa, ta.centre) + degSlack(sb, tb.centre),
          );
          check(
            tb.centre[2] - ta.centre[2],
            marginOf(M.frontBehind, (a.extent.depth + b.extent.depth) / 2),
            'in_front_of',
            'behind',
            slack,
          );
          check(
            ta.centre[1] - tb.centre[1],
            marginOf(M.aboveBelow, (a.extent.height + b.extent.height) / 2),
            'above',
            'below',
            slack,
          );
          const exSlack = (x: SynthShape, v: number): number => TOL.extent(v, footprintOf(sc, x));
          check(
            ta.extent.height - tb.extent.height,
            marginOf(M.taller, Math.max(a.extent.height, b.extent.height)),
            'taller_than',
            'shorter_than',
            exSlack(sa, ta.extent.height) + exSlack(sb, tb.extent.height),
          );
          check(
            ta.extent.width - tb.extent.width,
            marginOf(M.wider, Math.max(a.extent.width, b.extent.width)),
            'wider_than',
            'thinner_than',
            exSlack(sa, ta.extent.width) + exSlack(sb, tb.extent.width),
          );
          // Volume: decided when the true ratio exceeds 1.25 (margin) and the 40% measurement slack.
          const va = ta.volume;
          const vb = tb.volume;
          if (va > 1.25 * 1.4 * vb) expect(has(g, a.id, b.id, 'bigger_than')).toBe(true);
          if (vb > 1.25 * 1.4 * va) expect(has(g, a.id, b.id, 'smaller_than')).toBe(true);
          if (va > 1.4 * vb) expect(has(g, a.id, b.id, 'smaller_than')).toBe(false);
          if (vb > 1.4 * va) expect(has(g, a.id, b.id, 'bigger_than')).toBe(false);
          const bigger = g.edges.find(
            (e) => e.subject === a.id && e.object === b.id && e.predicate === 'bigger_than',
          );
          if (bigger)
            expect(bigger.value).toBeCloseTo(Math.abs(obbVolume(a.obb) - obbVolume(b.obb)), 3);
          // Metric edges, stated once per pair (subject = lower id).
          const edge = (p: SceneEdge['predicate']): SceneEdge => {
            const e = g.edges.find(
              (x) =>
                x.predicate === p &&
                ((x.subject === a.id && x.object === b.id) ||
                  (x.subject === b.id && x.object === a.id)),
            );
            expect(e, p).toBeDefined();
            return e!;
          };
          const dx = tb.centre[0] - ta.centre[0];
          const dy = tb.centre[1] - ta.centre[1];
          const dz = tb.centre[2] - ta.centre[2];
          expect(Math.abs(edge('direct_distance').value! - Math.hypot(dx, dy, dz))).toBeLessThan(
            slack,
          );
          expect(Math.abs(edge('horizontal_distance').value! - Math.hypot(dx, dz))).toBeLessThan(
            slack,
          );
          expect(Math.abs(edge('vertical_distance').value! - Math.abs(dy))).toBeLessThan(slack);
          const gap = edge('closest_distance').value!;
          expect(gap).toBeLessThanOrEqual(edge('direct_distance').value!);
          let tg = 0;
          for (let k = 0; k < 3; k++)
            tg +=
              Math.max(0, tb.aabb.min[k]! - ta.aabb.max[k]!, ta.aabb.min[k]! - tb.aabb.max[k]!) **
              2;
          expect(Math.abs(gap - Math.sqrt(tg))).toBeLessThan(slack);
          if (Math.hypot(dx, dz) > 0.3) {
            const dir = g.edges.find(
              (e) => e.subject === a.id && e.object === b.id && e.predicate === 'direction',
            )!;
            const want = clockDirection(ta.centre, tb.centre);
            const diff = Math.abs(dir.value! - want);
            expect(Math.min(diff, 12 - diff)).toBeLessThan(0.5);
          }
        }
    }
    expect(stats.pairs).toBeGreaterThan(150);
    expect(stats.decided).toBeGreaterThan(300);
  });

  it('states on_top_of for stacked shapes and never for separate ones', () => {
    let stacked = 0;
    for (const { sc, g } of results) {
      for (const s of sc.shapes) {
        const top = g.nodes.find((n) => n.id === s.id);
        if (!top?.quality.ok) continue;
        for (const o of sc.shapes) {
          if (o.id === s.id) continue;
          const base = g.nodes.find((n) => n.id === o.id);
          if (!base?.quality.ok) continue;
          const edge = has(g, s.id, o.id, 'on_top_of');
          if (s.on === o.id && unoccluded(sc, s) && base.numPoints > 500) {
            stacked++;
            expect(edge, `stacked ${s.id} on ${o.id}`).toBe(true);
          }
          if (Math.abs(s.y0 - o.y1) > 0.1 || s.on === null) expect(edge).toBe(false);
        }
      }
    }
    expect(stacked).toBeGreaterThan(10);
  });
});
