// Real RGB-D frames (Redwood living room, ICL-NUIM renders: uint16 PNG depth in mm, Kinect
// intrinsics 525/525/319.5/239.5): the floor is found, the frame is level, and a hand-labelled
// object (the rocking chair of frame 00000, box read off the colour image) has a plausible size.
// Tests may read fixtures; the spatial sources themselves stay free of I/O.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { buildScene } from './build-scene-graph';

// The demo batch ships the same frames as ../shared/data, so the test needs nothing outside the repo.
const DIR = resolve(import.meta.dirname, '../../samples/demo-batch/redwood-livingroom/depth');
const K = { fx: 525, fy: 525, cx: 319.5, cy: 239.5, source: 'given' };

function loadDepth(name: string): { depth: Float32Array; width: number; height: number } {
  const png = decode(readFileSync(`${DIR}/${name}.png`));
  expect(png.depth).toBe(16);
  const raw = png.data as Uint16Array;
  const depth = new Float32Array(png.width * png.height);
  for (let i = 0; i < depth.length; i++) depth[i] = raw[i]! / 1000;
  return { depth, width: png.width, height: png.height };
}

describe('Redwood living room', () => {
  it('finds the floor in every frame: level frame, plausible camera height', () => {
    for (const f of ['00000', '00001', '00002']) {
      const d = loadDepth(f);
      const { graph } = buildScene({ ...d, intrinsics: K, objects: [] });
      expect(graph.frame.gravitySource).toBe('floor-plane');
      expect(graph.frame.aligned).toBe(true);
      // The camera is held low in this sequence (~0.45-0.5 m: the chair seat is at eye level).
      expect(graph.frame.cameraHeight!).toBeGreaterThan(0.3);
      expect(graph.frame.cameraHeight!).toBeLessThan(2);
      // Level: the camera's optical axis is within 10 degrees of horizontal (row 2 of R = forward;
      // R[5] = up . camera z).
      const pitch = (Math.asin(Math.abs(graph.frame.rotation[5]!)) * 180) / Math.PI;
      expect(pitch).toBeLessThan(10);
    }
  });

  it('sizes the hand-labelled rocking chair plausibly from its box alone', () => {
    const d = loadDepth('00000');
    const { graph, derivedMasks } = buildScene({
      ...d,
      intrinsics: K,
      objects: [{ id: 1, label: 'rocking chair', bbox2d: [335, 108, 612, 385] }],
    });
    const chair = graph.nodes[0]!;
    expect(chair.quality.ok).toBe(true);
    expect(chair.maskProvenance).toBe('depth-cluster');
    expect(derivedMasks.has(1)).toBe(true);
    // A rocking chair: about 0.8-1.1 m tall, 0.5-1.1 m wide, 0.6-1.2 m long, standing on the floor
    // about 1.2 m from the camera.
    expect(chair.extent.height).toBeGreaterThan(0.75);
    expect(chair.extent.height).toBeLessThan(1.15);
    expect(chair.extent.width).toBeGreaterThan(0.5);
    expect(chair.extent.width).toBeLessThan(1.1);
    expect(chair.extent.depth).toBeGreaterThan(0.5);
    expect(chair.extent.depth).toBeLessThan(1.2);
    expect(chair.elevation!).toBeLessThan(0.05);
    expect(chair.distanceFromCamera).toBeGreaterThan(0.8);
    expect(chair.distanceFromCamera).toBeLessThan(1.6);
  });
});
