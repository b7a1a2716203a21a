// What the UI gets of a stored scene graph (scene.get): the build's image notes verbatim, and what
// the camera height is above, also for graphs stored before `heightAbove` existed (issue 20).
import { describe, expect, it } from 'vitest';
import { SceneGraphView } from '../contract/entities';
import { buildScene } from '../spatial/scene/build-scene-graph';
import { makeSyntheticScene } from '../spatial/scene/synthetic-scene';
import { toSceneGraphView } from './mappers';

function tableBuild(maxSupportDistance?: number) {
  const sc = makeSyntheticScene(301, { tableTop: true, noise: 0.004 });
  return buildScene({
    depth: sc.depth,
    width: sc.width,
    height: sc.height,
    intrinsics: sc.k,
    objects: [],
    gravity: { up: sc.up, source: 'given' },
    options: maxSupportDistance ? { frame: { maxSupportDistance } } : undefined,
  });
}

describe('scene graph view', () => {
  it('carries the no-support-plane note and a null height reference', () => {
    const { graph, notes } = tableBuild(0.2);
    const view = SceneGraphView.parse(toSceneGraphView(graph, notes, []));
    expect(view.notes).toEqual(notes);
    expect(view.notes.some((n) => n.startsWith('no-support-plane: '))).toBe(true);
    expect(view.frame).toMatchObject({ cameraHeight: null, heightAbove: null });
  });

  it('says the height is above a support plane, and reads older graphs', () => {
    const { graph, notes } = tableBuild();
    expect(toSceneGraphView(graph, notes, []).frame.heightAbove).toBe('support-plane');
    const older = { ...graph, frame: { ...graph.frame } };
    delete older.frame.heightAbove;
    expect(toSceneGraphView(older, notes, []).frame.heightAbove).toBe('floor');
  });
});
