import { describe, expect, it } from 'vitest';
import type { SceneGraph } from '../scene/scene-graph';
import { generateQa } from './generate';
import { randomGraph } from './testing/random-graph';

const all = { maxPerFamily: Infinity };

describe('bad input is skipped with counted reasons, never thrown', () => {
  it('missing extents: the node is not used', () => {
    const g = randomGraph(21, { objects: 5, badQuality: 0 });
    const bad = g.nodes[2]!;
    (bad as { extent?: unknown }).extent = undefined;
    const r = generateQa(g, all);
    expect(r.skipped['missing-extent']).toBe(1);
    expect(r.pairs.length).toBeGreaterThan(0);
    expect(r.pairs.some((p) => p.subjects.includes(bad.id))).toBe(false);
  });

  it('unaligned frame: no above/below, elevation, vertical or support QA', () => {
    const g = randomGraph(22, { objects: 6, alignedProb: 0 });
    expect(g.frame.aligned).toBe(false);
    expect(g.edges.some((e) => e.predicate === 'vertical_distance')).toBe(true); // present, but not trusted
    const r = generateQa(g, all);
    const fams = new Set(r.pairs.map((p) => p.family));
    for (const f of ['above_below', 'elevation', 'vertical_distance', 'support'])
      expect(fams.has(f)).toBe(false);
    expect(r.skipped['frame-unaligned']).toBe(5); // above_below, vertical_distance, elevation, support x2
    expect(fams.has('left_right')).toBe(true);
  });

  it('a single object: only single-object families, and the reason is counted', () => {
    const g = randomGraph(23, { objects: 1, badQuality: 0, alignedProb: 1 });
    const r = generateQa(g, all);
    expect(r.skipped['single-object']).toBe(1);
    expect(new Set(r.pairs.map((p) => p.family))).toEqual(
      new Set(['width', 'height', 'depth_extent', 'distance_from_camera', 'elevation']),
    );
  });

  it('labels with markup or 500 characters are never used as text; region QA still works', () => {
    const g = randomGraph(24, {
      objects: 4,
      badQuality: 0,
      labels: ['cup', 'lamp', 'book', 'vase'],
    });
    const [a, b] = g.nodes;
    a!.label = '<img src=x onerror=alert(1)>';
    b!.label = 'x'.repeat(500);
    g.nodes[2]!.label = 'the {B} thing';
    const r = generateQa(g, all);
    expect(r.skipped['label-markup']).toBe(2);
    expect(r.skipped['label-too-long']).toBe(1);
    const text = r.pairs.map((p) => p.question + p.answer).join('\n');
    expect(text).not.toContain('<img');
    expect(text).not.toContain('xxxxxxxxxx');
    expect(text).not.toContain('{');
    for (const id of [a!.id, b!.id, g.nodes[2]!.id]) {
      expect(r.pairs.some((p) => p.naming === 'region' && p.subjects.includes(id))).toBe(true);
      expect(r.pairs.some((p) => p.naming === 'expression' && p.subjects.includes(id))).toBe(false);
    }
    const amb = r.ambiguities.find((x) => x.nodeId === b!.id)!;
    expect(amb.reason).toBe('label-too-long');
    expect(amb.label.length).toBeLessThanOrEqual(64);
  });

  it('garbage graphs do not throw', () => {
    const cases: unknown[] = [
      null,
      {},
      { nodes: 'x' },
      { nodes: [], edges: [] },
      { nodes: [null, { id: 'a' }], edges: [null] },
      { ...randomGraph(25), frame: undefined },
      {
        ...randomGraph(26),
        edges: [{ subject: 1, object: 4, predicate: 'direct_distance', value: Number.NaN }],
      },
      { ...randomGraph(27), edges: [{ subject: 1, object: 999, predicate: 'left_of' }] },
    ];
    for (const c of cases) expect(() => generateQa(c as SceneGraph)).not.toThrow();
    expect(generateQa(null as unknown as SceneGraph).skipped['invalid-graph']).toBe(1);
    expect(generateQa(cases[3] as SceneGraph).skipped['no-objects']).toBe(1);
    expect(generateQa(cases[6] as SceneGraph).skipped['edge-invalid']).toBe(1);
    expect(generateQa(cases[7] as SceneGraph).skipped['edge-unusable-node']).toBe(1);
  });

  it('missing edges make relations unknown, counted, never guessed', () => {
    const g = randomGraph(28, { objects: 5 });
    g.edges = g.edges.filter((e) => !['left_of', 'right_of'].includes(e.predicate));
    const r = generateQa(g, all);
    expect(r.pairs.some((p) => p.family === 'left_right' || p.family === 'middle')).toBe(false);
    expect(r.skipped['relation-unknown']).toBeGreaterThan(0);
  });

  it('near-ties inside an edge margin are not decided', () => {
    const g = randomGraph(29, { objects: 2, badQuality: 0 });
    g.edges = [
      {
        subject: g.nodes[0]!.id,
        object: g.nodes[1]!.id,
        predicate: 'left_of',
        value: 0.01,
        margin: 0.05,
      },
    ];
    const r = generateQa(g, { ...all, families: ['left_right'] });
    expect(r.pairs).toEqual([]);
    expect(r.skipped['below-margin']).toBe(1);
  });
});
