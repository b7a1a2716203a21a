// Sensor and depth-model presets select the range-noise model sigma(z) the extents use (issue 20
// item 1): the published figures, the model a scene build reports, extents that change with it,
// and an unknown name that fails clearly instead of falling back to the per-object estimate.
import { describe, expect, it } from 'vitest';
import {
  DEPTH_ERROR_PRESET_NAMES,
  DEPTH_ERROR_PRESETS,
  depthErrorPreset,
  depthSigma,
  UnknownDepthErrorPreset,
} from '../depth-error';
import { buildScene, SceneInputError } from './build-scene-graph';
import { makeSyntheticScene } from './synthetic-scene';
import { sceneInput } from './test-support';

describe('depth sensor presets', () => {
  it('give the published sigma(z) of each source', () => {
    // Nguyen, Izadi & Lovell 2012: 0.0012 + 0.0019 (z - 0.4)^2.
    for (const z of [0.5, 1, 2.5, 4])
      for (const name of ['tum', 'redwood'] as const)
        expect(depthSigma(DEPTH_ERROR_PRESETS[name], z)).toBeCloseTo(
          0.0012 + 0.0019 * (z - 0.4) ** 2,
          12,
        );
    // Khoshelham & Elberink 2012: about 4 cm at the 5 m end of the range.
    expect(depthSigma(depthErrorPreset('kinect-v1'), 5)).toBeCloseTo(0.0356, 4);
    // Intel D435: RMS 1.4 cm at 2 m, within the datasheet's 2% at 2 m.
    expect(depthSigma(depthErrorPreset('realsense-d435'), 2)).toBeLessThan(0.02 * 2);
    // Monocular models: AbsRel * sqrt(pi/2) per metre of range.
    expect(depthSigma(depthErrorPreset('metric3d-v2'), 1)).toBeCloseTo(0.063 * 1.2533, 4);
    expect(depthSigma(depthErrorPreset('depth-anything-metric-indoor'), 2)).toBeCloseTo(
      2 * 0.056 * 1.2533,
      4,
    );
    expect(DEPTH_ERROR_PRESET_NAMES).toEqual(Object.keys(DEPTH_ERROR_PRESETS));
  });

  it('an unknown preset is a clear error listing the known ones', () => {
    expect(() => depthErrorPreset('kinect-v3')).toThrow(UnknownDepthErrorPreset);
    expect(() => depthErrorPreset('kinect-v3')).toThrow(
      /unknown depth sensor preset 'kinect-v3': use kinect-v1, realsense-d435, tum, redwood/,
    );
    // Names are exact (no prototype keys).
    expect(() => depthErrorPreset('toString')).toThrow(UnknownDepthErrorPreset);
    const sc = makeSyntheticScene(3, { noise: 0.004 });
    expect(() =>
      buildScene({ ...sceneInput(sc, { masks: false }), depthError: 'kinect-v3' as 'tum' }),
    ).toThrow(SceneInputError);
  });

  it('changes the sigma a scene build uses, and so the extents', () => {
    // Range noise 0.05% of range: estimated from the map, too small to smooth for.
    const sc = makeSyntheticScene(3, { width: 640, height: 480, noise: 0.0005, holes: 0.01 });
    const input = sceneInput(sc, { masks: false });
    const estimated = buildScene(input);
    expect(estimated.depthError).toBeNull();
    const kinect = buildScene({ ...input, depthError: 'kinect-v1' });
    expect(kinect.depthError).toEqual(DEPTH_ERROR_PRESETS['kinect-v1']);
    // A monocular model's sigma (7.9% of range) is far over a pixel footprint: its points are
    // smoothed before the boxes are measured, so extents change.
    const mono = buildScene({ ...input, depthError: 'metric3d-v2' });
    expect(mono.depthError!.name).toBe('metric3d-v2');
    const extents = (b: typeof mono) =>
      b.graph.nodes.map((n) => [n.extent.width, n.extent.height, n.extent.depth]).flat();
    expect(extents(mono)).not.toEqual(extents(estimated));
    // The same preset twice: the same graph (the model, not chance, moved the extents).
    expect(extents(buildScene({ ...input, depthError: 'metric3d-v2' }))).toEqual(extents(mono));
  });
});
