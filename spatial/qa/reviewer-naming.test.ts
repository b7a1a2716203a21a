// What a reviewer's resolutions do to naming: attributes read as adjectives or as trailing phrases,
// positional attributes mark the axis they would give away, and an excluded node is neither a QA
// subject nor counted when naming the others.
import { describe, expect, it } from 'vitest';
import type { SceneGraph, SceneNode } from '../scene/scene-graph';
import { attributeAxis, buildExpressions, the } from './disambiguation';
import { Counter, SceneFacts } from './facts';
import { generateQa } from './generate';
import { edgesFor, nodeFromBox } from './testing/random-graph';
import { resolveOptions } from './types';

const CAMERA: [number, number, number] = [0, 1.5, 0];

/** Two identical bottles side by side at the same depth (no qualifier separates them) and a table. */
function twoBottles(attributes: [string[], string[]] = [[], []]): SceneGraph {
  const box = (x: number) => ({
    min: [x, 0.8, 2] as [number, number, number],
    max: [x + 0.08, 1.1, 2.08] as [number, number, number],
  });
  const nodes: SceneNode[] = [
    nodeFromBox(1, 'bottle', attributes[0], box(0), true, CAMERA),
    nodeFromBox(2, 'bottle', attributes[1], box(0.01), true, CAMERA),
    nodeFromBox(3, 'table', [], { min: [-1, 0, 1.5], max: [1, 0.8, 2.5] }, true, CAMERA),
  ];
  const edges = [];
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++)
      edges.push(...edgesFor(nodes[i]!, nodes[j]!, true, CAMERA));
  return {
    width: 640,
    height: 480,
    intrinsics: { fx: 500, fy: 500, cx: 320, cy: 240, source: 'test' },
    frame: {
      gravitySource: 'given',
      aligned: true,
      rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
      translation: [0, 1.5, 0],
      floorY: 0,
      cameraHeight: 1.5,
    },
    nodes,
    edges,
  };
}

const names = (g: SceneGraph) =>
  buildExpressions(new SceneFacts(g, resolveOptions(), new Counter())).expressions;

describe('reviewer naming', () => {
  it('puts adjectives before the noun and positional phrases after it', () => {
    expect(the(['red'], 'chair')).toBe('the red chair');
    expect(the(['on the left'], 'chair')).toBe('the chair on the left');
    expect(the(['red', 'by the door'], 'chair')).toBe('the red chair by the door');
    expect(attributeAxis('on the left')).toBe('left_right');
    expect(attributeAxis('near the camera')).toBe('camera');
    expect(attributeAxis('green')).toBeNull();
  });

  it('two identical bottles have no names until a reviewer adds an attribute', () => {
    expect(names(twoBottles()).has(1)).toBe(false);
    expect(names(twoBottles()).has(2)).toBe(false);
    const named = names(twoBottles([['green'], ['on the right']]));
    expect(named.get(1)?.text).toBe('the green bottle');
    expect(named.get(2)?.text).toBe('the bottle on the right');
    expect(named.get(2)?.axis).toBe('left_right');
  });

  it('an excluded bottle is no subject and no rival, and counting questions are not asked', () => {
    const g = twoBottles();
    g.nodes[1]!.excluded = 'unsure';
    expect(names(g).get(1)?.text).toBe('the bottle');
    const qa = generateQa(g, { imageId: 'x', seed: '1' });
    expect(qa.pairs.length).toBeGreaterThan(0);
    for (const p of qa.pairs) expect(p.subjects).not.toContain(2);
    expect(qa.pairs.filter((p) => p.family === 'count_relation')).toHaveLength(0);
    expect(qa.ambiguities).toHaveLength(0);
  });
});
