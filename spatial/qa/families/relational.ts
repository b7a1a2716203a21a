// Relational families from SpatialVLM: "which of A and B is closer to C" (two direct_distance
// edges compared with the distance margin), counting by relation ("how many objects are left of
// the lamp", every other object's relation must be decided), and support ("what is on the table",
// from on_top_of edges; "is A on B", no only when a closest_distance gap proves they don't touch).

import type { Axis } from '../facts';
import { marginFor } from '../types';
import type { Draft, FamilyDef } from './types';
import { countWord } from '../units';

const closerTo: FamilyDef = {
  family: 'closer_to',
  id: 'closer_to',
  kind: 'qualitative',
  arity: 3,
  types: ['closer_choice', 'farther_choice'],
  build(ctx, tuple, rng) {
    const ids = [...tuple];
    const c = ids.splice(Math.floor(rng() * 3), 1)[0] as number;
    if (rng() < 0.5) ids.reverse();
    const [a, b] = ids as [number, number];
    const da = ctx.facts.metric(a, c, 'direct_distance');
    const db = ctx.facts.metric(b, c, 'direct_distance');
    if (!da.ok) return da.reason;
    if (!db.ok) return db.reason;
    const polarity = rng() < 0.5 ? 'closer' : 'farther';
    const base = {
      type: `${polarity}_choice`,
      kind: 'qualitative' as const,
      qGroup: 'choice',
      vocab: polarity,
      subjects: [a, b, c],
      dependsOn: [a, b, c],
      unit: null,
    };
    const m = marginFor(ctx.opts.margins.distance, da.value, db.value);
    if (Math.abs(da.value - db.value) < m)
      return [
        { ...base, roles: { A: a, B: b, C: c }, aGroup: 'same', value: null, valueType: 'same' },
      ];
    const closer = da.value < db.value ? a : b;
    const x = polarity === 'closer' ? closer : closer === a ? b : a;
    const y = x === a ? b : a;
    return [
      {
        ...base,
        roles: { A: a, B: b, C: c, X: x, Y: y },
        aGroup: 'choice',
        value: x,
        valueType: 'object',
      },
    ];
  },
};

/** Counting relations: entry -> (axis, relation of the counted object to A). */
const COUNT_RELATIONS: { entry: string; axis: Axis; rel: 'pos' | 'neg' }[] = [
  { entry: 'left', axis: 'left_right', rel: 'pos' },
  { entry: 'right', axis: 'left_right', rel: 'neg' },
  { entry: 'front', axis: 'behind_front', rel: 'neg' },
  { entry: 'behind', axis: 'behind_front', rel: 'pos' },
  { entry: 'above', axis: 'above_below', rel: 'pos' },
  { entry: 'below', axis: 'above_below', rel: 'neg' },
];

const countRelation: FamilyDef = {
  family: 'count_relation',
  id: 'count_relation',
  kind: 'quantitative',
  arity: 1,
  types: ['count_relation'],
  build(ctx, [a], rng) {
    const f = ctx.facts;
    if (f.usable.length < 2) return 'count-no-others';
    // An excluded object still stands in the image: a count without it could be wrong.
    if (f.all.length !== f.usable.length || f.excluded.length > 0) return 'count-incomplete';
    const choices = COUNT_RELATIONS.filter((r) => f.aligned || r.axis !== 'above_below');
    const r = choices[Math.floor(rng() * choices.length)] as (typeof COUNT_RELATIONS)[number];
    let count = 0;
    for (const n of f.usable) {
      if (n.id === a) continue;
      const rel = f.relation(n.id, a as number, r.axis);
      if (rel === 'unmet') return 'count-borderline';
      if (rel !== 'pos' && rel !== 'neg') return 'count-incomplete';
      if (rel === r.rel) count++;
    }
    return [
      {
        type: 'count_relation',
        kind: 'quantitative',
        qGroup: 'default',
        aGroup: 'default',
        vocab: r.entry,
        subjects: [a as number],
        roles: { A: a as number },
        vars: {
          count: countWord(count),
          objects: count === 1 ? 'object' : 'objects',
          be: count === 1 ? 'is' : 'are',
        },
        value: count,
        valueType: 'count',
        unit: 'count',
        dependsOn: f.usable.map((n) => n.id),
      },
    ];
  },
};

const supportList: FamilyDef = {
  family: 'support',
  id: 'support_list',
  kind: 'qualitative',
  arity: 1,
  needsAligned: true,
  types: ['support_list'],
  build(ctx, [a]) {
    const f = ctx.facts;
    const items = f.supported(a as number);
    if (items.length === 0) return 'nothing-supported';
    if (f.supportIncomplete.has(a as number)) return 'count-incomplete';
    const d: Draft = {
      type: 'support_list',
      kind: 'qualitative',
      qGroup: 'list',
      aGroup: 'list',
      subjects: [a as number, ...items],
      roles: { A: a as number },
      lists: { list: items },
      vars: { be: items.length === 1 ? 'is' : 'are' },
      value: items,
      valueType: 'objects',
      unit: null,
      // "what is on X" also says nothing else is on X: it depends on every object
      dependsOn: f.all.map((n) => n.id),
    };
    return [d];
  },
};

const supportPredicate: FamilyDef = {
  family: 'support',
  id: 'support_predicate',
  kind: 'qualitative',
  arity: 2,
  needsAligned: true,
  types: ['support_predicate'],
  build(ctx, [i, j], rng) {
    const swap = rng() < 0.5;
    const a = (swap ? j : i) as number;
    const b = (swap ? i : j) as number;
    const f = ctx.facts;
    let holds: boolean;
    if (f.edge(a, b, 'on_top_of')) holds = true;
    else if (f.edge(b, a, 'on_top_of')) holds = false;
    else {
      const gap = f.metric(a, b, 'closest_distance');
      if (!gap.ok) return 'relation-unknown';
      if (gap.value < ctx.opts.margins.distance.abs) return 'relation-unknown';
      holds = false;
    }
    return [
      {
        type: 'support_predicate',
        kind: 'qualitative',
        qGroup: 'predicate',
        aGroup: holds ? 'yes' : 'no',
        subjects: [a, b],
        roles: { A: a, B: b },
        value: holds,
        valueType: 'boolean',
        unit: null,
        dependsOn: [a, b],
      },
    ];
  },
};

export const RELATIONAL_FAMILIES: FamilyDef[] = [
  closerTo,
  countRelation,
  supportList,
  supportPredicate,
];
