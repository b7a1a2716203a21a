// Two ways to name the objects of a QA:
// - 'region': SpatialRGPT-style tokens. `<regionI>` names the QA's subjects[I] (stored as
//   `regions` on the QA so an exporter binds each token to that node's mask). Labels are not used,
//   so region QA works for every usable node, including ambiguous or badly labelled ones.
// - 'expression': SpatialVLM-style referring expressions ("the red chair", "the chair on the left")
//   from disambiguation.ts; a node without a unique expression gets no expression QA.

import type { Naming } from './disambiguation';
import type { NamingMode } from './types';

export type Namer = (id: number) => string;

export function regionToken(index: number): string {
  return `<region${index}>`;
}

/**
 * Names for the subjects of one QA, or a skip reason: 'ambiguous-object' when a subject has no
 * unique expression, 'answer-leak' when a subject's expression is qualified on the axis the QA asks
 * about ("which is more to the left, the chair on the left or ...").
 */
export function namesFor(
  mode: NamingMode,
  subjects: readonly number[],
  naming: Naming,
  axis: string | undefined,
): Map<number, string> | string {
  const out = new Map<number, string>();
  if (mode === 'region') {
    subjects.forEach((id, i) => {
      if (!out.has(id)) out.set(id, regionToken(i));
    });
    return out;
  }
  for (const id of subjects) {
    const e = naming.expressions.get(id);
    if (!e) return 'ambiguous-object';
    if (axis !== undefined && e.axis !== null && leakAxis(e.axis) === leakAxis(axis))
      return 'answer-leak';
    out.set(id, e.text);
  }
  return out;
}

export function leakAxis(axis: string): string {
  return axis === 'camera' ? 'behind_front' : axis;
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
