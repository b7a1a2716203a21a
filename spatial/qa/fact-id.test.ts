import { describe, expect, it } from 'vitest';
import { factId, factIdOfRecord } from './fact-id';
import { generateQa } from './generate';
import { randomGraph } from './testing/random-graph';

describe('fact ids', () => {
  const graph = randomGraph(3, { objects: 10, alignedProb: 1, badQuality: 0 });
  const { pairs } = generateQa(graph, { imageId: '7', seed: '0' });

  it('every phrasing of one finding shares its fact id; other findings get other ids', () => {
    const byFact = new Map<string, typeof pairs>();
    for (const p of pairs) byFact.set(p.factId, [...(byFact.get(p.factId) ?? []), p]);
    // 10 objects: far fewer facts than QA, and a qualitative fact has both forms in both namings
    expect(byFact.size).toBeLessThan(pairs.length / 2);
    const left = [...byFact.values()].find(
      (list) => list[0]!.family === 'left_right' && list.length === 4,
    )!;
    expect(new Set(left.map((p) => p.type.split('_')[1]))).toEqual(
      new Set(['predicate', 'choice']),
    );
    expect(new Set(left.map((p) => p.naming))).toEqual(new Set(['region', 'expression']));
    for (const list of byFact.values()) {
      const sets = new Set(list.map((p) => [...new Set(p.subjects)].sort((a, b) => a - b).join()));
      expect(sets.size).toBe(1);
      expect(new Set(list.map((p) => p.family)).size).toBe(1);
    }
  });

  it('is stable: the same from a stored record without it, across seeds, and order-free', () => {
    for (const p of pairs) {
      const { factId: id, ...rest } = p;
      expect(factIdOfRecord(rest)).toBe(id);
    }
    // The seed picks tuples, roles and wording, not the objects a finding is about: with every
    // tuple kept, two seeds phrase nearly the same facts (a few builds depend on the roles drawn).
    const all = (seed: string) =>
      new Set(
        generateQa(graph, { imageId: '7', seed, maxPerFamily: Infinity }).pairs.map(
          (p) => p.factId,
        ),
      );
    const a = all('0');
    const b = [...all('other seed')];
    expect(b.filter((id) => a.has(id)).length).toBeGreaterThan(0.95 * a.size);
    expect(factId('7', 'left_right', [3, 1])).toBe(factId('7', 'left_right', [1, 3]));
    expect(factId('7', 'left_right', [1, 3])).not.toBe(factId('8', 'left_right', [1, 3]));
    expect(factId('7', 'support_list', [1, 3])).not.toBe(factId('7', 'support_predicate', [1, 3]));
    expect(
      factIdOfRecord({ family: 'support', type: 'support_list', image: '7', subjects: [3, 1] }),
    ).toBe(factId('7', 'support_list', [1, 3]));
    expect(factIdOfRecord({ naming: 'region' })).toBeNull();
  });
});
