// The unit of review is the fact, not the sentence: one family generator's finding about one set of
// objects (e.g. "the chair is left of the table"), which generate.ts renders into several QA
// phrasings (yes/no and choice forms, templates, units, region tokens and referring expressions).
// Its id is the hash of (image, generator, the set of objects it is about), so every phrasing of
// one finding shares it, it survives re-derivation like a QA id does, and it can be computed from a
// stored QA record alone (the migration that grouped earlier decisions by fact does that).
// What the fact says (its value) and how its objects are named are compared by factHash and
// namingHash on each phrasing (db/rules/qa-keeping.ts), not by the id.

import { FAMILIES } from './families';
import { fnv1a64, keyOf } from './qa-id';

/** Generator id per "family/type": a template family may have several generators (support). */
const GENERATOR = new Map<string, string>(
  FAMILIES.flatMap((f) => f.types.map((t) => [`${f.family}/${t}`, f.id] as const)),
);

/** The generator that produces `type` in `family`; the family itself for unknown types. */
export function generatorOf(family: string, type: string): string {
  return GENERATOR.get(`${family}/${type}`) ?? family;
}

/** "fact_" + FNV-1a 64 of (image, generator, ascending distinct subject ids). */
export function factId(image: string, generator: string, subjects: readonly number[]): string {
  const set = [...new Set(subjects)].sort((a, b) => a - b);
  return 'fact_' + fnv1a64(keyOf([image, generator, set.join(',')]));
}

/** The fact id of a stored QA record (what generateQa wrote), or null when it lacks the fields. */
export function factIdOfRecord(record: unknown): string | null {
  if (!record || typeof record !== 'object') return null;
  const r = record as {
    factId?: unknown;
    image?: unknown;
    family?: unknown;
    type?: unknown;
    subjects?: unknown;
  };
  if (typeof r.factId === 'string') return r.factId;
  if (typeof r.image !== 'string' || typeof r.family !== 'string' || typeof r.type !== 'string')
    return null;
  if (!Array.isArray(r.subjects) || !r.subjects.every((s) => typeof s === 'number')) return null;
  return factId(r.image, generatorOf(r.family, r.type), r.subjects as number[]);
}
