// An object standing on another is dropped from the support's box-derived mask (issue 20: the
// support's height and centre, and every distance to it, included the object on top). Standard
// synthetic scenes, 640x480, 4 mm/m range noise, 1% holes, objects given as 2D boxes only.
import { describe, expect, it } from 'vitest';
import { maskFromBox } from './box-to-mask';
import { buildScene } from './build-scene-graph';
import { estimateFrame } from './gravity-frame';
import { separateStackedObjects } from './stacked-objects';
import { makeSyntheticScene, type SynthScene, type SynthShape } from './synthetic-scene';
import { sceneInput } from './test-support';
import { quantile } from './extent-accuracy';

const SEEDS = Array.from({ length: 30 }, (_, i) => 3000 + i);
const scene = (seed: number) =>
  makeSyntheticScene(seed, { width: 640, height: 480, noise: 0.004, holes: 0.01 });

/** Whether some other shape stands on `s` (its bottom at s's top). */
function carries(sc: SynthScene, s: SynthShape): boolean {
  return sc.shapes.some((x) => x.id !== s.id && Math.abs(x.y0 - s.y1) < 0.01);
}

describe('objects standing on a box-derived support', () => {
  it('are dropped from the support mask, and no other mask changes', () => {
    let supporters = 0;
    let separated = 0;
    let others = 0;
    const changedOthers: string[] = [];
    for (const seed of SEEDS) {
      const sc = scene(seed);
      const input = sceneInput(sc, { masks: false });
      const img = { depth: input.depth, width: input.width, height: input.height };
      const frame = estimateFrame(img, input.intrinsics, null).frame;
      const masks = input.objects.map((o) => ({
        ...maskFromBox(img, input.intrinsics, o.bbox2d, frame),
        derived: true,
        bbox: o.bbox2d,
      }));
      const out = separateStackedObjects(masks, img, input.intrinsics, frame);
      input.objects.forEach((o, i) => {
        const s = sc.shapes.find((x) => x.id === o.id)!;
        const changed = out[i] !== masks[i]!.pixels;
        if (changed) expect(out[i]!.length).toBeLessThan(masks[i]!.pixels.length);
        if (carries(sc, s)) {
          supporters++;
          if (changed) separated++;
        } else {
          others++;
          if (changed) changedOthers.push(`${seed}:${o.id}`);
        }
      });
    }
    expect(supporters).toBeGreaterThan(20);
    expect(separated / supporters).toBeGreaterThan(0.8);
    // A mask changes without anything standing on it only when box -> mask found a wrong support
    // (a mostly hidden object whose cluster is the foreground's top); none in these seeds.
    expect(others).toBeGreaterThan(80);
    expect(changedOthers.length, changedOthers.join(' ')).toBeLessThanOrEqual(1);
  });

  it('gives supports their own top and height, not the stack', () => {
    const top: number[] = [];
    const height: number[] = [];
    for (const seed of SEEDS) {
      const sc = scene(seed);
      const { graph } = buildScene(sceneInput(sc, { masks: false }));
      for (const s of sc.shapes) {
        if (!carries(sc, s)) continue;
        const n = graph.nodes.find((x) => x.id === s.id);
        if (!n?.quality.ok) continue;
        top.push(Math.abs(n.aabb.max[1] - graph.frame.floorY! - s.y1));
        // An occluded bottom makes the height a lower bound only (extent-status.ts).
        if (n.extentStatus?.height === 'observed')
          height.push((n.extent.height - (s.y1 - s.y0)) / (s.y1 - s.y0));
      }
    }
    // Before (supports keeping the object on top), seeds 1000-1099: height median +24%, p90 +53%.
    expect(top.length).toBeGreaterThan(20);
    expect(quantile(top, 0.5)).toBeLessThan(0.01);
    expect(quantile(top, 0.9)).toBeLessThan(0.03);
    expect(height.length).toBeGreaterThan(15);
    expect(quantile(height, 0.5)).toBeLessThan(0.03);
    expect(quantile(height, 0.9)).toBeLessThan(0.08);
    expect(quantile(height, 0.1)).toBeGreaterThan(-0.03);
  });

  it('leaves masks alone in unaligned frames and given masks alone', () => {
    const sc = scene(3001);
    const input = sceneInput(sc, { masks: false });
    const img = { depth: input.depth, width: input.width, height: input.height };
    const frame = estimateFrame(img, input.intrinsics, null).frame;
    const masks = input.objects.map((o) => ({
      ...maskFromBox(img, input.intrinsics, o.bbox2d, frame),
      derived: true,
      bbox: o.bbox2d,
    }));
    expect(masks.some((m) => m.supportY !== null)).toBe(true);
    const unaligned = separateStackedObjects(masks, img, input.intrinsics, {
      ...frame,
      aligned: false,
    });
    unaligned.forEach((p, i) => expect(p).toBe(masks[i]!.pixels));
    const given = separateStackedObjects(
      masks.map((m) => ({ ...m, derived: false })),
      img,
      input.intrinsics,
      frame,
    );
    given.forEach((p, i) => expect(p).toBe(masks[i]!.pixels));
  });
});
