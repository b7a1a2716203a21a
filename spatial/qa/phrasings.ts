// The phrasings of a reviewed fact, rendered when a dataset is exported rather than stored when
// QA is generated: every form the fact's generator writes (e.g. yes/no and choice) x naming mode x
// question template x answer template x unit system, from the fact as it stands now in the scene
// graph (current labels, current referring expressions, current templates) and the reviewer's
// decision (which forms and naming modes were decided, and a corrected value).
//
// Nothing here is random: a phrasing is named by (fact id, form, naming, the two template texts,
// units), so the same phrasing has the same id in every export and after any re-run; an export
// that wants N per fact ranks the ids by a hash of its seed (rankPhrasings).
//
// A fact is rendered only as decided: a form or naming mode whose stored phrasing was made on
// other facts (factHash) or another way of naming its objects (namingHash; a plain rename keeps
// it) is withheld, with the reason counted.

import type { SceneGraph } from '../scene/scene-graph';
import { buildExpressions, type Naming } from './disambiguation';
import { FAMILIES } from './families';
import type { Draft, FamilyDef } from './families/types';
import { factId } from './fact-id';
import { Counter, SceneFacts } from './facts';
import {
  factHashOf,
  idPrefixOf,
  render,
  templatesFor,
  tupleHash,
  type FamilyRender,
  type PhrasingChoice,
} from './generate';
import { fnv1a64, fnv1a64Parts, keyOf } from './qa-id';
import { mulberry32 } from './rng';
import { resolveOptions, type NamingMode, type QaPair, type ResolvedOptions } from './types';
import { countWord, type UnitSystem } from './units';
import type { TemplateSet } from './template-loader';

const FAMILY_BY_ID = new Map<string, FamilyDef>(FAMILIES.map((f) => [f.id, f]));

/** One image's scene, read once for all its facts. */
export interface PreparedScene {
  facts: SceneFacts;
  naming: Naming;
  opts: ResolvedOptions;
  templates: TemplateSet;
  families: Map<string, FamilyRender>;
}

/**
 * The scene for rendering: `graph` should carry the objects' current labels. `seed` is the seed
 * the image's QA was generated with: the generators draw roles and polarity from it, so the same
 * seed rebuilds the same facts the reviewer saw.
 */
export function prepareScene(
  graph: SceneGraph,
  o: { imageId: string; seed: string; extraTemplates?: unknown[] },
): PreparedScene {
  const opts = resolveOptions({ imageId: o.imageId, seed: o.seed });
  const facts = new SceneFacts(graph, opts, new Counter());
  return {
    facts,
    naming: buildExpressions(facts),
    opts,
    templates: templatesFor(o.extraTemplates),
    families: new Map(),
  };
}

/** A stored phrasing the reviewer's decision covers: its form, naming and what it was made on. */
export interface DecidedPhrasing {
  type: string;
  naming: NamingMode;
  /** null: stored before facts were hashed (accepted as it is). */
  factHash: string | null;
  /** null: region naming, or stored before naming was hashed. */
  namingHash: string | null;
}

export interface FactRequest {
  /** The fact id the reviewer decided on. */
  factId: string;
  /** The generator (fact-id.ts generatorOf) and a stored phrasing's subjects, in role order. */
  generator: string;
  subjects: readonly number[];
  decided: readonly DecidedPhrasing[];
  /** The reviewer's value (metres, count, clock hour, yes/no) replacing the measured one. */
  correction?: number | boolean | null;
}

/** One phrasing before it is rendered: enough to name it, rank it and render it. */
export interface PhrasingKey {
  id: string;
  draft: Draft;
  mode: NamingMode;
  choice: PhrasingChoice;
}

export interface FactPhrasings {
  keys: PhrasingKey[];
  /** Forms or naming modes not rendered, by reason. */
  withheld: Record<string, number>;
  /** False when a correction was given that this fact's forms cannot all carry. */
  corrected: boolean;
}

/** Unit variants of a draft: none without lengths; metric, metric in metres for 0.5-1 m, imperial. */
function unitVariants(d: Draft): Array<{ key: string; system: UnitSystem; meters: boolean }> {
  const lengths = [...Object.values(d.lengths ?? {}), ...Object.values(d.lengthLists ?? {}).flat()];
  if (lengths.length === 0) return [{ key: '', system: 'metric', meters: false }];
  const out = [{ key: 'metric', system: 'metric' as UnitSystem, meters: false }];
  // "about 0.9 meters" is another wording than "about 90 centimeters" only between 0.5 and 1 m.
  if (lengths.some((m) => m >= 0.5 && m < 1))
    out.push({ key: 'metric-m', system: 'metric', meters: true });
  out.push({ key: 'imperial', system: 'imperial', meters: false });
  return out;
}

/** The fact's forms as its generator builds them now, or why it no longer can. */
function rebuild(scene: PreparedScene, fam: FamilyDef, req: FactRequest): Draft[] | string {
  if (fam.needsAligned && !scene.facts.aligned) return 'frame-unaligned';
  // The generator was handed the tuple of its first `arity` subjects, in usable-node order.
  const position = new Map(scene.facts.usable.map((n, i) => [n.id, i]));
  const tuple = [...new Set(req.subjects.slice(0, fam.arity))];
  if (tuple.length !== fam.arity || tuple.some((id) => !position.has(id))) return 'fact-gone';
  tuple.sort((a, b) => position.get(a)! - position.get(b)!);
  const [, bl] = fnv1a64Parts(keyOf([scene.opts.seed, scene.opts.imageId, fam.id]));
  const built = fam.build(
    { facts: scene.facts, opts: scene.opts, naming: scene.naming },
    tuple,
    mulberry32(tupleHash(bl, tuple)),
  );
  if (typeof built === 'string') return built;
  const mine = built.filter((d) => factId(scene.opts.imageId, fam.id, d.subjects) === req.factId);
  return mine.length > 0 ? mine : 'fact-gone';
}

/**
 * The fact's drafts carrying the reviewer's value, or null when a form cannot carry it (a value
 * of another kind, or a fact whose answer is derived from several measured steps).
 */
export function applyCorrection(drafts: Draft[], value: number | boolean): Draft[] | null {
  const out: Draft[] = [];
  for (const d of drafts) {
    if (d.steps) return null;
    if (d.unit === 'm' && typeof value === 'number' && d.lengths && 'value' in d.lengths) {
      if (!(value > 0)) return null;
      out.push({
        ...d,
        value,
        lengths: { ...d.lengths, value },
        // "they touch" / "it stands on the floor" no longer holds for a corrected length
        aGroup: d.aGroup === 'touching' || d.aGroup === 'floor' ? 'default' : d.aGroup,
        displayLength: 'value',
      });
    } else if (d.unit === 'count' && typeof value === 'number' && Number.isInteger(value)) {
      if (value < 0) return null;
      out.push({
        ...d,
        value,
        vars: {
          ...d.vars,
          count: countWord(value),
          objects: value === 1 ? 'object' : 'objects',
          be: value === 1 ? 'is' : 'are',
        },
      });
    } else if (d.unit === 'oclock' && typeof value === 'number' && Number.isInteger(value)) {
      if (value < 1 || value > 12) return null;
      out.push({ ...d, value, vars: { ...d.vars, hour: `${value} o'clock` } });
    } else if (d.valueType === 'boolean' && typeof value === 'boolean') {
      out.push({ ...d, value, aGroup: value ? 'yes' : 'no' });
    } else if (d.valueType === 'object' && typeof value === 'boolean' && drafts.length > 1) {
      // The yes/no form was corrected: the relation is the other way round, so the choice form
      // picks the other object.
      const holds = drafts.find((x) => x.valueType === 'boolean');
      if (!holds || holds.value === value) {
        out.push(d);
        continue;
      }
      const { X, Y } = d.roles;
      if (X === undefined || Y === undefined) return null;
      out.push({ ...d, value: Y, roles: { ...d.roles, X: Y, Y: X } });
    } else return null;
  }
  return out;
}

/**
 * Every phrasing of the fact as decided, in a fixed order (form, naming, question template,
 * answer template, units). Rendered text comes from renderPhrasing(key).
 */
export function factPhrasings(scene: PreparedScene, req: FactRequest): FactPhrasings {
  const withheld = new Counter();
  const fam = FAMILY_BY_ID.get(req.generator);
  if (!fam) {
    withheld.add('unknown-generator', req.decided.length);
    return { keys: [], withheld: withheld.counts, corrected: false };
  }
  const built = rebuild(scene, fam, req);
  if (typeof built === 'string') {
    withheld.add(built, req.decided.length);
    return { keys: [], withheld: withheld.counts, corrected: false };
  }
  // Only forms and naming modes decided on the facts they have now.
  const decidedNow = new Map<string, DecidedPhrasing>();
  for (const dp of req.decided) {
    const d = built.find((x) => x.type === dp.type);
    if (!d) withheld.add('form-gone');
    else if (dp.factHash !== null && dp.factHash !== factHashOf(d)) withheld.add('facts-changed');
    else decidedNow.set(`${dp.type}/${dp.naming}`, dp);
  }
  let drafts = built;
  let corrected = true;
  if (req.correction !== undefined && req.correction !== null) {
    const c = applyCorrection(built, req.correction);
    if (c) drafts = c;
    else corrected = false;
  }
  if (!corrected) return { keys: [], withheld: withheld.counts, corrected };
  const fr = familyRender(scene, fam);
  const keys: PhrasingKey[] = [];
  for (const d of drafts) {
    for (const mode of scene.opts.naming) {
      const dp = decidedNow.get(`${d.type}/${mode}`);
      if (!dp) continue;
      // One phrasing rendered now says whether the subjects can be named as decided: a subject
      // with no unique name, one qualified on the asked axis, or another form of name (a new
      // attribute or qualifier; a renamed label keeps the form) is not what was decided.
      const probe = render(0, d, mode, fr, scene.naming, scene.opts, req.factId, FIRST);
      if (typeof probe === 'string') {
        withheld.add(probe);
        continue;
      }
      if (mode === 'expression' && dp.namingHash !== null && probe.namingHash !== dp.namingHash) {
        withheld.add('naming-changed');
        continue;
      }
      const qList = fr.t!.questions[d.qGroup]!;
      const aList = fr.t!.answers[d.aGroup]!;
      const units = unitVariants(d);
      for (let qi = 0; qi < qList.length; qi++)
        for (let ai = 0; ai < aList.length; ai++)
          for (const u of units)
            keys.push({
              id: phrasingId(req.factId, d.type, mode, qList[qi]!, aList[ai]!, u.key),
              draft: d,
              mode,
              choice: { qi, ai, system: u.system, subMeterInMeters: u.meters },
            });
    }
  }
  return { keys, withheld: withheld.counts, corrected };
}

const FIRST: PhrasingChoice = { qi: 0, ai: 0, system: 'metric', subMeterInMeters: false };

/** What render() shares across one family's phrasings (merged vocabulary is cached per scene). */
function familyRender(scene: PreparedScene, fam: FamilyDef): FamilyRender {
  let fr = scene.families.get(fam.family);
  if (!fr) {
    fr = {
      fam,
      t: scene.templates[fam.family],
      idPrefix: idPrefixOf(scene.opts.imageId, fam.family),
      vocab: new Map(),
    };
    scene.families.set(fam.family, fr);
  }
  // render() reads the generator only for its family name, shared by every generator of a family
  return fr.fam === fam ? fr : { ...fr, fam };
}

/** "qa_" + FNV-1a 64 of (fact, form, naming, question template, answer template, units). */
export function phrasingId(
  fact: string,
  type: string,
  mode: NamingMode,
  question: string,
  answer: string,
  units: string,
): string {
  return 'qa_' + fnv1a64(keyOf([fact, type, mode, question, answer, units]));
}

/** The phrasing as a QA pair (id = the phrasing id), or the reason it cannot be written. */
export function renderPhrasing(
  scene: PreparedScene,
  req: FactRequest,
  key: PhrasingKey,
): QaPair | string {
  const fr = familyRender(scene, FAMILY_BY_ID.get(req.generator)!);
  const pair = render(0, key.draft, key.mode, fr, scene.naming, scene.opts, req.factId, key.choice);
  if (typeof pair === 'string') return pair;
  pair.id = key.id;
  return pair;
}

/** At most `n` keys, the lowest hashes of (seed, id): the same seed keeps the same ones. Order kept. */
export function rankPhrasings(keys: PhrasingKey[], n: number, seed: string): PhrasingKey[] {
  if (keys.length <= n) return keys;
  const ranked = keys
    .map((k, i) => ({ i, rank: fnv1a64(keyOf([seed, k.id])) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.i - b.i))
    .slice(0, n)
    .map((r) => r.i)
    .sort((a, b) => a - b);
  return ranked.map((i) => keys[i]!);
}
