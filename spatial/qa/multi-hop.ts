// Multi-hop (chain-of-thought) QA: questions that need several facts. Each step of the chain is a
// fact read from the graph (a direct_distance or left_of/right_of edge), stored on the QA, and the
// answer is derived from the steps alone:
// - isosceles: do A, B, C form an isosceles triangle, i.e. do two of the three centre-to-centre
//   sides differ by less than the tolerance (0.1 m)? No question within the guard band of it.
// - closer_than: is A closer to B than C is? (distance margin, no question for near-ties)
// - middle: from left to right, which of A, B, C is in the middle? (three decided left/right edges)
// - path_length: how far from A to B and then to C? (sum of two distances)

import type { FamilyDef, StepDraft } from './families/types';
import type { SceneFacts } from './facts';
import { marginFor } from './types';

function distanceStep(facts: SceneFacts, a: number, b: number): StepDraft | string {
  const r = facts.metric(a, b, 'direct_distance');
  if (!r.ok) return r.reason;
  return {
    predicate: 'direct_distance',
    subjects: [a, b],
    value: r.value,
    say: (name) =>
      `distance from ${name(a)} to ${name(b)} (center to center): ${r.value.toFixed(2)} m`,
  };
}

/** Picks an order of the tuple with the rng (Fisher-Yates). */
function shuffled(tuple: number[], rng: () => number): number[] {
  const t = [...tuple];
  for (let i = t.length - 1; i > 0; i--) {
    const k = Math.floor(rng() * (i + 1));
    [t[i], t[k]] = [t[k] as number, t[i] as number];
  }
  return t;
}

const isosceles: FamilyDef = {
  family: 'isosceles',
  id: 'isosceles',
  kind: 'multi-hop',
  arity: 3,
  types: ['isosceles'],
  build(ctx, tuple, rng) {
    const [a, b, c] = shuffled(tuple, rng) as [number, number, number];
    const steps: StepDraft[] = [];
    for (const [p, q] of [
      [a, b],
      [b, c],
      [a, c],
    ] as const) {
      const s = distanceStep(ctx.facts, p, q);
      if (typeof s === 'string') return s;
      steps.push(s);
    }
    const sides = steps.map((s) => s.value as number);
    const [s1, s2, s3] = sides as [number, number, number];
    const minDiff = Math.min(Math.abs(s1 - s2), Math.abs(s2 - s3), Math.abs(s1 - s3));
    const tol = ctx.opts.margins.isosceles;
    if (Math.abs(minDiff - tol) < ctx.opts.margins.isoscelesGuard) return 'below-margin';
    const holds = minDiff < tol;
    steps.push({
      predicate: 'isosceles',
      subjects: [a, b, c],
      value: holds,
      say: () =>
        `closest pair of sides differs by ${minDiff.toFixed(2)} m, ${holds ? 'less' : 'not less'} than ${tol} m`,
    });
    return [
      {
        type: 'isosceles',
        kind: 'multi-hop',
        qGroup: 'default',
        aGroup: holds ? 'yes' : 'no',
        subjects: [a, b, c],
        roles: { A: a, B: b, C: c },
        lengthLists: { sides },
        vars: { tol: tol < 1 ? `${Math.round(tol * 100)} centimeters` : `${tol} meters` },
        value: holds,
        valueType: 'boolean',
        unit: null,
        steps,
        dependsOn: [a, b, c],
      },
    ];
  },
};

const closerThan: FamilyDef = {
  family: 'closer_than',
  id: 'closer_than',
  kind: 'multi-hop',
  arity: 3,
  types: ['closer_than'],
  build(ctx, tuple, rng) {
    const [a, b, c] = shuffled(tuple, rng) as [number, number, number];
    const ab = distanceStep(ctx.facts, a, b);
    if (typeof ab === 'string') return ab;
    const cb = distanceStep(ctx.facts, c, b);
    if (typeof cb === 'string') return cb;
    const dab = ab.value as number;
    const dcb = cb.value as number;
    if (Math.abs(dab - dcb) < marginFor(ctx.opts.margins.distance, dab, dcb)) return 'below-margin';
    const holds = dab < dcb;
    return [
      {
        type: 'closer_than',
        kind: 'multi-hop',
        qGroup: 'default',
        aGroup: holds ? 'yes' : 'no',
        subjects: [a, b, c],
        roles: { A: a, B: b, C: c },
        lengths: { dAB: dab, dCB: dcb },
        value: holds,
        valueType: 'boolean',
        unit: null,
        steps: [
          ab,
          cb,
          {
            predicate: 'closer_than',
            subjects: [a, b, c],
            value: holds,
            say: (name) =>
              `${dab.toFixed(2)} m ${holds ? '<' : '>'} ${dcb.toFixed(2)} m, so ${name(a)} is ${holds ? '' : 'not '}closer to ${name(b)} than ${name(c)} is`,
          },
        ],
        dependsOn: [a, b, c],
      },
    ];
  },
};

const middle: FamilyDef = {
  family: 'middle',
  id: 'middle',
  kind: 'multi-hop',
  arity: 3,
  types: ['middle'],
  build(ctx, tuple, rng) {
    const order = shuffled(tuple, rng);
    const steps: StepDraft[] = [];
    const leftCount = new Map<number, number>(order.map((id) => [id, 0]));
    for (let i = 0; i < 3; i++)
      for (let k = i + 1; k < 3; k++) {
        const p = order[i] as number;
        const q = order[k] as number;
        const rel = ctx.facts.relation(p, q, 'left_right');
        if (rel === 'unmet') return 'below-margin';
        if (rel === 'conflict') return 'relation-conflict';
        if (rel !== 'pos' && rel !== 'neg') return 'relation-unknown';
        const [l, r] = rel === 'pos' ? [p, q] : [q, p];
        leftCount.set(l, (leftCount.get(l) ?? 0) + 1);
        steps.push({
          predicate: 'left_of',
          subjects: [l, r],
          value: true,
          say: (name) => `${name(l)} is to the left of ${name(r)}`,
        });
      }
    // a consistent order has left-of counts 2, 1, 0
    const byCount = [...leftCount.entries()].sort((x, y) => y[1] - x[1]);
    if (byCount.map((e) => e[1]).join() !== '2,1,0') return 'relation-conflict';
    const [first, mid, last] = byCount.map((e) => e[0]) as [number, number, number];
    const [a, b, c] = order as [number, number, number];
    return [
      {
        type: 'middle',
        kind: 'multi-hop',
        qGroup: 'default',
        aGroup: 'choice',
        subjects: [a, b, c],
        roles: { A: a, B: b, C: c, X: mid, first, last },
        value: mid,
        valueType: 'object',
        unit: null,
        steps,
        dependsOn: [a, b, c],
        axis: 'left_right',
      },
    ];
  },
};

const pathLength: FamilyDef = {
  family: 'path_length',
  id: 'path_length',
  kind: 'multi-hop',
  arity: 3,
  types: ['path_length'],
  build(ctx, tuple, rng) {
    const [a, b, c] = shuffled(tuple, rng) as [number, number, number];
    const ab = distanceStep(ctx.facts, a, b);
    if (typeof ab === 'string') return ab;
    const bc = distanceStep(ctx.facts, b, c);
    if (typeof bc === 'string') return bc;
    const total = (ab.value as number) + (bc.value as number);
    return [
      {
        type: 'path_length',
        kind: 'multi-hop',
        qGroup: 'default',
        aGroup: 'default',
        subjects: [a, b, c],
        roles: { A: a, B: b, C: c },
        lengths: { value: total, leg1: ab.value as number, leg2: bc.value as number },
        displayLength: 'value',
        value: total,
        valueType: 'meters',
        unit: 'm',
        steps: [
          ab,
          bc,
          {
            predicate: 'sum',
            subjects: [a, b, c],
            value: total,
            say: () =>
              `${(ab.value as number).toFixed(2)} m + ${(bc.value as number).toFixed(2)} m = ${total.toFixed(2)} m`,
          },
        ],
        dependsOn: [a, b, c],
      },
    ];
  },
};

export const MULTI_HOP_FAMILIES: FamilyDef[] = [isosceles, closerThan, middle, pathLength];
