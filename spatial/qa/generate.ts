// generateQa(graph, options) -> { pairs, skipped, ambiguities }: template QA from one scene graph.
//
// For each family (families/index.ts) the candidate subject tuples (usable nodes, ascending ids,
// unordered) are ranked by a stable hash of (seed, image, family, tuple) and built in that order
// until `maxPerFamily` succeed; each built fact becomes one QA per naming mode. Every random choice
// (roles, polarity, template, unit system) comes from a generator seeded per tuple or per QA, so
// the same seed gives the same output and editing one object leaves QA about other objects alone.
// Bad input never throws: whatever can't be used is counted in `skipped` by reason.

import type { SceneGraph } from '../scene/scene-graph';
import { buildExpressions, type Naming } from './disambiguation';
import { FAMILIES } from './families';
import type { Draft, FamilyContext, FamilyDef } from './families/types';
import { Counter, SceneFacts } from './facts';
import { joinList, namesFor } from './naming';
import { fnv1a64, fnv1a64Parts, keyOf, qaId } from './qa-id';
import { mulberry32, pickIndex } from './rng';
import {
  BUILTIN_TEMPLATE_FILES,
  builtinTemplates,
  fill,
  loadTemplates,
  type TemplateSet,
} from './template-loader';
import {
  resolveOptions,
  type NamingMode,
  type QaOptions,
  type QaPair,
  type QaResult,
  type ResolvedOptions,
} from './types';
import { humanLength, type LengthText, type UnitSystem } from './units';

const extraCache = new WeakMap<unknown[], TemplateSet>();

function templatesFor(extra: unknown[] | undefined): TemplateSet {
  if (!extra || extra.length === 0) return builtinTemplates();
  let t = extraCache.get(extra);
  if (!t) {
    t = loadTemplates([...BUILTIN_TEMPLATE_FILES, ...extra]);
    extraCache.set(extra, t);
  }
  return t;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ (x | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function tupleHash(base: number, tuple: readonly number[]): number {
  let h = base;
  for (const id of tuple) h = mix(h, id);
  return mix(h, tuple.length);
}

/**
 * All unordered tuples of `arity` node indices (ascending), ranked by a stable hash of their ids:
 * returns the tuples' flat index arrays and their order. Scores are packed with the tuple's index
 * into one double so a native numeric sort ranks them (ties broken by enumeration order).
 */
function rankTuples(ids: readonly number[], arity: 1 | 2 | 3, base: number) {
  const n = ids.length;
  const count = arity === 1 ? n : arity === 2 ? (n * (n - 1)) / 2 : (n * (n - 1) * (n - 2)) / 6;
  const flat = new Int32Array(count * arity);
  const order = new Float64Array(count);
  let c = 0;
  const put = (i: number, j: number, k: number) => {
    let h = base;
    flat[c * arity] = i;
    h = mix(h, ids[i] as number);
    if (arity > 1) {
      flat[c * arity + 1] = j;
      h = mix(h, ids[j] as number);
    }
    if (arity > 2) {
      flat[c * arity + 2] = k;
      h = mix(h, ids[k] as number);
    }
    order[c] = mix(h, arity) * 2097152 + c;
    c++;
  };
  if (arity === 1) for (let i = 0; i < n; i++) put(i, 0, 0);
  else if (arity === 2) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) put(i, j, 0);
  else
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) put(i, j, k);
  order.sort();
  const tupleAt = (r: number): number[] => {
    const idx = (order[r] as number) % 2097152;
    const t: number[] = [];
    for (let a = 0; a < arity; a++) t.push(ids[flat[idx * arity + a] as number] as number);
    return t;
  };
  return { count, tupleAt };
}

export function generateQa(graph: SceneGraph, options: QaOptions = {}): QaResult {
  const opts = resolveOptions(options);
  const templates = templatesFor(options.extraTemplates);
  const skipped = new Counter();
  if (!graph || typeof graph !== 'object' || !Array.isArray(graph.nodes)) {
    skipped.add('invalid-graph');
    return { pairs: [], skipped: skipped.counts, ambiguities: [] };
  }
  const facts = new SceneFacts(graph, opts, skipped);
  const naming = buildExpressions(facts);
  const ctx: FamilyContext = { facts, opts, naming };
  const ids = facts.usable.map((n) => n.id);
  if (ids.length === 0) skipped.add('no-objects');
  else if (ids.length === 1) skipped.add('single-object');
  const pairs: QaPair[] = [];
  for (const fam of FAMILIES) {
    if (opts.families && !opts.families.has(fam.family) && !opts.families.has(fam.id)) continue;
    if (ids.length < fam.arity) continue;
    if (fam.needsAligned && !facts.aligned) {
      skipped.add('frame-unaligned');
      continue;
    }
    const [bh, bl] = fnv1a64Parts(keyOf([opts.seed, opts.imageId, fam.id]));
    const ranked = rankTuples(ids, fam.arity, bh);
    let kept = 0;
    for (let r = 0; r < ranked.count; r++) {
      if (kept >= opts.maxPerFamily) {
        skipped.add('sampled-out', ranked.count - r);
        break;
      }
      const t = ranked.tupleAt(r);
      const built = fam.build(ctx, t, mulberry32(tupleHash(bl, t)));
      if (typeof built === 'string') {
        skipped.add(built);
        continue;
      }
      kept++;
      for (const draft of built)
        for (const mode of opts.naming) {
          const pair = render(bh ^ 0x2545f491, draft, mode, fam, templates, naming, opts);
          if (typeof pair === 'string') skipped.add(pair);
          else pairs.push(pair);
        }
    }
  }
  return { pairs, skipped: skipped.counts, ambiguities: naming.ambiguities };
}

const typeHashes = new Map<string, number>();

function hash32(text: string): number {
  let h = typeHashes.get(text);
  if (h === undefined) {
    const [hi, lo] = fnv1a64Parts(text);
    h = (hi ^ lo) >>> 0;
    typeHashes.set(text, h);
  }
  return h;
}

function render(
  base: number,
  d: Draft,
  mode: NamingMode,
  fam: FamilyDef,
  templates: TemplateSet,
  naming: Naming,
  opts: ResolvedOptions,
): QaPair | string {
  const names = namesFor(mode, d.subjects, naming, d.axis);
  if (typeof names === 'string') return names;
  const name = (id: number): string => names.get(id) ?? '';
  const t = templates[fam.family];
  const qList = t?.questions[d.qGroup];
  const aList = t?.answers[d.aGroup];
  if (!t || !qList || !aList || qList.length === 0 || aList.length === 0) return 'no-templates';
  // per-QA generator: (seed, image, family) base, then subjects in order, type and naming mode
  const rng = mulberry32(
    mix(mix(tupleHash(base, d.subjects), hash32(d.type)), mode === 'region' ? 1 : 2),
  );
  const qi = pickIndex(rng, qList.length);
  const ai = pickIndex(rng, aList.length);
  const system: UnitSystem = rng() < opts.imperialShare ? 'imperial' : 'metric';
  const style = { subMeterInMeters: rng() < opts.subMeterMetersShare };
  const spoken = new Map<string, LengthText>();
  const len = (m: number): string => humanLength(m, system, style).text;

  const vars: Record<string, string> = Object.assign(
    {},
    t.vocab.tie,
    d.vocab ? t.vocab[d.vocab] : undefined,
    d.vars,
  );
  for (const k in d.roles) vars[k] = name(d.roles[k] as number);
  for (const [k, list] of Object.entries(d.lists ?? {})) vars[k] = joinList(list.map(name));
  for (const [k, m] of Object.entries(d.lengths ?? {})) {
    const s = humanLength(m, system, style);
    spoken.set(k, s);
    vars[k] = s.text;
  }
  for (const [k, list] of Object.entries(d.lengthLists ?? {})) vars[k] = joinList(list.map(len));

  const steps = d.steps?.map((s) => ({
    text: s.say(name, len),
    predicate: s.predicate,
    subjects: s.subjects,
    value: s.value,
  }));
  const slot = `${d.type}/${mode}`;
  const shown = d.displayLength ? spoken.get(d.displayLength) : undefined;
  const pair: QaPair = {
    id: qaId(opts.imageId, fam.family, d.subjects, slot),
    image: opts.imageId,
    family: fam.family,
    type: d.type,
    kind: d.kind,
    question: fill(qList[qi] as string, vars),
    answer: fill(aList[ai] as string, vars),
    value: d.value,
    valueType: d.valueType,
    unit: d.unit,
    subjects: d.subjects,
    naming: mode,
    slot,
    templates: {
      question: `${fam.family}.questions.${d.qGroup}.${qi}`,
      answer: `${fam.family}.answers.${d.aGroup}.${ai}`,
    },
    seed: opts.seed,
    dependsOn: [...d.dependsOn].sort((a, b) => a - b),
    factHash: fnv1a64(
      keyOf([
        d.valueType,
        JSON.stringify(d.value),
        d.aGroup,
        ...(d.steps ?? []).map((s) => `${s.predicate}:${s.subjects.join(',')}:${String(s.value)}`),
      ]),
    ),
  };
  if (shown) pair.display = { system, text: shown.text, rounded: shown.rounded, step: shown.step };
  if (mode === 'region') pair.regions = [...d.subjects];
  if (steps) pair.steps = steps;
  return pair;
}
