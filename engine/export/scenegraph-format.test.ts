// The scenegraph record says what camera_height is above and carries the build's image notes
// (issue 20): a steep view with a given gravity vector and no plane within reach exports the
// `no-support-plane` note as text; with one in reach, the height above that support plane.
import { describe, expect, it } from 'vitest';
import type { ExportImageRow } from '../../db/store/export-store';
import { buildScene } from '../../spatial/scene/build-scene-graph';
import { makeSyntheticScene } from '../../spatial/scene/synthetic-scene';
import { sceneInput } from '../../spatial/scene/test-support';
import { buildTableTopScene } from '../../spatial/scene/testing/table-top-build';
import { sceneGraphRecord } from './scenegraph-format';
import { SceneGraphRecord } from './schemas';

const image = {
  id: 1,
  fileName: 'table.png',
  relPath: 'table.png',
  width: 320,
  height: 240,
  fx: 262.4,
  fy: 262.4,
  cx: 159.5,
  cy: 119.5,
  intrinsicsSource: 'given',
} as unknown as ExportImageRow;

describe('scenegraph record: camera height reference and notes', () => {
  it('exports no-support-plane as text when nothing is within reach', () => {
    const { graph, notes } = buildTableTopScene(0.2);
    const rec = SceneGraphRecord.parse(sceneGraphRecord(image, graph, notes));
    expect(rec.format_version).toBe(4);
    expect(rec.frame.camera_height).toBeNull();
    expect(rec.frame.height_above).toBeNull();
    expect(rec.notes.find((n) => n.startsWith('no-support-plane:'))).toMatch(/given up/);
  });

  it('says the camera height is above a support plane when that is what it measured', () => {
    const { graph, notes } = buildTableTopScene();
    const rec = SceneGraphRecord.parse(sceneGraphRecord(image, graph, notes));
    // Seed 301 at 320x240: the table top fills the view; the camera is 0.626 m above it.
    expect(rec.frame.height_above).toBe('support-plane');
    expect(rec.frame.camera_height).toBeCloseTo(0.626, 1);
    expect(rec.notes.some((n) => n.startsWith('support-plane-below-camera:'))).toBe(true);
    expect(rec.notes).toEqual(notes);
  });

  it('reads graphs stored before height_above existed', () => {
    const { graph } = buildTableTopScene();
    const old = { ...graph, frame: { ...graph.frame, heightAbove: undefined } };
    delete old.frame.heightAbove;
    expect(sceneGraphRecord(image, old).frame.height_above).toBe('floor');
    const steep = { ...old, frame: { ...old.frame, gravitySource: 'support-plane' as const } };
    expect(sceneGraphRecord(image, steep).frame.height_above).toBe('support-plane');
  });

  it('says which ends of the bounded extents were hidden, as the graph does (version 4)', () => {
    // A low, level camera: objects hide their own backs.
    const sc = makeSyntheticScene(1005, { cameraHeight: [0.5, 0.9], pitchDeg: [0, 6] });
    const { graph } = buildScene(sceneInput(sc, { masks: false }));
    const rec = SceneGraphRecord.parse(sceneGraphRecord(image, graph));
    const measured = graph.nodes.filter((n) => n.extentStatus);
    expect(measured.some((n) => n.hiddenEnds!.depth.includes('far'))).toBe(true);
    graph.nodes.forEach((n, i) => {
      expect(rec.objects[i]!.hidden_ends).toEqual(n.hiddenEnds ?? null);
    });
  });
});
