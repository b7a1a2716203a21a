// Seeded randomness. Every QA gets its own generator seeded from (seed, image, family, subjects,
// slot), so a choice made for one QA never depends on how many other QAs came before it: a re-run
// gives the same text, and editing one object cannot reshuffle the phrasing of unrelated QA.

import { fnv1a64Parts, keyOf } from './qa-id';
import { mulberry32, randInt, type Rng } from '../geometry/rng';

export { mulberry32, type Rng };

/** A generator seeded by hashing the parts (strings or numbers). */
export function rngFor(parts: readonly (string | number)[]): Rng {
  const [hi, lo] = fnv1a64Parts(keyOf(parts));
  return mulberry32((hi ^ lo) >>> 0);
}

/** Uniform integer in [0, n). */
export const pickIndex = randInt;

/** A score in [0, 1) from the parts, for sampling that is stable per candidate. */
export function scoreOf(parts: readonly (string | number)[]): number {
  const [hi, lo] = fnv1a64Parts(keyOf(parts));
  return ((hi ^ Math.imul(lo, 0x9e3779b1)) >>> 0) / 4294967296;
}
