// Types of QA synthesis: what generateQa() takes and returns. See README "Frames and definitions"
// and spatial/scene/scene-graph.ts for the facts these are built from.

import type { UnitSystem } from './units';

export type QaKind = 'qualitative' | 'quantitative' | 'multi-hop';
export type NamingMode = 'region' | 'expression';

/** What `value` holds: metres, a boolean, a clock hour, an object id, object ids, a count, or a tie. */
export type ValueType = 'meters' | 'boolean' | 'oclock' | 'object' | 'objects' | 'count' | 'same';
export type QaUnit = 'm' | 'oclock' | 'count' | null;

/** One checked fact in a multi-hop chain. */
export interface QaStep {
  /** Plain-text statement of the fact, e.g. "<region0> to <region1>: 1.24 m". */
  text: string;
  /** The graph predicate or node field the fact reads ("direct_distance", "left_of", ...). */
  predicate: string;
  subjects: number[];
  value: number | boolean;
}

export interface QaPair {
  /** Stable id: hash of (image, family, subjects, slot). */
  id: string;
  /**
   * The fact this QA phrases (fact-id.ts): shared by every phrasing of one generator's finding
   * about one set of objects; the unit a reviewer decides on.
   */
  factId: string;
  image: string;
  family: string;
  /** Question type, e.g. "left_predicate", "tall_choice", "direct_distance". */
  type: string;
  kind: QaKind;
  question: string;
  answer: string;
  /** Machine value: metres, boolean, clock hour, object id, object ids, count; null for a tie. */
  value: number | boolean | number[] | null;
  valueType: ValueType;
  unit: QaUnit;
  /** How the quantitative answer was spoken (the value itself is always metres). */
  display?: { system: UnitSystem; text: string; rounded: number; step: number };
  /** Node ids the QA is about, in placeholder order ({A}, {B}, {C}, then listed objects). */
  subjects: number[];
  naming: NamingMode;
  /** Region mode: `<regionI>` names subjects[I]. */
  regions?: number[];
  /** Template slot (form and naming) that enters the id, and the template ids actually used. */
  slot: string;
  templates: { question: string; answer: string };
  seed: string;
  /** Multi-hop QA: the reasoning chain, each step a fact read from the graph. */
  steps?: QaStep[];
  /** Every node whose facts the answer used (subjects plus, e.g., counted objects). */
  dependsOn: number[];
  /** Hash of the facts used; unchanged id + changed factHash = re-review. */
  factHash: string;
  /**
   * Hash of how each subject is referred to, without its label: attributes and spatial qualifier
   * per subject ("" for region tokens). Same factHash and namingHash = the text differs at most by
   * a renamed label, so a review decision still holds.
   */
  namingHash: string;
}

export interface Ambiguity {
  nodeId: number;
  label: string;
  /** Nodes that share the label or its head noun. */
  group: number[];
  reason: string;
}

export interface QaResult {
  pairs: QaPair[];
  /** reason -> count, for QA (or nodes, edges) that could not be used. */
  skipped: Record<string, number>;
  ambiguities: Ambiguity[];
}

export interface DistanceMargin {
  /** Metres. */
  abs: number;
  /** Fraction of the larger value. */
  rel: number;
}

export interface QaOptions {
  /** Image id that enters every QA id. */
  imageId?: string;
  /** Seed stored on every QA; same seed + same graph = same output. */
  seed?: string | number;
  /** Naming modes to generate (default both). */
  naming?: NamingMode[];
  /** Share of quantitative answers spoken in imperial units (default 0.2). */
  imperialShare?: number;
  /** Share of 0.5-1 m metric answers said in metres ("about 0.9 meters") rather than centimetres (default 0.5). */
  subMeterMetersShare?: number;
  /** Families to generate (default all). */
  families?: string[];
  /** At most this many subject tuples per family, chosen by a stable per-tuple hash (default 8; Infinity = all). */
  maxPerFamily?: number;
  /** Margins for comparisons QA makes itself (between two graph distances, camera distances). */
  margins?: {
    distance?: DistanceMargin;
    cameraDistance?: DistanceMargin;
    /** Isosceles tolerance in metres (default 0.1). */
    isosceles?: number;
    /** No isosceles question when the closest side pair is within this of the tolerance (default 0.02). */
    isoscelesGuard?: number;
    /** Gap below which objects count as touching (default 0.01 m). */
    touching?: number;
    /** Elevation below which an object is on the floor (default 0.02 m). */
    onFloor?: number;
    /** Smallest length asked about (default 0.01 m). */
    minLength?: number;
  };
  /** Extra template data (same format as templates/*.json), merged after the built-ins. */
  extraTemplates?: unknown[];
  /** Longest label accepted (default 64 characters). */
  maxLabelLength?: number;
}

export interface ResolvedOptions {
  imageId: string;
  seed: string;
  naming: NamingMode[];
  imperialShare: number;
  subMeterMetersShare: number;
  families: Set<string> | null;
  maxPerFamily: number;
  margins: {
    distance: DistanceMargin;
    cameraDistance: DistanceMargin;
    isosceles: number;
    isoscelesGuard: number;
    touching: number;
    onFloor: number;
    minLength: number;
  };
  maxLabelLength: number;
}

export function resolveOptions(o: QaOptions = {}): ResolvedOptions {
  const m = o.margins ?? {};
  return {
    imageId: o.imageId ?? '',
    seed: String(o.seed ?? 0),
    naming: o.naming && o.naming.length > 0 ? [...o.naming] : ['region', 'expression'],
    imperialShare: clamp01(o.imperialShare ?? 0.2),
    subMeterMetersShare: clamp01(o.subMeterMetersShare ?? 0.5),
    families: o.families ? new Set(o.families) : null,
    maxPerFamily: o.maxPerFamily ?? 8,
    margins: {
      distance: m.distance ?? { abs: 0.05, rel: 0.1 },
      cameraDistance: m.cameraDistance ?? { abs: 0.1, rel: 0.1 },
      isosceles: m.isosceles ?? 0.1,
      isoscelesGuard: m.isoscelesGuard ?? 0.02,
      touching: m.touching ?? 0.01,
      onFloor: m.onFloor ?? 0.02,
      minLength: m.minLength ?? 0.01,
    },
    maxLabelLength: o.maxLabelLength ?? 64,
  };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** Required difference between two values for one to count as larger. */
export function marginFor(m: DistanceMargin, a: number, b: number): number {
  return Math.max(m.abs, m.rel * Math.max(Math.abs(a), Math.abs(b)));
}
