// What the UI gets of a stored scene graph (scene.get): the build's image notes verbatim, and what
// the camera height is above, also for graphs stored before `heightAbove` existed (issue 20).
import { describe, expect, it } from 'vitest';
import { SceneGraphView } from '../contract/entities';
import { buildTableTopScene } from '../spatial/scene/testing/table-top-build';
import { toSceneGraphView } from './mappers';

describe('scene graph view', () => {
  it('carries the no-support-plane note and a null height reference', () => {
    const { graph, notes } = buildTableTopScene(0.2);
    const view = SceneGraphView.parse(toSceneGraphView(graph, notes, []));
    expect(view.notes).toEqual(notes);
    expect(view.notes.some((n) => n.startsWith('no-support-plane: '))).toBe(true);
    expect(view.frame).toMatchObject({ cameraHeight: null, heightAbove: null });
  });

  it('says the height is above a support plane, and reads older graphs', () => {
    const { graph, notes } = buildTableTopScene();
    expect(toSceneGraphView(graph, notes, []).frame.heightAbove).toBe('support-plane');
    const older = { ...graph, frame: { ...graph.frame } };
    delete older.frame.heightAbove;
    expect(toSceneGraphView(older, notes, []).frame.heightAbove).toBe('floor');
  });
});
