// Every answer phrasing our QA generator writes (all families and templates, metric and imperial,
// over many random scenes) is read back by the parser as its machine value.
import { describe, expect, it } from 'vitest';
import { toMaskTurn } from '../export/regions';
import { generateQa } from '../../spatial/qa/generate';
import { randomGraph } from '../../spatial/qa/testing/random-graph';
import { judge, type ValueType } from './score';

describe('answer parser on our own phrasings', () => {
  it('reads the machine value of every generated region answer', () => {
    const wrong: string[] = [];
    let n = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const graph = randomGraph(seed, { objects: 5 });
      const pairs = generateQa(graph, {
        seed,
        naming: ['region'],
        imperialShare: 0.5,
        maxPerFamily: 4,
      }).pairs;
      for (const p of pairs) {
        const turn = toMaskTurn(p.question, p.answer, p.regions ?? p.subjects);
        if (!turn) continue;
        const ids =
          p.valueType === 'object'
            ? [p.value as number]
            : p.valueType === 'objects'
              ? (p.value as number[])
              : [];
        const e = judge(
          {
            id: p.id,
            category: p.family,
            valueType: p.valueType as ValueType,
            value: p.value,
            regions: ids.map((id) => turn.localIndex.get(id) ?? null),
          },
          turn.answer,
        );
        n++;
        // Lengths: the parser must read the value the text states (rounded to a human step), and
        // that value must score as a success against the machine value, within 10 %.
        const ok =
          p.valueType === 'meters' && p.display
            ? Math.abs((e.parsed as number) - p.display.rounded) < 1e-9 &&
              e.correct &&
              e.error! <= 0.1
            : e.correct;
        if (!ok)
          wrong.push(`${p.family}/${p.valueType}: ${turn.answer} -> ${JSON.stringify(e.parsed)}`);
      }
    }
    expect(n).toBeGreaterThan(300);
    expect(wrong).toEqual([]);
  });
});
