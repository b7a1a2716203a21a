// The shape every family produces: a Draft holds the facts and roles of one QA; generate.ts turns
// it into text per naming mode (names, templates, units) and into a QaPair.

import type { SceneFacts } from '../facts';
import type { Naming } from '../disambiguation';
import type { Rng } from '../rng';
import type { QaKind, QaUnit, ResolvedOptions, ValueType } from '../types';

export interface StepDraft {
  predicate: string;
  subjects: number[];
  value: number | boolean;
  /** Plain-text fact given a namer for node ids and a length formatter. */
  say: (name: (id: number) => string, len: (m: number) => string) => string;
}

export interface Draft {
  /** Question type, e.g. "left_predicate"; enters the slot and so the id. */
  type: string;
  kind: QaKind;
  qGroup: string;
  aGroup: string;
  /** Vocabulary entry of the template family ("left", "closer", "tie"). */
  vocab?: string;
  /** Node ids in placeholder order; region tokens follow this order. */
  subjects: number[];
  /** Placeholder -> node id ({A}, {B}, {C}, {X}, {Y}, {first}, {last}). */
  roles: Record<string, number>;
  /** Placeholder -> list of node ids, joined "x, y and z" ({list}). */
  lists?: Record<string, number[]>;
  /** Placeholder -> length in metres, spoken in the QA's unit system. */
  lengths?: Record<string, number>;
  /** Placeholder -> lengths in metres, spoken and joined "x, y and z" ({sides}). */
  lengthLists?: Record<string, number[]>;
  /** Other placeholders, already text. */
  vars?: Record<string, string>;
  value: number | boolean | number[] | null;
  valueType: ValueType;
  unit: QaUnit;
  /** Which length is the answer's value (for `display`). */
  displayLength?: string;
  steps?: StepDraft[];
  dependsOn: number[];
  /** Spatial axis the QA asks about: referring expressions qualified on it would leak the answer. */
  axis?: string;
}

export interface FamilyContext {
  facts: SceneFacts;
  opts: ResolvedOptions;
  naming: Naming;
}

export type BuildResult = Draft[] | string;

export interface FamilyDef {
  /** Family name on the QA and key of its templates. */
  family: string;
  /** Unique registry id (a template family may have several generators, e.g. support). */
  id: string;
  kind: QaKind;
  arity: 1 | 2 | 3;
  /** Question types this generator can produce (counted by tests). */
  types: string[];
  /** Needs a gravity-aligned frame. */
  needsAligned?: boolean;
  /** Tuples are unordered ascending ids; the builder picks roles with `rng` (stable per tuple). */
  build: (ctx: FamilyContext, tuple: number[], rng: Rng) => BuildResult;
}
