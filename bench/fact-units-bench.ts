// Review units before and after reviewing facts instead of sentences: for synthetic scenes of 2, 3
// and 10 objects (spatial/qa/testing/random-graph.ts, gravity-aligned, all nodes usable), the QA
// the QA stage stores per image (generateQa with the stage's defaults) and the facts they phrase
// (distinct fact ids), i.e. the cards a reviewer decides before and after.
//   node bin/run-ts.mjs bench/fact-units-bench.ts
import { generateQa } from '../spatial/qa/generate';
import { randomGraph } from '../spatial/qa/testing/random-graph';

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

for (const objects of [2, 3, 10]) {
  const rows: Array<{ seed: number; qa: number; facts: number }> = [];
  for (const seed of SEEDS) {
    const graph = randomGraph(seed, { objects, alignedProb: 1, badQuality: 0 });
    const { pairs } = generateQa(graph, { imageId: String(seed), seed: '0' });
    rows.push({ seed, qa: pairs.length, facts: new Set(pairs.map((p) => p.factId)).size });
  }
  const qa = rows.reduce((s, r) => s + r.qa, 0) / rows.length;
  const facts = rows.reduce((s, r) => s + r.facts, 0) / rows.length;
  console.log(
    `${objects} objects: ${rows.map((r) => `${r.qa}->${r.facts}`).join(', ')}; ` +
      `mean ${qa.toFixed(1)} QA -> ${facts.toFixed(1)} facts (${(qa / facts).toFixed(2)} phrasings per fact)`,
  );
}
