// The six SpatialRGPT-Bench qualitative families, each with a yes/no (predicate) and a choice form
// and two polarities: left/right, above/below, behind/front, big/small, tall/short, wide/thin.
// Answers come from graph edges only (facts.relation); a missing edge is unknown, an edge inside its
// own margin is a near-tie and is skipped, a same_* edge gives "about the same" answers.

import { AXES, type Axis } from '../facts';
import type { Draft, FamilyDef } from './types';

const POLARITIES: Record<Axis, [string, string]> = {
  left_right: ['left', 'right'],
  above_below: ['above', 'below'],
  behind_front: ['behind', 'front'],
  big_small: ['big', 'small'],
  tall_short: ['tall', 'short'],
  wide_thin: ['wide', 'thin'],
};

const REL_REASON: Record<string, string> = {
  unknown: 'relation-unknown',
  conflict: 'relation-conflict',
  unmet: 'below-margin',
};

function qualitative(axis: Axis): FamilyDef {
  const [posName, negName] = POLARITIES[axis];
  return {
    family: axis,
    id: axis,
    kind: 'qualitative',
    arity: 2,
    needsAligned: AXES[axis].vertical,
    types: [posName, negName].flatMap((p) => [`${p}_predicate`, `${p}_choice`]),
    build(ctx, [i, j], rng) {
      const swap = rng() < 0.5;
      const a = (swap ? j : i) as number;
      const b = (swap ? i : j) as number;
      const rel = ctx.facts.relation(a, b, axis);
      if (rel !== 'pos' && rel !== 'neg' && rel !== 'same')
        return REL_REASON[rel] ?? 'relation-unknown';
      const out: Draft[] = [];
      // yes/no form
      {
        const q = rng() < 0.5 ? posName : negName;
        const asked = q === posName ? 'pos' : 'neg';
        const same = rel === 'same';
        const holds = rel === asked;
        out.push({
          type: `${q}_predicate`,
          kind: 'qualitative',
          qGroup: 'predicate',
          aGroup: same ? 'same' : holds ? 'yes' : 'no',
          vocab: q,
          subjects: [a, b],
          roles: { A: a, B: b },
          value: same ? null : holds,
          valueType: same ? 'same' : 'boolean',
          unit: null,
          dependsOn: [a, b],
          axis,
        });
      }
      // choice form
      {
        const q = rng() < 0.5 ? posName : negName;
        const asked = q === posName ? 'pos' : 'neg';
        if (rel === 'same')
          out.push({
            type: `${q}_choice`,
            kind: 'qualitative',
            qGroup: 'choice',
            aGroup: 'same',
            vocab: q,
            subjects: [a, b],
            roles: { A: a, B: b },
            value: null,
            valueType: 'same',
            unit: null,
            dependsOn: [a, b],
            axis,
          });
        else {
          const x = rel === asked ? a : b;
          const y = x === a ? b : a;
          out.push({
            type: `${q}_choice`,
            kind: 'qualitative',
            qGroup: 'choice',
            aGroup: 'choice',
            vocab: q,
            subjects: [a, b],
            roles: { A: a, B: b, X: x, Y: y },
            value: x,
            valueType: 'object',
            unit: null,
            dependsOn: [a, b],
            axis,
          });
        }
      }
      return out;
    },
  };
}

export const QUALITATIVE_FAMILIES: FamilyDef[] = (Object.keys(POLARITIES) as Axis[]).map(
  qualitative,
);
