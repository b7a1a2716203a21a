// What an export writes for reviewed facts: the phrasings (forms x templates x units x naming) are
// rendered at export from the fact the reviewer decided, the current labels and the current
// templates, so nothing is exported that the reviewer did not decide (issue 16, case 2). Each test
// names the way the old approach, which exported the phrasings stored at generation, got it wrong.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import {
  phrasingRecords,
  proposedFactIds,
  rewritePhrasing,
} from '../../db/store/testing/desktop-rows';
import { generateQa } from '../../spatial/qa/generate';
import { builtinTemplates } from '../../spatial/qa/template-loader';
import { randomGraph } from '../../spatial/qa/testing/random-graph';
import { parseLength } from '../../spatial/qa/units';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { importBatch } from '../import/index';
import { storeQaResult, writeResults } from '../test/desktop-results';
import {
  desktopReview,
  type DesktopObjectEdits,
  type DesktopReview,
} from '../review/testing/desktop-review';
import { tempDir } from '../test/helpers';
import { exportProject } from './export';
import { addObject, imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const LABELS = ['mug', 'lamp', 'stool', 'crate', 'vase', 'kettle'];

interface Line {
  id: string;
  fact_id: string;
  question: string;
  answer: string;
  value: unknown;
  unit: string | null;
  naming: string;
  status: string;
  family: string;
  type: string;
  subjects: number[];
}

let dir: ReturnType<typeof tempDir>;
let store: ProjectStore;
let imageId: number;
let review: DesktopReview;
let objects: DesktopObjectEdits;
let outN = 0;

/** A template as a pattern: literal text, any text for each placeholder, any case. */
function templateShape(t: string): RegExp {
  const parts = t
    .split(/\{[A-Za-z_][A-Za-z0-9_]*\}/)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`, 'i');
}

const card = async (fact: string) =>
  (await layer(store).browse.qaQueue({ imageId, offset: 0, limit: 10_000 })).items.find(
    (q) => q.factId === fact,
  )!;

/** Facts of the image by family, with the stored phrasings of each. */
function factsOf(family: string): string[] {
  return proposedFactIds(store.db, imageId, family);
}

async function exportLines(opts: { phrasingsPerFact?: 'all' | number; seed?: string } = {}) {
  const outDir = join(dir.path, `out${++outN}`);
  // 'all' unless asked otherwise: the tests look at every phrasing a fact has.
  const result = await exportProject(store, {
    format: 'qa-jsonl',
    outDir,
    ...opts,
    phrasingsPerFact: opts.phrasingsPerFact ?? 'all',
  });
  const lines = readFileSync(join(outDir, 'qa.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  return { result, lines };
}

const approve = async (fact: string) =>
  review.decide({
    qaId: (await card(fact)).id,
    decision: 'approve',
    confirmWarnings: true,
    actor: 'ann',
  });

/** The first of `facts` that `test` (run on each in turn, as Array.find) accepts. */
async function firstFact(facts: string[], test: (fact: string) => Promise<boolean>) {
  for (const f of facts) if (await test(f)) return f;
  return undefined;
}

beforeAll(async () => {
  dir = tempDir();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, { folder: `${SAMPLES}/sun-corridor/color` });
  imageId = await imageIdOf(store, 'corridor.jpg');
  // A synthetic scene whose nodes are the image's objects, one label each (every object has a
  // unique name), with its graph and QA stored as the graph and QA stages store them.
  const raw = randomGraph(11, { objects: LABELS.length, alignedProb: 1, badQuality: 0 });
  const ids: number[] = [];
  for (const i of raw.nodes.keys())
    ids.push(
      await addObject(store, {
        imageId,
        label: LABELS[i]!,
        score: null,
        box: [10 + i * 40, 10, 40 + i * 40, 60],
        provenance: 'model',
      }),
    );
  const idOf = new Map(raw.nodes.map((n, i) => [n.id, ids[i]!]));
  const graph: SceneGraph = {
    ...raw,
    nodes: raw.nodes.map((n, i) => ({ ...n, id: ids[i]!, label: LABELS[i]!, attributes: [] })),
    edges: raw.edges.map((e) => ({
      ...e,
      subject: idOf.get(e.subject)!,
      object: idOf.get(e.object)!,
    })),
  };
  await writeResults(store, async (scene) => {
    await scene.saveGraph(imageId, graph, []);
    await scene.recordStages([
      {
        imageId,
        stage: 'qa',
        status: 'done',
        reason: null,
        provenance: { engine: 'spatial/qa', seed: '3' },
        tookMs: 1,
        jobId: null,
      },
    ]);
  });
  await storeQaResult(store, imageId, generateQa(graph, { imageId: String(imageId), seed: '3' }));
  review = desktopReview(store);
  objects = review.objects;
});
afterAll(() => {
  store.close();
  dir.remove();
});

describe('phrasings rendered from reviewed facts at export', () => {
  let distanceFact: string;
  let corrected: string;

  it('an approved metric fact exports phrasings in every unit, both namings and many templates', async () => {
    distanceFact = factsOf('direct_distance')[0]!;
    expect((await approve(distanceFact)).applied).toBe(true);
    const { lines } = await exportLines();
    const mine = lines.filter((l) => l.fact_id === distanceFact);
    // The stored approach wrote the two stored phrasings (one unit system, one template each).
    expect(new Set(mine.map((l) => l.naming))).toEqual(new Set(['region', 'expression']));
    expect(mine.some((l) => /meter|centimeter/.test(l.answer))).toBe(true);
    expect(mine.some((l) => /inch|feet|foot/.test(l.answer))).toBe(true);
    expect(new Set(mine.map((l) => l.question)).size).toBeGreaterThanOrEqual(10);
    const value = mine[0]!.value as number;
    for (const l of mine) {
      expect(l.status).toBe('approved');
      expect(l.value).toBe(value);
      const said = parseLength(l.answer)!;
      expect(Math.abs(said - value)).toBeLessThanOrEqual(0.1 * value + 0.03);
    }
    // One id per phrasing.
    expect(new Set(mine.map((l) => l.id)).size).toBe(mine.length);
    // The default export writes 4 of them.
    const outDir = join(dir.path, `out${++outN}`);
    expect((await exportProject(store, { format: 'qa-jsonl', outDir })).qa).toBe(4);
  });

  it('a corrected value reaches every exported phrasing of the fact, in every unit', async () => {
    corrected = factsOf('direct_distance')[0]!;
    const c = await card(corrected);
    const out = await review.decide({
      qaId: c.id,
      decision: 'edit',
      editedAnswer: 'About 4.2 meters.',
      confirmWarnings: true,
      actor: 'ann',
    });
    expect(out.applied).toBe(true);
    const { lines } = await exportLines({ phrasingsPerFact: 6, seed: '5' });
    const mine = lines.filter((l) => l.fact_id === corrected);
    // The stored approach wrote one phrasing (the edited one) with the geometry's value.
    expect(mine).toHaveLength(6);
    for (const l of mine) {
      expect(l.status).toBe('edited');
      expect(l.value).toBe(4.2);
      expect(Math.abs(parseLength(l.answer)! - 4.2)).toBeLessThanOrEqual(0.1);
    }
    const all = (await exportLines()).lines.filter((l) => l.fact_id === corrected);
    expect(all.some((l) => /feet|foot/.test(l.answer))).toBe(true);
    expect(all.every((l) => l.value === 4.2)).toBe(true);
  });

  it('N phrasings per fact: a seeded pick, the same ids for the same seed, a subset of all', async () => {
    const all = (await exportLines()).lines;
    const a = (await exportLines({ phrasingsPerFact: 2, seed: 'x' })).lines;
    const b = (await exportLines({ phrasingsPerFact: 2, seed: 'x' })).lines;
    const c = (await exportLines({ phrasingsPerFact: 2, seed: 'y' })).lines;
    expect(a.map((l) => l.id)).toEqual(b.map((l) => l.id));
    expect(c.map((l) => l.id)).not.toEqual(a.map((l) => l.id));
    const byId = new Map(all.map((l) => [l.id, l]));
    // Same fact, template, unit and naming -> the same id and the same text in every export.
    for (const l of [...a, ...c]) expect(byId.get(l.id)).toEqual(l);
    const perFact = new Map<string, number>();
    for (const l of a) perFact.set(l.fact_id, (perFact.get(l.fact_id) ?? 0) + 1);
    expect([...perFact.values()].every((n) => n === 2)).toBe(true);
  });

  it('only decided facts are exported, and a re-run of the QA stage keeps every id', async () => {
    const before = (await exportLines()).lines;
    expect(new Set(before.map((l) => l.fact_id))).toEqual(new Set([distanceFact, corrected]));
    const stored = (await layer(store).scene.graph(imageId))!.graph as SceneGraph;
    await storeQaResult(
      store,
      imageId,
      generateQa(stored, { imageId: String(imageId), seed: '3' }),
    );
    expect((await exportLines()).lines.map((l) => l.id)).toEqual(before.map((l) => l.id));
  });

  it('a relabel after approval reaches every exported phrasing before any re-derivation', async () => {
    const fact = (await firstFact(factsOf('left_right'), async (f) => {
      const subjects = (await card(f)).record!.subjects as number[];
      return (await approve(f)).applied && subjects.length === 2;
    }))!;
    const subject = ((await card(fact)).record!.subjects as number[])[0]!;
    const old = (await layer(store).browse.objects(imageId)).find((o) => o.id === subject)!;
    await objects.update({
      objectId: subject,
      expectedVersion: (await layer(store).browse.objectState(subject))!.version,
      label: 'bucket',
      actor: 'ann',
    });
    const { lines } = await exportLines();
    const mine = lines.filter((l) => l.fact_id === fact && l.naming === 'expression');
    expect(mine.length).toBeGreaterThan(0);
    for (const l of mine) {
      expect(`${l.question} ${l.answer}`).toMatch(/bucket/i);
      expect(`${l.question} ${l.answer}`).not.toMatch(new RegExp(`\\b${old.label}\\b`, 'i'));
    }
    // The corrected fact is re-rendered with the new name too when it names that object.
    for (const l of lines.filter((x) => x.naming === 'expression'))
      expect(`${l.question} ${l.answer}`).not.toMatch(new RegExp(`\\b${old.label}\\b`, 'i'));
  });

  it('a relabel that makes a name ambiguous withholds the expression phrasings it would spoil', async () => {
    const subjectsOf = async (f: string) => (await card(f)).record!.subjects as number[];
    const fact = (await firstFact(
      factsOf('direct_distance'),
      async (f) => (await approve(f)).applied,
    ))!;
    const [a, b] = await subjectsOf(fact);
    const other = (await layer(store).browse.objects(imageId)).find(
      (o) => o.id !== a && o.id !== b,
    )!;
    const target = (await layer(store).browse.objects(imageId)).find((o) => o.id === a)!;
    // Call object a by the other object's name: "the <name>" no longer picks out one object.
    await objects.update({
      objectId: a!,
      expectedVersion: (await layer(store).browse.objectState(a!))!.version,
      label: other.label,
      actor: 'ann',
    });
    const { lines } = await exportLines();
    const mine = lines.filter((l) => l.fact_id === fact);
    expect(mine.some((l) => l.naming === 'region')).toBe(true);
    for (const l of mine.filter((x) => x.naming === 'expression'))
      expect(`${l.question} ${l.answer}`).not.toMatch(new RegExp(`\\bthe ${other.label}\\b`, 'i'));
    expect(target.label).not.toBe(other.label);
  });

  it('templates changed since the run: exported text comes from the current templates only', async () => {
    const fact = factsOf('tall_short')[0] ?? factsOf('wide_thin')[0]!;
    // A phrasing stored from a template that has since been removed from the template files.
    const row = phrasingRecords(store.db, fact)[0]!;
    const rec = JSON.parse(row.r) as Record<string, unknown>;
    rec.question = 'An old template nobody ships any more?';
    rewritePhrasing(store.db, row.id, { record: rec, question: rec.question as string });
    expect((await approve(fact)).applied).toBe(true);
    const { lines } = await exportLines();
    const mine = lines.filter((l) => l.fact_id === fact);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.some((l) => l.question === rec.question)).toBe(false);
    // Every question is one of the current templates filled in.
    const family = mine[0]!.family;
    const shapes = Object.values(builtinTemplates()[family]!.questions).flat().map(templateShape);
    for (const l of mine) expect(shapes.some((re) => re.test(l.question))).toBe(true);
  });

  it('decisions stored before records carried fact and naming ids still export their fact', async () => {
    const fact = factsOf('height')[0] ?? factsOf('width')[0]!;
    // Records as earlier versions wrote them: no factId and no namingHash on the record.
    const rows = phrasingRecords(store.db, fact);
    for (const row of rows) {
      const { factId: _f, namingHash: _n, ...old } = JSON.parse(row.r) as Record<string, unknown>;
      rewritePhrasing(store.db, row.id, { record: old });
    }
    expect((await approve(fact)).applied).toBe(true);
    const mine = (await exportLines({ phrasingsPerFact: 3 })).lines.filter(
      (l) => l.fact_id === fact,
    );
    expect(mine).toHaveLength(3);
    expect(mine.every((l) => l.status === 'approved')).toBe(true);
  });
});
