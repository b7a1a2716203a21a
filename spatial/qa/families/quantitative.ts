// Quantitative families. Pair metrics come from metric edges (direct = centre to centre, gap =
// closest points, horizontal = ground plane, vertical = along gravity, direction = clock position
// of B seen from A); node metrics come from node fields (extent.width / .height / .depth,
// distanceFromCamera, elevation). Vertical facts and elevation need an aligned frame; extents
// the graph states as only bounded give no QA.

import type { ExtentStatuses, SceneNode } from '../../scene/scene-graph';
import type { MetricName } from '../facts';
import { clockHour } from '../units';
import type { FamilyDef } from './types';

function pairMetric(family: string, predicate: MetricName, needsAligned = false): FamilyDef {
  return {
    family,
    id: family,
    kind: 'quantitative',
    arity: 2,
    needsAligned,
    types: [family],
    build(ctx, [i, j], rng) {
      const swap = rng() < 0.5;
      const a = (swap ? j : i) as number;
      const b = (swap ? i : j) as number;
      const r = ctx.facts.metric(a, b, predicate);
      if (!r.ok) return r.reason;
      const m = ctx.opts.margins;
      const touching = family === 'gap' && r.value < m.touching;
      if (!touching && r.value < m.minLength) return 'too-small';
      return [
        {
          type: family,
          kind: 'quantitative',
          qGroup: 'default',
          aGroup: touching ? 'touching' : 'default',
          subjects: [a, b],
          roles: { A: a, B: b },
          lengths: { value: r.value },
          displayLength: touching ? undefined : 'value',
          value: r.value,
          valueType: 'meters',
          unit: 'm',
          dependsOn: [a, b],
        },
      ];
    },
  };
}

const direction: FamilyDef = {
  family: 'direction',
  id: 'direction',
  kind: 'quantitative',
  arity: 2,
  types: ['direction'],
  build(ctx, [i, j], rng) {
    const swap = rng() < 0.5;
    let a = (swap ? j : i) as number;
    let b = (swap ? i : j) as number;
    let r = ctx.facts.metric(a, b, 'direction');
    if (!r.ok) {
      // the stored direction may only exist the other way round; use that edge as it is
      [a, b] = [b, a];
      r = ctx.facts.metric(a, b, 'direction');
    }
    if (!r.ok) return r.reason;
    const hour = clockHour(r.value);
    if (hour === null) return 'edge-invalid';
    return [
      {
        type: 'direction',
        kind: 'quantitative',
        qGroup: 'default',
        aGroup: 'default',
        subjects: [a, b],
        roles: { A: a, B: b },
        vars: { hour: `${hour} o'clock` },
        value: hour,
        valueType: 'oclock',
        unit: 'oclock',
        dependsOn: [a, b],
        axis: 'direction',
      },
    ];
  },
};

/**
 * An extent the graph states as only bounded (an end hidden by an occluder, by the object itself
 * or by the image border: scene/DEFINITIONS.md "Observed and bounded extents") is not a
 * measurement, so no QA states it as one. Graphs without `extentStatus` (before issue 20) count
 * every extent as observed.
 */
function observedExtent(axis: keyof ExtentStatuses): (n: SceneNode) => number | null | 'bounded' {
  return (n) => {
    const status = n.extentStatus?.[axis];
    return status !== undefined && status !== 'observed' ? 'bounded' : n.extent[axis];
  };
}

function nodeMetric(
  family: string,
  read: (n: SceneNode) => number | null | 'bounded',
  needsAligned = false,
): FamilyDef {
  return {
    family,
    id: family,
    kind: 'quantitative',
    arity: 1,
    needsAligned,
    types: [family],
    build(ctx, [a]) {
      const n = ctx.facts.byId.get(a as number) as SceneNode;
      const v = read(n);
      if (v === 'bounded') return `${family}-bounded`;
      if (v === null || !Number.isFinite(v) || v < 0) return `${family}-unknown`;
      const onFloor = family === 'elevation' && v < ctx.opts.margins.onFloor;
      if (!onFloor && v < ctx.opts.margins.minLength) return 'too-small';
      return [
        {
          type: family,
          kind: 'quantitative',
          qGroup: 'default',
          aGroup: onFloor ? 'floor' : 'default',
          subjects: [n.id],
          roles: { A: n.id },
          lengths: { value: v },
          displayLength: onFloor ? undefined : 'value',
          value: v,
          valueType: 'meters',
          unit: 'm',
          dependsOn: [n.id],
          axis: family,
        },
      ];
    },
  };
}

export const QUANTITATIVE_FAMILIES: FamilyDef[] = [
  pairMetric('direct_distance', 'direct_distance'),
  pairMetric('horizontal_distance', 'horizontal_distance'),
  pairMetric('vertical_distance', 'vertical_distance', true),
  pairMetric('gap', 'closest_distance'),
  direction,
  nodeMetric('width', observedExtent('width')),
  nodeMetric('height', observedExtent('height')),
  nodeMetric('depth_extent', observedExtent('depth')),
  nodeMetric('distance_from_camera', (n) => n.distanceFromCamera),
  nodeMetric('elevation', (n) => n.elevation, true),
];
