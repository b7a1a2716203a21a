import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DepthAnythingAdapter } from './adapters/depth-anything';
import { findManifest } from './catalogue';
import { proveMetricDepth } from './depth-metric';
import { SessionPool } from './session-pool';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import {
  depthAnythingConfig,
  depthAnythingMetricModel,
  depthAnythingRelativeModel,
} from './testing/test-models';

const indoor = findManifest('depth-anything-v2-metric-indoor-small');
const outdoor = findManifest('depth-anything-v2-metric-outdoor-small');
const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  removeTempDirs();
});

/** A model folder holding `onnx` and, when given, a config.json. */
function folder(onnx: Uint8Array, config: string | null) {
  const dir = tempDir();
  const model = writeFile(join(dir, 'onnx', 'model.onnx'), onnx);
  const configPath = join(dir, 'config.json');
  if (config !== null) writeFile(configPath, config);
  return { model, config: configPath };
}

const image = () => ({ data: new Uint8Array(28 * 28 * 3).fill(128), width: 28, height: 28 });

describe('a depth slot must prove its export is metric', () => {
  it('refuses the relative-depth imitation before running it (it used to pass as metres)', async () => {
    const f = folder(depthAnythingRelativeModel(), null);
    const adapter = new DepthAnythingAdapter(indoor, f.model, pool, 'cpu', 'exact', f.config);
    await expect(adapter.run(image())).rejects.toThrow(
      "model depth-anything-v2-metric-indoor-small: not a metric depth model: the graph's predicted_depth ends in Relu × 1. A relative-depth export (e.g. onnx-community/depth-anything-v2-small) outputs inverse relative depth, not metres",
    );
    // With its config.json (transformers writes "relative") the config already says so.
    const withConfig = folder(depthAnythingRelativeModel(), depthAnythingConfig('relative', 1));
    expect(() =>
      proveMetricDepth(indoor, withConfig.model, withConfig.config, 'predicted_depth'),
    ).toThrow(/config\.json has depth_estimation_type "relative": a relative-depth model/);
  });

  it('reads a config.json without depth_estimation_type as relative (the transformers default)', () => {
    const f = folder(depthAnythingMetricModel(), depthAnythingConfig(null, null));
    expect(() => proveMetricDepth(indoor, f.model, f.config, 'predicted_depth')).toThrow(
      /config\.json has no depth_estimation_type \(transformers reads that as "relative"\)/,
    );
  });

  it('accepts Sigmoid × max_depth in the graph, or a metric config.json, and says which', () => {
    const graphOnly = folder(depthAnythingMetricModel(), null);
    expect(proveMetricDepth(indoor, graphOnly.model, null, 'predicted_depth')).toEqual({
      maxDepth: 20,
      evidence: 'graph ends in Sigmoid × 20',
    });
    const both = folder(depthAnythingMetricModel(), depthAnythingConfig('metric', 20));
    expect(proveMetricDepth(indoor, both.model, both.config, 'predicted_depth')).toEqual({
      maxDepth: 20,
      evidence:
        'config.json depth_estimation_type "metric", max_depth 20; graph ends in Sigmoid × 20',
    });
    // A head the graph reader does not recognise (NaN model: … × 20 then Sub and Sqrt) rests on
    // the config; without one it is refused.
    const odd = folder(depthAnythingMetricModel({ nan: true }), depthAnythingConfig('metric', 20));
    expect(proveMetricDepth(indoor, odd.model, odd.config, 'predicted_depth').maxDepth).toBe(20);
    expect(() => proveMetricDepth(indoor, odd.model, null, 'predicted_depth')).toThrow(
      /no config\.json with depth_estimation_type "metric", and the graph's predicted_depth ends in Sqrt \(not Sigmoid × max_depth\)/,
    );
  });

  it('refuses an outdoor export (× 80) in the indoor slot, from the graph or the config', () => {
    const f = folder(depthAnythingMetricModel({ maxDepth: 80 }), null);
    expect(() => proveMetricDepth(indoor, f.model, null, 'predicted_depth')).toThrow(
      /the graph \(Sigmoid × constant\) gives max_depth 80 m, this slot expects 20 m/,
    );
    expect(proveMetricDepth(outdoor, f.model, null, 'predicted_depth').maxDepth).toBe(80);
    const c = folder(depthAnythingMetricModel(), depthAnythingConfig('metric', 80));
    expect(() => proveMetricDepth(indoor, c.model, c.config, 'predicted_depth')).toThrow(
      /config\.json gives max_depth 80 m, this slot expects 20 m/,
    );
  });

  it('proves the transformers 5.17 export of the reference fixture metric (Sigmoid → Mul(Constant 20) → Squeeze)', () => {
    const dir = join(import.meta.dirname, 'testing', 'reference', 'fixtures', 'depth');
    const proof = proveMetricDepth(
      indoor,
      join(dir, 'onnx', 'model.onnx'),
      join(dir, 'config.json'),
      'predicted_depth',
    );
    expect(proof).toEqual({
      maxDepth: 20,
      evidence:
        'config.json depth_estimation_type "metric", max_depth 20; graph ends in Sigmoid × 20',
    });
  });
});
