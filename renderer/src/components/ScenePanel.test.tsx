// The scene panel shows the build's image notes as text, so a user learns why no floor or support
// plane was found, and says what the camera height is above (issue 20). The frame and notes come
// from a real build (the engine's scene.get passes both through unchanged, engine/mappers.ts).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SceneGraphView } from '../../../contract/entities';
import { buildTableTopScene } from '../../../spatial/scene/testing/table-top-build';
import { ScenePanel } from './ScenePanel';

function panelFor(maxSupportDistance?: number): string {
  const { graph, notes } = buildTableTopScene(maxSupportDistance);
  const f = graph.frame;
  const view: SceneGraphView = {
    frame: {
      gravitySource: f.gravitySource,
      aligned: f.aligned,
      cameraHeight: f.cameraHeight,
      heightAbove: f.heightAbove ?? null,
      rotation: f.rotation,
      translation: f.translation,
      floorY: f.floorY,
    },
    nodes: [],
    relationCount: 0,
    notes,
    ambiguities: [],
  };
  return renderToStaticMarkup(<ScenePanel scene={view} colors={new Map()} error={null} />);
}

describe('scene panel', () => {
  it('shows the no-support-plane note as text', () => {
    const html = panelFor(0.2);
    expect(html).toMatch(/<li>no-support-plane: no large plane within 10 deg of the given up/);
    expect(html).toContain('<li>no-floor</li>');
  });

  it('labels a camera height measured above a support plane', () => {
    const html = panelFor();
    expect(html).toContain('Camera height (above the support plane)');
    expect(html).toMatch(/<li>support-plane-below-camera: 0\.6\d m below the camera/);
  });
});

describe('scene notes', () => {
  it('says what a rejected plane means and shows a repeated note once with its count', () => {
    const view: SceneGraphView = {
      frame: {
        gravitySource: 'floor-plane',
        aligned: true,
        cameraHeight: 1.07,
        heightAbove: 'floor',
        rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1],
        translation: [0, 0, 0],
        floorY: 0,
      },
      nodes: [],
      relationCount: 0,
      notes: [
        'rejected-plane-with-points-below',
        'rejected-plane-with-points-below',
        'rejected-plane-with-points-below',
        'an unknown <b>note</b>',
      ],
      ambiguities: [],
    };
    const html = renderToStaticMarkup(<ScenePanel scene={view} colors={new Map()} error={null} />);
    expect(html).toContain('was not taken for the floor (a wall or table-top slice) (×3)');
    expect(html).not.toContain('rejected-plane-with-points-below');
    // Text from the engine stays text.
    expect(html).toContain('an unknown &lt;b&gt;note&lt;/b&gt;');
  });
});
