// Seeded randomness. Every QA gets its own generator seeded from (seed, image, family, subjects,
// slot), so a choice made for one QA never depends on how many other QAs came before it: a re-run
// gives the same text, and editing one object cannot reshuffle the phrasing of unrelated QA.

import { fnv1a64Parts, keyOf } from './qa-id';

export type Rng = () => number;

/** mulberry32: small, fast, good enough for template choice. Returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded by hashing the parts (strings or numbers). */
export function rngFor(parts: readonly (string | number)[]): Rng {
  const [hi, lo] = fnv1a64Parts(keyOf(parts));
  return mulberry32((hi ^ lo) >>> 0);
}

/** Uniform integer in [0, n). */
export function pickIndex(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** A score in [0, 1) from the parts, for sampling that is stable per candidate. */
export function scoreOf(parts: readonly (string | number)[]): number {
  const [hi, lo] = fnv1a64Parts(keyOf(parts));
  return ((hi ^ Math.imul(lo, 0x9e3779b1)) >>> 0) / 4294967296;
}
