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
import { factId } from './fact-id';
import { Counter, SceneFacts } from './facts';
import { joinList, leakAxis, regionToken } from './naming';
import { Fnv64, fnv1a64Parts, keyOf, qaIdFrom } from './qa-id';
import { mulberry32, pickIndex } from './rng';
import {
  BUILTIN_TEMPLATE_FILES,
  builtinTemplates,
  compileTemplate,
  fillCompiled,
  loadTemplates,
  type FamilyTemplates,
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

export function templatesFor(extra: unknown[] | undefined): TemplateSet {
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

export function tupleHash(base: number, tuple: readonly number[]): number {
  let h = base;
  for (const id of tuple) h = mix(h, id);
  return mix(h, tuple.length);
}

// Scratch buffers for rankTuples, grown as needed (generateQa is synchronous and not re-entrant).
let flatBuf = new Int32Array(0);
let keyBuf = new Float64Array(0);

/**
 * All unordered tuples of `arity` node indices (ascending), ranked by a stable hash of their ids:
 * yields the tuples in rank order, lazily. Scores are packed with the tuple's enumeration index
 * into one double (ties broken by enumeration order), and a binary min-heap hands them out in
 * ascending order: the same order a full sort gives, but only the ranks actually used are paid
 * for (a family usually stops after maxPerFamily successes).
 */
function rankTuples(ids: readonly number[], arity: 1 | 2 | 3, base: number) {
  const n = ids.length;
  const count = arity === 1 ? n : arity === 2 ? (n * (n - 1)) / 2 : (n * (n - 1) * (n - 2)) / 6;
  if (flatBuf.length < count * arity) flatBuf = new Int32Array(count * arity);
  if (keyBuf.length < count) keyBuf = new Float64Array(count);
  const flat = flatBuf;
  const heap = keyBuf;
  let c = 0;
  if (arity === 1)
    for (let i = 0; i < n; i++) {
      flat[c] = i;
      heap[c] = mix(mix(base, ids[i] as number), 1) * 2097152 + c;
      c++;
    }
  else if (arity === 2)
    for (let i = 0; i < n; i++) {
      const hi = mix(base, ids[i] as number);
      for (let j = i + 1; j < n; j++) {
        flat[2 * c] = i;
        flat[2 * c + 1] = j;
        heap[c] = mix(mix(hi, ids[j] as number), 2) * 2097152 + c;
        c++;
      }
    }
  else
    for (let i = 0; i < n; i++) {
      const hi = mix(base, ids[i] as number);
      for (let j = i + 1; j < n; j++) {
        const hj = mix(hi, ids[j] as number);
        for (let k = j + 1; k < n; k++) {
          flat[3 * c] = i;
          flat[3 * c + 1] = j;
          flat[3 * c + 2] = k;
          heap[c] = mix(mix(hj, ids[k] as number), 3) * 2097152 + c;
          c++;
        }
      }
    }
  let size = count;
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, i, size);
  /** The next tuple in rank order (node ids). */
  const next = (): number[] => {
    const top = heap[0] as number;
    size--;
    if (size > 0) {
      heap[0] = heap[size] as number;
      siftDown(heap, 0, size);
    }
    const idx = top % 2097152;
    const t: number[] = [];
    for (let a = 0; a < arity; a++) t.push(ids[flat[idx * arity + a] as number] as number);
    return t;
  };
  return { count, next };
}

function siftDown(heap: Float64Array, i: number, size: number): void {
  const x = heap[i] as number;
  for (;;) {
    let m = 2 * i + 1;
    if (m >= size) break;
    if (m + 1 < size && (heap[m + 1] as number) < (heap[m] as number)) m++;
    const y = heap[m] as number;
    if (y >= x) break;
    heap[i] = y;
    i = m;
  }
  heap[i] = x;
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
    let fr: FamilyRender | undefined;
    for (let r = 0; r < ranked.count; r++) {
      if (kept >= opts.maxPerFamily) {
        skipped.add('sampled-out', ranked.count - r);
        break;
      }
      const t = ranked.next();
      const built = fam.build(ctx, t, mulberry32(tupleHash(bl, t)));
      if (typeof built === 'string') {
        skipped.add(built);
        continue;
      }
      kept++;
      fr ??= {
        fam,
        t: templates[fam.family],
        idPrefix: idPrefixOf(opts.imageId, fam.family),
        vocab: new Map(),
      };
      for (const draft of built) {
        // every phrasing of this tuple's finding (forms, naming modes) is one fact to review
        const fact = factId(opts.imageId, fam.id, draft.subjects);
        for (const mode of opts.naming) {
          const pair = render(bh ^ 0x2545f491, draft, mode, fr, naming, opts, fact);
          if (typeof pair === 'string') skipped.add(pair);
          else pairs.push(pair);
        }
      }
    }
  }
  lastFactDraft = null; // drafts are per call: never reuse a hash across calls
  return { pairs, skipped: skipped.counts, ambiguities: naming.ambiguities };
}

const typeHashes = new Map<string, number>();

let lastType = '';
let lastTypeHash = 0;

function hash32(text: string): number {
  // consecutive QA (the naming modes of one draft, drafts of one family) mostly share the type
  if (text === lastType) return lastTypeHash;
  let h = typeHashes.get(text);
  if (h === undefined) {
    const [hi, lo] = fnv1a64Parts(text);
    h = (hi ^ lo) >>> 0;
    typeHashes.set(text, h);
  }
  lastType = text;
  lastTypeHash = h;
  return h;
}

/** Per family within one generateQa call: what every QA of the family shares. */
export interface FamilyRender {
  fam: FamilyDef;
  t: FamilyTemplates | undefined;
  /** FNV state after keyOf([image, family]) + "|", the shared prefix of every QA id. */
  idPrefix: Fnv64;
  /** Merged vocabulary (tie, then the entry) per entry name; "" = tie alone. */
  vocab: Map<string, Record<string, string>>;
}

const REGION_TOKENS: string[] = [];

function regionTokenAt(i: number): string {
  return (REGION_TOKENS[i] ??= regionToken(i));
}

/** Name of node `id`: the name of its first position in `subjects`, "" when it is not one. */
function nameOf(subjects: readonly number[], names: readonly string[], id: number): string {
  for (let i = 0; i < subjects.length; i++) if (subjects[i] === id) return names[i] as string;
  return '';
}

/** Placeholder values of one QA; the last put() of a key wins over the draft's vars and vocab. */
class Vars {
  // Entries 0..n-1 are live; clear() only resets n (setting an array's length is a slow builtin).
  readonly keys: string[] = [];
  readonly vals: string[] = [];
  n = 0;
  dvars: Record<string, string> | undefined = undefined;
  vocab: Record<string, string> = {};

  clear(): void {
    this.n = 0;
  }

  put(key: string, value: string): void {
    this.keys[this.n] = key;
    this.vals[this.n++] = value;
  }

  get(key: string): string {
    const keys = this.keys;
    for (let i = this.n - 1; i >= 0; i--) if (keys[i] === key) return this.vals[i] as string;
    const dvars = this.dvars;
    if (dvars && Object.hasOwn(dvars, key)) return dvars[key] ?? '';
    return Object.hasOwn(this.vocab, key) ? (this.vocab[key] ?? '') : '';
  }
}

const VARS = new Vars();

const idHash = new Fnv64();

export function idPrefixOf(image: string, family: string): Fnv64 {
  const h = new Fnv64().part(image);
  h.byte(0x7c);
  return h.part(family).byte(0x7c);
}
const factHasher = new Fnv64();
const namingHasher = new Fnv64();

/** factHash of the last draft hashed: the naming modes of one draft share it. */
let lastFactDraft: Draft | null = null;
let lastFactHash = '';

/** FNV of keyOf([valueType, JSON value, aGroup, ...steps as "predicate:subjects:value"]). */
export function factHashOf(d: Draft): string {
  if (d === lastFactDraft) return lastFactHash;
  const fh = factHasher.reset().part(d.valueType);
  fh.byte(0x7c);
  fh.part(valueJson(d.value)).byte(0x7c);
  fh.part(d.aGroup);
  if (d.steps)
    for (const s of d.steps) {
      fh.byte(0x7c);
      fh.part(s.predicate).byte(0x3a);
      fh.nums(s.subjects).byte(0x3a);
      fh.part(String(s.value));
    }
  lastFactDraft = d;
  lastFactHash = fh.hex();
  return lastFactHash;
}

/** JSON.stringify() of a QA value (number, boolean, null or an array of numbers). */
function valueJson(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return String(JSON.stringify(v));
}

/** A sorted copy of ids (ascending), as [...ids].sort((a, b) => a - b) gives for numbers. */
function sortedIds(ids: readonly number[]): number[] {
  for (let i = 1; i < ids.length; i++)
    if (!((ids[i - 1] as number) <= (ids[i] as number))) return [...ids].sort((a, b) => a - b);
  return ids.slice();
}

/**
 * How one phrasing of a draft is worded: question and answer template (indices into the draft's
 * groups), unit system, and whether 0.5-1 m is said in metres. generateQa draws it per QA from a
 * seeded generator; an export enumerates them (phrasings.ts).
 */
export interface PhrasingChoice {
  qi: number;
  ai: number;
  system: UnitSystem;
  subMeterInMeters: boolean;
}

export function render(
  base: number,
  d: Draft,
  mode: NamingMode,
  fr: FamilyRender,
  naming: Naming,
  opts: ResolvedOptions,
  fact: string,
  choice?: PhrasingChoice,
): QaPair | string {
  const subjects = d.subjects;
  // names of the subjects, in subject order (region tokens: the first position of each id)
  const names: string[] = [];
  let namingHash = '';
  if (mode === 'region') for (let i = 0; i < subjects.length; i++) names.push(regionTokenAt(i));
  else {
    const nh = namingHasher.reset();
    for (const id of subjects) {
      const e = naming.expressions.get(id);
      if (!e) return 'ambiguous-object';
      if (d.axis !== undefined && e.axis !== null && leakAxis(e.axis) === leakAxis(d.axis))
        return 'answer-leak';
      names.push(e.text);
      // The form of the expression, not its label: a rename keeps it, a new qualifier does not.
      nh.num(id)
        .byte(0x3a)
        .part(e.spec.qualifier ?? '')
        .byte(0x3a);
      for (const a of e.spec.attributes) nh.part(a).byte(0x2c);
      nh.byte(0x7c);
    }
    namingHash = nh.hex();
  }
  const fam = fr.fam;
  const t = fr.t;
  const qList = t?.questions[d.qGroup];
  const aList = t?.answers[d.aGroup];
  if (!t || !qList || !aList || qList.length === 0 || aList.length === 0) return 'no-templates';
  let qi: number;
  let ai: number;
  let system: UnitSystem;
  let style: { subMeterInMeters: boolean };
  if (choice) {
    if (choice.qi >= qList.length || choice.ai >= aList.length) return 'no-templates';
    ({ qi, ai, system } = choice);
    style = { subMeterInMeters: choice.subMeterInMeters };
  } else {
    // per-QA generator: (seed, image, family) base, then subjects in order, type and naming mode
    const rng = mulberry32(
      mix(mix(tupleHash(base, subjects), hash32(d.type)), mode === 'region' ? 1 : 2),
    );
    qi = pickIndex(rng, qList.length);
    ai = pickIndex(rng, aList.length);
    system = rng() < opts.imperialShare ? 'imperial' : 'metric';
    style = { subMeterInMeters: rng() < opts.subMeterMetersShare };
  }

  // placeholder values, later sources overriding earlier ones: vocabulary (tie, then the entry),
  // the draft's vars, roles, lists, lengths, length lists
  const vars = VARS;
  vars.clear();
  const roles = d.roles;
  for (const k in roles) vars.put(k, nameOf(subjects, names, roles[k] as number));
  if (d.lists)
    for (const k of Object.keys(d.lists))
      vars.put(k, joinList((d.lists[k] as number[]).map((id) => nameOf(subjects, names, id))));
  let shown: LengthText | undefined;
  if (d.lengths)
    for (const k of Object.keys(d.lengths)) {
      const s = humanLength(d.lengths[k] as number, system, style);
      if (d.displayLength && k === d.displayLength) shown = s;
      vars.put(k, s.text);
    }
  if (d.lengthLists)
    for (const k of Object.keys(d.lengthLists))
      vars.put(
        k,
        joinList((d.lengthLists[k] as number[]).map((m) => humanLength(m, system, style).text)),
      );
  vars.dvars = d.vars;
  const vocabKey = d.vocab ?? '';
  let vocab = fr.vocab.get(vocabKey);
  if (!vocab) {
    vocab = Object.assign({}, t.vocab.tie, d.vocab ? t.vocab[d.vocab] : undefined);
    fr.vocab.set(vocabKey, vocab);
  }
  vars.vocab = vocab;
  const question = fillCompiled(compileTemplate(qList[qi] as string), vars);
  const answer = fillCompiled(compileTemplate(aList[ai] as string), vars);

  const steps = d.steps?.map((s) => ({
    text: s.say(
      (id) => nameOf(subjects, names, id),
      (m) => humanLength(m, system, style).text,
    ),
    predicate: s.predicate,
    subjects: s.subjects,
    value: s.value,
  }));
  const slot = d.type + (mode === 'region' ? '/region' : '/expression');
  const pair: QaPair = {
    id: 'qa_' + qaIdFrom(idHash.copyFrom(fr.idPrefix), subjects, slot),
    factId: fact,
    image: opts.imageId,
    family: fam.family,
    type: d.type,
    kind: d.kind,
    question,
    answer,
    value: d.value,
    valueType: d.valueType,
    unit: d.unit,
    subjects,
    naming: mode,
    slot,
    templates: {
      question: `${fam.family}.questions.${d.qGroup}.${qi}`,
      answer: `${fam.family}.answers.${d.aGroup}.${ai}`,
    },
    seed: opts.seed,
    dependsOn: sortedIds(d.dependsOn),
    factHash: factHashOf(d),
    namingHash,
  };
  if (shown) pair.display = { system, text: shown.text, rounded: shown.rounded, step: shown.step };
  if (mode === 'region') pair.regions = subjects.slice();
  if (steps) pair.steps = steps;
  return pair;
}
