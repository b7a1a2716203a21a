import { describe, expect, it } from 'vitest';
import { readCorrection } from './corrections';
import { generatorOf } from './fact-id';
import { generateQa } from './generate';
import {
  factPhrasings,
  prepareScene,
  rankPhrasings,
  renderPhrasing,
  type FactRequest,
} from './phrasings';
import { randomGraph } from './testing/random-graph';
import type { QaPair } from './types';
import { parseLength } from './units';

/** The request for the fact of `pairs` (all its generated phrasings decided as they are). */
function requestFor(pairs: QaPair[], correction?: number | boolean): FactRequest {
  const p = pairs[0]!;
  return {
    factId: p.factId,
    generator: generatorOf(p.family, p.type),
    subjects: p.subjects,
    decided: pairs.map((q) => ({
      type: q.type,
      naming: q.naming,
      factHash: q.factHash,
      namingHash: q.naming === 'expression' ? q.namingHash : null,
    })),
    correction,
  };
}

function byFact(pairs: QaPair[]): Map<string, QaPair[]> {
  const out = new Map<string, QaPair[]>();
  for (const p of pairs) out.set(p.factId, [...(out.get(p.factId) ?? []), p]);
  return out;
}

describe('phrasings rendered from a fact', () => {
  it("every generated QA is one of its fact's rendered phrasings, word for word", () => {
    let checked = 0;
    for (let s = 1; s <= 4; s++) {
      const graph = randomGraph(s, { objects: 6 });
      const gen = generateQa(graph, { imageId: `i${s}`, seed: 'k' });
      const scene = prepareScene(graph, { imageId: `i${s}`, seed: 'k' });
      for (const pairs of byFact(gen.pairs).values()) {
        const req = requestFor(pairs);
        const { keys, withheld } = factPhrasings(scene, req);
        expect(withheld).toEqual({});
        const texts = new Set(
          keys.map((k) => {
            const r = renderPhrasing(scene, req, k) as QaPair;
            return JSON.stringify([r.question, r.answer, r.value, r.naming, r.type]);
          }),
        );
        for (const p of pairs) {
          expect(texts.has(JSON.stringify([p.question, p.answer, p.value, p.naming, p.type]))).toBe(
            true,
          );
          checked++;
        }
        // Forms x naming x templates x units: many more than were stored.
        expect(keys.length).toBeGreaterThanOrEqual(pairs.length * 10);
        expect(new Set(keys.map((k) => k.id)).size).toBe(keys.length);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('ids depend on fact, form, naming, templates and units only: not on the seed or a relabel', () => {
    const graph = randomGraph(4, { objects: 5 });
    const gen = generateQa(graph, { imageId: 'a', seed: 's' });
    const pairs = [...byFact(gen.pairs).values()].find((l) => l[0]!.family === 'left_right')!;
    const scene = prepareScene(graph, { imageId: 'a', seed: 's' });
    const ids = factPhrasings(scene, requestFor(pairs)).keys.map((k) => k.id);
    const renamed = structuredClone(graph);
    const subject = renamed.nodes.find((n) => n.id === pairs[0]!.subjects[0])!;
    const oldLabel = subject.label;
    subject.label = 'zebra';
    const scene2 = prepareScene(renamed, { imageId: 'a', seed: 's' });
    const req = requestFor(pairs);
    const again = factPhrasings(scene2, req);
    expect(again.keys.map((k) => k.id)).toEqual(ids);
    for (const k of again.keys.filter((x) => x.mode === 'expression')) {
      const r = renderPhrasing(scene2, req, k) as QaPair;
      expect(`${r.question} ${r.answer}`).toMatch(/zebra/i);
      expect(`${r.question} ${r.answer}`).not.toMatch(new RegExp(`\\b${oldLabel}\\b`, 'i'));
    }
    // N of them: a seeded pick, repeatable, another seed another pick.
    const keys = again.keys;
    const a = rankPhrasings(keys, 3, 'x').map((k) => k.id);
    expect(rankPhrasings(keys, 3, 'x').map((k) => k.id)).toEqual(a);
    expect(a).toHaveLength(3);
    const others = ['y', 'z', 'w'].map((s) =>
      rankPhrasings(keys, 3, s)
        .map((k) => k.id)
        .join(),
    );
    expect(others.some((o) => o !== a.join())).toBe(true);
  });

  it('a corrected length, count or yes/no is said by every phrasing, in every unit', () => {
    const graph = randomGraph(7, { objects: 6, alignedProb: 1 });
    const gen = generateQa(graph, { imageId: 'c', seed: '1', maxPerFamily: Infinity });
    const facts = [...byFact(gen.pairs).values()];
    const distance = facts.find((l) => l[0]!.family === 'direct_distance')!;
    const scene = prepareScene(graph, { imageId: 'c', seed: '1' });
    const fixed = readCorrection('About 2.5 meters.', distance[0]!)!;
    expect(fixed).toBe(2.5);
    const req = requestFor(distance, fixed);
    const out = factPhrasings(scene, req);
    expect(out.corrected).toBe(true);
    const rendered = out.keys.map((k) => renderPhrasing(scene, req, k) as QaPair);
    expect(new Set(rendered.map((r) => r.display?.system))).toEqual(
      new Set(['metric', 'imperial']),
    );
    for (const r of rendered) {
      expect(r.value).toBe(2.5);
      expect(Math.abs(parseLength(r.answer)! - 2.5)).toBeLessThanOrEqual(0.05);
    }
    // A yes/no fact with a choice form: the corrected relation turns the choice around too.
    const lr = facts.find(
      (l) => l[0]!.family === 'left_right' && l.some((p) => p.valueType === 'boolean'),
    )!;
    const yesNo = lr.find((p) => p.valueType === 'boolean')!;
    const choice = lr.find((p) => p.valueType === 'object')!;
    const flip = factPhrasings(scene, requestFor(lr, !yesNo.value));
    for (const k of flip.keys) {
      if (k.draft.valueType === 'boolean') expect(k.draft.value).toBe(!yesNo.value);
      else expect(k.draft.value).toBe(choice.subjects.find((id) => id !== choice.value));
    }
    // A correction a form cannot carry (a length for a yes/no fact) renders nothing.
    expect(factPhrasings(scene, requestFor(lr, 2.5)).corrected).toBe(false);
  });

  it('a form decided on other facts, or a name of another form, is withheld', () => {
    const graph = randomGraph(9, { objects: 5 });
    const gen = generateQa(graph, { imageId: 'w', seed: '2' });
    const pairs = [...byFact(gen.pairs).values()].find((l) => l.length >= 2)!;
    const scene = prepareScene(graph, { imageId: 'w', seed: '2' });
    const req = requestFor(pairs);
    const stale = {
      ...req,
      decided: req.decided.map((d) => ({ ...d, factHash: 'other', namingHash: 'other' })),
    };
    const out = factPhrasings(scene, stale);
    expect(out.keys).toEqual([]);
    expect(out.withheld['facts-changed']).toBe(pairs.length);
    // Only the naming decided: region phrasings when only region was decided.
    const regionOnly = { ...req, decided: req.decided.filter((d) => d.naming === 'region') };
    expect(factPhrasings(scene, regionOnly).keys.every((k) => k.mode === 'region')).toBe(true);
  });
});
