// The family registry: every generator, in output order, and the question types they produce.

import { MULTI_HOP_FAMILIES } from '../multi-hop';
import { QUALITATIVE_FAMILIES } from './qualitative';
import { QUANTITATIVE_FAMILIES } from './quantitative';
import { RELATIONAL_FAMILIES } from './relational';
import type { FamilyDef } from './types';

export const FAMILIES: FamilyDef[] = [
  ...QUALITATIVE_FAMILIES,
  ...QUANTITATIVE_FAMILIES,
  ...RELATIONAL_FAMILIES,
  ...MULTI_HOP_FAMILIES,
];

/** Every question type, e.g. "left_predicate", "direct_distance", "isosceles". */
export const QUESTION_TYPES: string[] = FAMILIES.flatMap((f) => f.types);

export type { FamilyDef } from './types';
