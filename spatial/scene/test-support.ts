// Helpers shared by the scene-graph test files: scene -> builder input, which objects are well
// observed, and the tolerances the property tests state. Pure (no I/O).
import { encodeRle } from '../geometry/mask-rle';
import type { SceneInput, SceneObjectInput } from './build-scene-graph';
import {
  truthOf,
  visibleBox,
  visibleMask,
  type SynthScene,
  type SynthShape,
} from './synthetic-scene';

export function sceneInput(
  sc: SynthScene,
  opts: { masks?: boolean; gravity?: boolean } = {},
): SceneInput {
  const objects: SceneObjectInput[] = [];
  for (const s of sc.shapes) {
    const b = visibleBox(sc, s.id);
    if (!b) continue;
    objects.push({
      id: s.id,
      label: s.kind,
      bbox2d: b,
      mask:
        opts.masks === false
          ? null
          : { rle: encodeRle(visibleMask(sc, s.id), sc.width, sc.height) },
      maskRef: opts.masks === false ? null : `mask:${s.id}`,
      maskProvenance: opts.masks === false ? null : 'model',
    });
  }
  return {
    depth: sc.depth,
    width: sc.width,
    height: sc.height,
    intrinsics: { ...sc.k, source: 'given' },
    objects,
    gravity: opts.gravity ? { up: sc.up, source: 'given' } : null,
  };
}

/** Range from the camera to the shape's true centre (m). */
export function rangeOf(sc: SynthScene, s: SynthShape): number {
  const c = truthOf(s).centre;
  return Math.hypot(c[0], c[1] - sc.cameraHeight, c[2]);
}

/** Size of one pixel at the shape's range (m). */
export function footprintOf(sc: SynthScene, s: SynthShape): number {
  return rangeOf(sc, s) / sc.k.fx;
}

/** Unoccluded (< 2% of its pixels hidden), not cut by the image border, at least 200 pixels. */
export function unoccluded(sc: SynthScene, s: SynthShape): boolean {
  const vis = sc.visible.get(s.id) ?? 0;
  const alone = sc.alone.get(s.id) ?? 0;
  return alone > 0 && vis >= 200 && 1 - vis / alone < 0.02 && !sc.touchesBorder.has(s.id);
}

/** Angle (rad) under which the camera sees the shape's top face. */
export function topGrazing(sc: SynthScene, s: SynthShape): number {
  return Math.atan2(sc.cameraHeight - s.y1, Math.hypot(s.cx, s.cz));
}

/**
 * Stated tolerances (metres) for an unoccluded object: 3% of the true value plus two pixel
 * footprints (sampling); the depth extent comes from the top face, sampled 1/sin(grazing) sparser.
 */
export const TOL = {
  extent: (truth: number, fp: number) => 0.03 * truth + 2 * fp,
  depthExtent: (truth: number, fp: number, grazing: number) =>
    0.03 * truth + (2 * fp) / Math.sin(grazing),
  centre: (range: number, fp: number) => 0.01 * range + 2 * fp,
  elevation: 0.025,
  cameraHeight: 0.03,
  upDeg: 1,
};
