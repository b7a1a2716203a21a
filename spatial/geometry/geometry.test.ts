import { describe, expect, it } from 'vitest';
import { aabbOf, yawBoxOf } from './boxes';
import { dbscan } from './dbscan';
import { symmetricEigen3 } from './eigen3';
import { convexHull, minAreaRect } from './footprint';
import { PointGrid } from './grid';
import { liftDepth, liftPixel, liftPixelsTransformed } from './lift';
import { statisticalOutlierMask } from './outliers';
import { fitPlane } from './plane-fit';
import { ransacPlane } from './ransac';
import { gaussian, mulberry32 } from './rng';
import { voxelDownsample } from './voxel';

const K = { fx: 500, fy: 400, cx: 319.5, cy: 239.5 };

function cloud(points: number[][]): Float32Array {
  return Float32Array.from(points.flat());
}

describe('lift', () => {
  it('uses pixel centres at integer coordinates and OpenCV axes', () => {
    expect(liftPixel(319.5, 239.5, 2, K)).toEqual([0, 0, 2]);
    const [x, y, z] = liftPixel(419.5, 139.5, 2, K);
    expect(x).toBeCloseTo(0.4, 12); // right of centre: +x
    expect(y).toBeCloseTo(-0.5, 12); // above centre: -y
    expect(z).toBe(2);
  });

  it('drops zero, negative, NaN and infinite depth', () => {
    const depth = Float32Array.from([1, 0, NaN, -2, Infinity, 3]);
    const p = liftDepth({ depth, width: 3, height: 2 }, { fx: 1, fy: 1, cx: 1, cy: 0.5 });
    expect(p.count).toBe(2);
    expect(Array.from(p.pixels)).toEqual([0, 5]);
    expect(Array.from(p.xyz)).toEqual([-1, -0.5, 1, 3, 1.5, 3]);
  });

  it('applies a rigid transform while lifting selected pixels', () => {
    const depth = Float32Array.from([2, 2, 2, 2]);
    const k = { fx: 1, fy: 1, cx: 0, cy: 0 };
    const flipY = [1, 0, 0, 0, -1, 0, 0, 0, 1];
    const p = liftPixelsTransformed({ depth, width: 2, height: 2 }, k, [3], flipY, [0, 1.5, 0]);
    expect(Array.from(p.xyz)).toEqual([2, -0.5, 2]);
  });
});

describe('eigen3 and plane fit', () => {
  it('diagonalises a symmetric matrix', () => {
    const e = symmetricEigen3([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    expect(e.values[0]).toBeCloseTo(1, 10);
    expect(e.values[1]).toBeCloseTo((7 - Math.sqrt(5)) / 2, 10);
    expect(e.values[2]).toBeCloseTo((7 + Math.sqrt(5)) / 2, 10);
    expect(Math.abs(e.vectors[0][2])).toBeCloseTo(1, 10);
  });

  it('recovers a tilted plane and rejects collinear points', () => {
    const rng = mulberry32(3);
    const pts: number[][] = [];
    for (let i = 0; i < 200; i++) {
      const x = rng() * 4 - 2;
      const z = rng() * 4 + 1;
      pts.push([x, 0.2 * x - 0.1 * z + 1.5 + 0.001 * gaussian(rng), z]);
    }
    const pl = fitPlane(cloud(pts))!;
    const n = Math.hypot(0.2, 1, 0.1);
    const s = Math.sign(pl.normal[1]);
    expect(pl.normal[0] * s).toBeCloseTo(-0.2 / n, 2);
    expect(pl.normal[1] * s).toBeCloseTo(1 / n, 2);
    expect(pl.normal[2] * s).toBeCloseTo(0.1 / n, 2);
    expect(pl.d * s).toBeCloseTo(-1.5 / n, 2);
    expect(
      fitPlane(
        cloud([
          [0, 0, 0],
          [1, 1, 1],
          [2, 2, 2],
          [3, 3, 3],
        ]),
      ),
    ).toBeNull();
  });
});

describe('ransacPlane', () => {
  it('finds the floor among a larger wall when the tilt cone excludes walls', () => {
    const rng = mulberry32(5);
    const pts: number[][] = [];
    for (let i = 0; i < 600; i++) pts.push([rng() * 4 - 2, rng() * 3 - 1.5, 4]); // wall z = 4
    for (let i = 0; i < 300; i++) pts.push([rng() * 4 - 2, 1.4, rng() * 3 + 1]); // floor y = 1.4 (camera y down)
    for (let i = 0; i < 100; i++) pts.push([rng() * 4 - 2, rng() * 3, rng() * 5]); // clutter
    const xyz = cloud(pts);
    const cand = Int32Array.from({ length: pts.length }, (_, i) => i);
    const hit = ransacPlane(xyz, cand, {
      prior: [0, -1, 0],
      maxTilt: Math.PI / 4,
      threshold: 0.02,
      seed: 1,
    })!;
    expect(hit.plane.normal[1]).toBeCloseTo(-1, 3);
    expect(hit.plane.d).toBeCloseTo(1.4, 3); // camera 1.4 m above
    expect(hit.inliers.length).toBeGreaterThanOrEqual(300);
    expect(hit.inliers.length).toBeLessThan(320);
    // Deterministic for a seed.
    const again = ransacPlane(xyz, cand, {
      prior: [0, -1, 0],
      maxTilt: Math.PI / 4,
      threshold: 0.02,
      seed: 1,
    })!;
    expect(again.plane).toEqual(hit.plane);
  });
});

describe('grid, voxels, outliers, dbscan', () => {
  const rng = mulberry32(11);
  const pts: number[][] = [];
  for (let i = 0; i < 2000; i++) pts.push([rng(), rng(), rng() * 0.02]);
  const xyz = cloud(pts);

  it('grid neighbour queries match brute force', () => {
    const g = new PointGrid(xyz, pts.length, 0.05);
    const out = new Int32Array(4096);
    const d2 = new Float64Array(4096);
    for (const i of [0, 17, 999, 1999]) {
      const n = g.neighbours(i, 0.05, out, d2);
      const got = Array.from(out.subarray(0, n)).sort((a, b) => a - b);
      const want: number[] = [];
      for (let j = 0; j < pts.length; j++) {
        const d = Math.hypot(
          xyz[j * 3]! - xyz[i * 3]!,
          xyz[j * 3 + 1]! - xyz[i * 3 + 1]!,
          xyz[j * 3 + 2]! - xyz[i * 3 + 2]!,
        );
        if (d <= 0.05) want.push(j);
      }
      expect(got).toEqual(want);
    }
  });

  it('voxel means and membership', () => {
    const v = voxelDownsample(
      cloud([
        [0.01, 0.01, 0.01],
        [0.03, 0.03, 0.03],
        [0.11, 0, 0],
      ]),
      3,
      0.1,
    );
    expect(v.count).toBe(2);
    expect(Array.from(v.voxelOf)).toEqual([0, 0, 1]);
    expect(v.xyz[0]).toBeCloseTo(0.02, 6);
    expect(Array.from(v.weight)).toEqual([2, 1]);
  });

  it('statistical outlier removal flags isolated points only', () => {
    const withOut = cloud([...pts, [3, 3, 3], [-2, 0.5, 0.5]]);
    const keep = statisticalOutlierMask(withOut, pts.length + 2, {
      k: 8,
      stdRatio: 2.5,
      radius: 0.1,
    });
    expect(keep[pts.length]).toBe(0);
    expect(keep[pts.length + 1]).toBe(0);
    let kept = 0;
    for (let i = 0; i < pts.length; i++) kept += keep[i]!;
    expect(kept / pts.length).toBeGreaterThan(0.97);
  });

  it('dbscan separates two blobs and labels stragglers noise', () => {
    const two = [...pts, ...pts.map(([x, y, z]) => [x! + 5, y!, z!]), [10, 10, 10]];
    const r = dbscan(cloud(two), two.length, 0.08, 4);
    expect(r.clusters).toBe(2);
    expect(r.sizes.sort()).toEqual([2000, 2000]);
    expect(r.labels[two.length - 1]).toBe(-1);
    expect(r.labels[0]).not.toBe(r.labels[2000]);
  });
});

describe('footprint and boxes', () => {
  it('hull of a square with interior points', () => {
    const xy = [0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0.5, 0.2, 0.7];
    expect(convexHull(xy, 6)).toEqual([0, 0, 1, 0, 1, 1, 0, 1]);
  });

  it('minimum-area rectangle recovers a rotated rectangle', () => {
    const rng = mulberry32(2);
    const a = 0.4;
    const xy: number[] = [];
    for (let i = 0; i < 500; i++) {
      const u = (rng() - 0.5) * 2; // 2 x 0.6
      const v = (rng() - 0.5) * 0.6;
      xy.push(3 + u * Math.cos(a) - v * Math.sin(a), 1 + u * Math.sin(a) + v * Math.cos(a));
    }
    const r = minAreaRect(xy, 500)!;
    const sizes = [...r.size].sort((p, q) => p - q);
    expect(sizes[0]).toBeCloseTo(0.6, 1);
    expect(sizes[1]).toBeCloseTo(2, 1);
    expect(r.center[0]).toBeCloseTo(3, 1);
    expect(r.center[1]).toBeCloseTo(1, 1);
  });

  it('yaw box folds its yaw into [-pi/4, pi/4] and measures all points', () => {
    // A 1.0 (x) by 0.4 (z) box turned by 1.2 rad: folded yaw = 1.2 - pi/2, extents swap.
    const rng = mulberry32(9);
    const pts: number[][] = [];
    const yaw = 1.2;
    for (let i = 0; i < 800; i++) {
      const u = (rng() - 0.5) * 1.0;
      const v = (rng() - 0.5) * 0.4;
      pts.push([
        u * Math.cos(yaw) - v * Math.sin(yaw),
        rng() * 0.5,
        u * Math.sin(yaw) + v * Math.cos(yaw) + 2,
      ]);
    }
    const xyz = cloud(pts);
    const all = Int32Array.from({ length: pts.length }, (_, i) => i);
    const box = yawBoxOf(xyz, pts.length, xyz, all)!;
    expect(box.yaw).toBeCloseTo(1.2 - Math.PI / 2, 1);
    expect(box.extent[0]).toBeCloseTo(0.4, 1);
    expect(box.extent[2]).toBeCloseTo(1.0, 1);
    expect(box.extent[1]).toBeCloseTo(0.5, 1);
    expect(box.center[2]).toBeCloseTo(2, 1);
    const aabb = aabbOf(xyz, all)!;
    // The AABB of a turned box is larger than its own extents.
    expect(aabb.max[0] - aabb.min[0]).toBeGreaterThan(box.extent[0]);
  });
});
