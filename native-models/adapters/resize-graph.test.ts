import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as Ort from 'onnxruntime-node';
import { SessionPool } from '../session-pool';
import { thresholdMask, upsampleMaskLogits } from './masks';
import { chwToHwc, resizePlane, resizeToChw, type Filter } from './resample';
import { GraphResizer } from './resize-graph';

const pool = new SessionPool();
afterAll(() => pool.release());

function noise(length: number, seed: number): Uint8Array {
  const px = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    px[i] = s >>> 24;
  }
  return px;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const IMAGENET = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

describe('GraphResizer on the CPU provider', () => {
  const graph = new GraphResizer(pool, 'cpu');

  const cases: [string, number, number, 3 | 4, number, number, Filter][] = [
    ['DPT enlargement, bicubic', 64, 48, 3, 98, 70, 'bicubic'],
    ['shrink, bicubic (antialiased)', 96, 72, 4, 35, 28, 'bicubic'],
    ['SAM longest side, bilinear', 80, 60, 3, 128, 96, 'bilinear'],
    ['shrink, bilinear (antialiased)', 97, 61, 4, 40, 25, 'bilinear'],
    ['same size', 33, 21, 3, 33, 21, 'bicubic'],
  ];
  const levels = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };

  it.each(cases)(
    "matches the JS resampler's float pipeline: %s",
    async (_, w, h, channels, ow, oh, filter) => {
      const px = noise(w * h * channels, w * 31 + h);
      const got = await graph.chw(px, w, h, channels, ow, oh, filter, IMAGENET);
      const float = resizeToChw(px, w, h, channels, ow, oh, filter, IMAGENET, undefined, 'float');
      // 1e-4 in normalised units is 0.006 of one 8-bit level: float rounding only.
      expect(maxDiff(got, float)).toBeLessThan(1e-4);
    },
  );

  it.each(cases.filter((c) => c[6] === 'bilinear'))(
    "stays within one level of Pillow's 8-bit resample, bilinear: %s",
    async (_, w, h, channels, ow, oh, filter) => {
      // The exact path rounds each of its two passes (≤ 0.5 each); bilinear never overshoots.
      const px = noise(w * h * channels, w * 31 + h);
      const got = await graph.chw(px, w, h, channels, ow, oh, filter, levels);
      const exact = resizeToChw(px, w, h, channels, ow, oh, filter, levels);
      expect(maxDiff(got, exact)).toBeLessThanOrEqual(1.001);
    },
  );

  it('keeps the bicubic overshoot at sharp edges that Pillow clips (the exact path does)', async () => {
    // Stripes of 0 and 255 across and down: bicubic overshoots past both in each pass. The
    // graph resizes in float, as the JS float pipeline; Pillow's 8-bit resample (resize:
    // 'exact') clips after each pass: the graph's deliberate difference, ~20 levels here.
    const w = 61;
    const h = 47;
    const px = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        px.fill(x % 7 < 3 !== y % 5 < 2 ? 255 : 0, (y * w + x) * 3, (y * w + x + 1) * 3);
    for (const [ow, oh] of [
      [150, 110],
      [29, 23],
    ] as const) {
      const got = await graph.chw(px, w, h, 3, ow, oh, 'bicubic', levels);
      const float = resizeToChw(px, w, h, 3, ow, oh, 'bicubic', levels, undefined, 'float');
      expect(maxDiff(got, float)).toBeLessThan(0.02);
      expect(Math.max(...got)).toBeGreaterThan(255.5);
      const exact = resizeToChw(px, w, h, 3, ow, oh, 'bicubic', levels);
      expect(Math.max(...exact)).toBe(255);
      expect(Math.min(...exact)).toBe(0);
    }
  });

  it("pads to OWLv2's square and resizes floats, as the JS resampler does", async () => {
    const px = noise(50 * 30 * 3, 7);
    const pad = { width: 50, height: 50, value: 127.5 };
    const got = await graph.chw(px, 50, 30, 3, 64, 64, 'bilinear', IMAGENET, pad, 'float');
    expect(
      maxDiff(got, resizeToChw(px, 50, 30, 3, 64, 64, 'bilinear', IMAGENET, pad, 'float')),
    ).toBeLessThan(1e-4);
    // The bottom rows are the padding's colour only.
    const last = 63 * 64;
    expect(got[last]).toBeCloseTo((127.5 / 255 - 0.485) / 0.229, 4);
  });

  it('resizes depth planes back like the JS resampler (up and down, one or several)', async () => {
    const planes = Float32Array.from(noise(3 * 70 * 52, 3), (v) => v / 10);
    for (const [ow, oh] of [
      [64, 48],
      [140, 104],
    ] as const) {
      const one = await graph.planes(planes, 1, 70, 52, ow, oh);
      expect(maxDiff(one, resizePlane(planes.subarray(0, 70 * 52), 70, 52, ow, oh))).toBeLessThan(
        1e-4,
      );
      const three = await graph.planes(planes, 3, 70, 52, ow, oh);
      const third = planes.subarray(2 * 70 * 52);
      expect(three.length).toBe(3 * ow * oh);
      expect(maxDiff(three.subarray(2 * ow * oh), resizePlane(third, 70, 52, ow, oh))).toBeLessThan(
        1e-4,
      );
    }
  });

  it("up-samples SlimSAM's low-resolution logits like torch (frame, crop, then the image)", async () => {
    // Logits of both signs, 2 boxes: 64² → 256² → the 256×170 resized image → up and down.
    const low = Float32Array.from(noise(2 * 64 * 64, 11), (v) => (v - 128) / 16);
    expect(graph.fallbacks.has('mask')).toBe(false);
    for (const [ow, oh] of [
      [97, 61],
      [400, 266],
    ] as const) {
      const got = await graph.masks(low, 2, 64, 256, 256, 170, ow, oh);
      const want = upsampleMaskLogits(low, 2, 64, 256, 256, 170, ow, oh);
      expect(maxDiff(got, want)).toBeLessThan(1e-4);
      // The masks (> 0) agree but for pixels within float rounding of the threshold.
      const a = thresholdMask(got.subarray(ow * oh), ow, oh, 0);
      const b = thresholdMask(want.subarray(ow * oh), ow, oh, 0);
      expect(Math.abs(a.area - b.area)).toBeLessThanOrEqual(2);
      expect(a.area).toBeGreaterThan(0.2 * ow * oh);
    }
    expect(graph.fallbacks.has('mask')).toBe(false);
  });

  it("gives SAM's encoder its image interleaved (HWC), the same values", async () => {
    const px = noise(80 * 60 * 3, 5);
    const norm = { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
    const got = await graph.hwc(px, 80, 60, 3, 128, 96, 'bilinear', norm);
    const chw = resizeToChw(px, 80, 60, 3, 128, 96, 'bilinear', norm, undefined, 'float');
    expect(maxDiff(got, chwToHwc(chw, 128, 96))).toBeLessThan(0.02);
    // Pixel (5, 7), green: interleaved at (7·128 + 5)·3 + 1, planar at 128·96 + 7·128 + 5.
    expect(got[(7 * 128 + 5) * 3 + 1]).toBeCloseTo(chw[128 * 96 + 7 * 128 + 5]!, 3);
  });

  it('normalises and pads an interleaved image like the planar one (RGBA in)', async () => {
    const px = noise(50 * 30 * 4, 9);
    const pad = { width: 50, height: 50, value: 128 };
    const got = await graph.hwc(px, 50, 30, 4, 64, 64, 'bicubic', IMAGENET, pad);
    const float = resizeToChw(px, 50, 30, 4, 64, 64, 'bicubic', IMAGENET, pad, 'float');
    expect(maxDiff(got, chwToHwc(float, 64, 64))).toBeLessThan(1e-4);
  });

  it('ran on the graph, on the CPU provider, with nothing fallen back', () => {
    expect(Object.fromEntries(graph.fallbacks)).toEqual({});
    expect(Object.fromEntries(graph.providers)).toEqual({
      'chw-bicubic-3': 'cpu',
      'chw-bicubic-4': 'cpu',
      'chw-bilinear-3': 'cpu',
      'chw-bilinear-4': 'cpu',
      'hwc-bicubic-4': 'cpu',
      'hwc-bilinear-3': 'cpu',
      plane: 'cpu',
      mask: 'cpu',
    });
    const loaded = pool.loadReports().map((r) => [r.modelId, r.provider]);
    expect(loaded).toContainEqual(['sqw-resize-chw-bicubic-3', 'cpu']);
  });
});

describe('GraphResizer falling back', () => {
  const px = noise(40 * 30 * 3, 11);
  // The fallback honours the call's precision: here Pillow's 8-bit resample, the exact path.
  const want = resizeToChw(px, 40, 30, 3, 56, 42, 'bicubic', IMAGENET);

  it('uses the JS resampler, and says why, when the graph cannot be loaded', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const broken = {
      InferenceSession: {
        create: async () => {
          throw new Error('Opset 18 is not supported');
        },
      },
    } as unknown as typeof Ort;
    const r = new GraphResizer(new SessionPool({ ort: broken }), 'cpu');
    expect(await r.chw(px, 40, 30, 3, 56, 42, 'bicubic', IMAGENET)).toEqual(want);
    expect(r.fallbacks.get('chw-bicubic-3')).toMatch(/could not load: .*Opset 18 is not supported/);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^resize chw-bicubic-3: using the JS resampler: could not load/),
      'SqwResizeFallback',
    );
    warn.mockRestore();
  });

  it("uses the JS resampler when a provider's Resize disagrees with it", async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    // A provider that loads the graph but returns the wrong pixels (off by 1.5 levels).
    const real = (await import('onnxruntime-node')) as typeof Ort;
    const skewed = {
      ...real,
      InferenceSession: {
        create: async (...args: Parameters<typeof real.InferenceSession.create>) => {
          const s = await real.InferenceSession.create(...args);
          return {
            inputNames: s.inputNames,
            outputNames: s.outputNames,
            release: () => s.release(),
            run: async (feeds: Record<string, Ort.Tensor>) => {
              const out = await s.run(feeds);
              const t = out.pixel_values!;
              const data = (t.data as Float32Array).map((v) => v + 1.5);
              return { pixel_values: new real.Tensor('float32', data, t.dims) };
            },
          };
        },
      },
    } as unknown as typeof Ort;
    const r = new GraphResizer(new SessionPool({ ort: skewed }), 'cpu');
    expect(await r.chw(px, 40, 30, 3, 56, 42, 'bicubic', IMAGENET)).toEqual(want);
    expect(r.fallbacks.get('chw-bicubic-3')).toMatch(
      /^Resize on cpu differs from the reference resampler by 1\.500 levels$/,
    );
    warn.mockRestore();
  });
});

describe('GraphResizer on a GPU provider without antialiased Resize', () => {
  it('runs the graph on the CPU provider rather than the JS resampler, and says so', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const real = (await import('onnxruntime-node')) as typeof Ort;
    // As ORT-node's WebGPU provider did on the H200: it loads the graph, then cannot run it.
    const webgpu = {
      ...real,
      InferenceSession: {
        create: async (source: Uint8Array, options: Ort.InferenceSession.SessionOptions) => {
          const s = await real.InferenceSession.create(source, {
            ...options,
            executionProviders: ['cpu'],
          });
          if (String(options.executionProviders?.[0]) !== 'webgpu') return s;
          return {
            inputNames: s.inputNames,
            outputNames: s.outputNames,
            release: () => s.release(),
            run: async () => {
              throw new Error('The antialias attribute of Resize operator is NOT implemented.');
            },
          };
        },
      },
    } as unknown as typeof Ort;
    const px = noise(40 * 30 * 3, 5);
    const r = new GraphResizer(new SessionPool({ ort: webgpu }), 'webgpu');
    const got = await r.chw(px, 40, 30, 3, 56, 42, 'bicubic', IMAGENET);
    const want = resizeToChw(px, 40, 30, 3, 56, 42, 'bicubic', IMAGENET, undefined, 'float');
    expect(maxDiff(got, want)).toBeLessThan(1e-3);
    expect(r.providers.get('chw-bicubic-3')).toBe('cpu');
    expect(r.fallbacks.size).toBe(0);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^resize chw-bicubic-3: on the CPU provider: could not load: .*antialias/,
      ),
      'SqwResizeFallback',
    );
    warn.mockRestore();
  });
});
