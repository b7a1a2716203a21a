// A camera looking steeply down at a table top (synthetic seed 301), built with its true up as
// the given gravity: the scene the camera-height reference and no-support-plane tests share.
// A small `maxSupportDistance` puts the table out of reach, so no support plane is found.
import { buildScene } from '../build-scene-graph';
import { makeSyntheticScene } from '../synthetic-scene';

export function buildTableTopScene(maxSupportDistance?: number): ReturnType<typeof buildScene> {
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
