// Metric3D depth/normals and camera calibration (EXIF, default FoV, GeoCalib fields).
import { afterAll, describe, expect, it } from 'vitest';
import { SessionPool } from '../session-pool';
import { geocalibModel, metric3dModel } from '../testing/adapter-models';
import { installedContext, removeTempDirs, solidImage } from '../testing/fixtures';
import {
  calibrate,
  createGeoCalib,
  exifIntrinsics,
  fitCamera,
  geocalibInputSize,
  predictFields,
  upVector,
  type FieldSamples,
} from './calibration';
import { intrinsicsFromFov } from '../../spatial/camera';
import { createMetric3d, decanonicalise } from './metric3d';

const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});
const deg = Math.PI / 180;

describe('Metric3D v2', () => {
  let memo: ReturnType<typeof installedContext> | undefined;
  const ctx = () =>
    (memo ??= installedContext('metric3d-vit-small', { 'onnx/model.onnx': metric3dModel() }, pool));

  it("de-canonicalises with fx' = fx at the network width, / 1000, clamped to 300 m", () => {
    const { metres, scale } = decanonicalise(Float32Array.of(100, 1e6, -5), 525, 640, 686);
    expect(scale).toBeCloseTo((525 * 686) / 640 / 1000, 12);
    expect(metres[0]).toBeCloseTo(100 * scale, 4);
    expect([metres[1], metres[2]]).toEqual([300, 0]);
  });

  it('returns metres and unit normals at the original size', async () => {
    // Left half grey 50, right half grey 150: the tiny model's canonical depth is the pixel value.
    // 160 × 120 (a 640 × 480 camera at quarter size): network 518 × 392 by the DPT rule.
    const img = solidImage(160, 120, [50, 50, 50]);
    for (let y = 0; y < 120; y++) {
      for (let x = 80; x < 160; x++) img.data.set([150, 150, 150], (y * 160 + x) * 3);
    }
    const intr = { fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5, source: 'sensor' };
    const r = await createMetric3d(ctx()).run({ ...img, intrinsics: intr });
    expect(r.network).toEqual({ width: 518, height: 392 });
    expect([r.width, r.height, r.depth.length, r.units]).toEqual([160, 120, 160 * 120, 'metres']);
    const scale = (131.25 * 518) / 160 / 1000; // fx' = fx · 518/160 ≈ 424.9 px → × 0.4249
    expect(r.focalScale).toBeCloseTo(scale, 9);
    expect(r.depth[60 * 160 + 2]).toBeCloseTo(50 * scale, 3);
    expect(r.depth[60 * 160 + 157]).toBeCloseTo(150 * scale, 3);
    expect(r.intrinsics.source).toBe('sensor');
    // (0, 0, −2) renormalised; confidence channel resized too.
    expect([...r.normals!.subarray(0, 3)]).toEqual([0, 0, -1]);
    expect(r.normalConfidence![1000]).toBeCloseTo(0.5, 6);
  });

  it('falls back to a 60° field of view without intrinsics, and says so', async () => {
    const r = await createMetric3d(ctx()).run(solidImage(160, 120, [100, 100, 100]), {
      normals: false,
    });
    const fx = 80 / Math.tan(30 * deg);
    expect(r.intrinsics).toMatchObject({ source: 'default-fov' });
    expect(r.intrinsics.fx).toBeCloseTo(fx, 6);
    expect(r.depth[0]).toBeCloseTo((100 * fx * 518) / 160 / 1000, 3);
    expect(r.normals).toBeNull();
  });
});

describe('Metric3D v2: the export variants an unverified hosted file may be', () => {
  const variant = (opts: Parameters<typeof metric3dModel>[0]) =>
    createMetric3d(
      installedContext('metric3d-vit-small', { 'onnx/model.onnx': metric3dModel(opts) }, pool),
    );
  const img = () => ({
    ...solidImage(160, 120, [100, 100, 100]),
    intrinsics: { fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5, source: 'sensor' },
  });
  const want = (100 * 131.25 * 518) / 160 / 1000;

  it('accepts predicted_depth as [1,1,h,w] and the upstream output names', async () => {
    for (const opts of [
      { depthRank4: true },
      { depthName: 'pred_depth', normalName: 'prediction_normal' },
    ]) {
      const r = await variant(opts).run(img());
      expect(r.depth[500]).toBeCloseTo(want, 3);
      expect([...r.normals!.subarray(0, 3)]).toEqual([0, 0, -1]);
    }
  });

  it('gives depth without normals from an export that has no normals output', async () => {
    const r = await variant({ normals: false }).run(img());
    expect(r.depth[500]).toBeCloseTo(want, 3);
    expect([r.normals, r.normalConfidence]).toEqual([null, null]);
  });
});

describe('calibration', () => {
  it('reads the 35 mm-equivalent focal length from EXIF (long side = 36 mm)', () => {
    const i = exifIntrinsics({ FocalLengthIn35mmFormat: 26 }, 4032, 3024)!;
    expect(i.fx).toBeCloseTo((26 * 4032) / 36, 9);
    expect(i).toMatchObject({ fy: i.fx, cx: 2015.5, cy: 1511.5, source: 'exif-35mm' });
    expect(exifIntrinsics({}, 640, 480)).toBeNull();
  });

  it('uses EXIF, else the default field of view, when GeoCalib is not installed', async () => {
    const img = solidImage(640, 480, [0, 0, 0]);
    const a = await calibrate(img, { exif: { FocalLengthIn35mmFormat: 28 } });
    expect(a.intrinsics.source).toBe('exif-35mm');
    expect([a.roll, a.pitch, a.provider]).toEqual([null, null, null]);
    const b = await calibrate(img, {});
    expect(b.intrinsics.source).toBe('default-fov');
  });

  const truth = { roll: 5 * deg, pitch: -10 * deg, f: 700 };

  it('fits roll, pitch and focal length to perspective fields by least squares', () => {
    const n = 400;
    const s: FieldSamples = {
      u: new Float64Array(n),
      v: new Float64Array(n),
      upX: new Float64Array(n),
      upY: new Float64Array(n),
      latitude: new Float64Array(n),
      upWeight: new Float64Array(n).fill(1),
      latWeight: new Float64Array(n).fill(1),
    };
    for (let i = 0; i < n; i++) {
      s.u[i] = (i % 20) * 32 + 10;
      s.v[i] = Math.floor(i / 20) * 24 + 8;
      const q = predictFields(truth.roll, truth.pitch, truth.f, 319.5, 239.5, s.u[i]!, s.v[i]!);
      s.upX[i] = q.upX;
      s.upY[i] = q.upY;
      s.latitude[i] = q.latitude;
    }
    const fit = fitCamera(s, 319.5, 239.5, { focal: 554, fixedFocal: false });
    expect(fit.roll / deg).toBeCloseTo(5, 4);
    expect(fit.pitch / deg).toBeCloseTo(-10, 4);
    expect(fit.focal).toBeCloseTo(700, 2);
    expect(fit.residual).toBeLessThan(1e-6);
  });

  it("has upstream GeoCalib's roll and pitch signs (Gravity.from_rp)", () => {
    // cvg/GeoCalib geocalib/gravity.py: g = (−sin r · cos p, −cos r · cos p, sin p).
    const [r, p] = [10 * deg, 20 * deg];
    const g = upVector(r, p);
    const want = [-Math.sin(r) * Math.cos(p), -Math.cos(r) * Math.cos(p), Math.sin(p)];
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    // Up-field vectors that lean left (−x) everywhere: a positive roll upstream.
    const n = 300;
    const leaning: FieldSamples = {
      u: Float64Array.from({ length: n }, (_, i) => (i % 20) * 32 + 10),
      v: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 20) * 32 + 8),
      upX: new Float64Array(n).fill(-Math.sin(8 * deg)),
      upY: new Float64Array(n).fill(-Math.cos(8 * deg)),
      latitude: new Float64Array(n),
      upWeight: new Float64Array(n).fill(1),
      latWeight: new Float64Array(n).fill(1),
    };
    const fit = fitCamera(leaning, 319.5, 239.5, { focal: 554, fixedFocal: true });
    expect(fit.roll / deg).toBeGreaterThan(7);
  });

  it('sizes the GeoCalib input as upstream: short side 320, centre crop to multiples of 32', () => {
    // 640×480 → 426×320 (int() of 426.67), cropped 5 px left and right to 416.
    expect(geocalibInputSize(640, 480)).toEqual({
      width: 416,
      height: 320,
      resized: { width: 426, height: 320 },
      left: 5,
      top: 0,
    });
    // Portrait 3024×4032 → 320×426; an odd excess (1000×700 → 457 → 448, 9 px) loses 5 left.
    expect(geocalibInputSize(3024, 4032)).toMatchObject({ width: 320, height: 416, top: 5 });
    expect(geocalibInputSize(1000, 700)).toMatchObject({ width: 448, left: 5 });
  });

  it('runs GeoCalib fields through the fit, in original-image pixels', async () => {
    const W = 640;
    const H = 480;
    const net = geocalibInputSize(W, H);
    // The fields a network sees on upstream's input: the image resized to 426×320 (not squashed
    // to 416×320) and cropped 5 px each side. A stretching adapter gets f and pitch wrong.
    const sx = net.resized.width / W;
    const sy = net.resized.height / H;
    const plane = net.width * net.height;
    const up = new Float32Array(2 * plane);
    const latitude = new Float32Array(plane);
    for (let j = 0; j < net.height; j++) {
      for (let i = 0; i < net.width; i++) {
        const q = predictFields(
          truth.roll,
          truth.pitch,
          truth.f,
          319.5,
          239.5,
          (i + net.left + 0.5) / sx - 0.5,
          (j + net.top + 0.5) / sy - 0.5,
        );
        // Directions in network pixels (the fields the network would output at its own size).
        const x = q.upX * sx;
        const y = q.upY * sy;
        const len = Math.hypot(x, y);
        up[j * net.width + i] = x / len;
        up[plane + j * net.width + i] = y / len;
        latitude[j * net.width + i] = q.latitude;
      }
    }
    // Upstream returns the confidences as (1,h,w): accepted like (1,1,h,w).
    const ctx = installedContext(
      'geocalib-fields',
      {
        'model.onnx': geocalibModel({
          width: net.width,
          height: net.height,
          up,
          latitude,
          confidenceRank3: true,
        }),
      },
      pool,
    );
    const r = await calibrate(solidImage(W, H, [90, 90, 90]), { geocalib: createGeoCalib(ctx) });
    expect(r.provider).toBe('cpu');
    expect(r.intrinsics.source).toBe('geocalib');
    expect(r.intrinsics.fx).toBeCloseTo(700, 0);
    expect(r.roll! / deg).toBeCloseTo(5, 2);
    expect(r.pitch! / deg).toBeCloseTo(-10, 2);
    // With a focal length from EXIF, only roll and pitch are fitted.
    const withExif = await calibrate(solidImage(W, H, [90, 90, 90]), {
      geocalib: createGeoCalib(ctx),
      exif: { FocalLengthIn35mmFormat: 39.375 }, // 39.375 · 640 / 36 = 700
    });
    expect(withExif.intrinsics).toMatchObject({ fx: 700, source: 'exif-35mm' });
    expect(withExif.pitch! / deg).toBeCloseTo(-10, 2);
  });

  it('keeps the default field of view when the fields do not pin the focal length down', async () => {
    // The same up direction and zero latitude everywhere: what a camera of infinite focal length
    // would see. Unbounded, the fit ran f off to 1.3e10 px and stored it.
    const n = 600;
    const flat: FieldSamples = {
      u: Float64Array.from({ length: n }, (_, i) => (i % 30) * 21 + 10),
      v: Float64Array.from({ length: n }, (_, i) => Math.floor(i / 30) * 24 + 12),
      upX: new Float64Array(n),
      upY: new Float64Array(n).fill(-1),
      latitude: new Float64Array(n),
      upWeight: new Float64Array(n).fill(1),
      latWeight: new Float64Array(n).fill(1),
    };
    const bounded = fitCamera(flat, 319.5, 239.5, {
      focal: 554,
      fixedFocal: false,
      focalRange: [86, 12000],
    });
    expect(bounded.focalAtBound).toBe(true);
    expect(bounded.focal).toBeCloseTo(12000, 6);

    const W = 640;
    const H = 480;
    const plane = 416 * 320;
    const up = new Float32Array(2 * plane);
    up.fill(-1, plane);
    const ctx = installedContext(
      'geocalib-fields',
      {
        'model.onnx': geocalibModel({
          width: 416,
          height: 320,
          up,
          latitude: new Float32Array(plane),
        }),
      },
      pool,
    );
    const r = await calibrate(solidImage(W, H, [90, 90, 90]), { geocalib: createGeoCalib(ctx) });
    expect(r.intrinsics).toMatchObject({ source: 'default-fov', cx: 319.5, cy: 239.5 });
    expect(r.intrinsics.fx).toBeCloseTo(intrinsicsFromFov(W, H).fx, 6);
    // Roll and pitch refitted at that focal length: level within half a degree (no finite focal
    // length sees zero latitude on every row, so the fit compromises a little).
    expect(Math.abs(r.roll! / deg)).toBeLessThan(0.5);
    expect(Math.abs(r.pitch! / deg)).toBeLessThan(0.5);
  });
});
