import { describe, expect, it } from 'vitest';
import { InferenceLane } from './inference-lane';
import type { ModelStage, ModelStageInput } from './model-stage';

const input = (imageId: number): ModelStageInput => ({
  imageId,
  image: { data: new Uint8Array(3), width: 1, height: 1, channels: 3 },
  objects: [],
  intrinsics: { fx: 1, fy: 1, cx: 0, cy: 0, source: 'given' },
});

/** A calibration stage whose "focal length" is the image id; image 13 fails. */
function stage(maxBatch: number, batched = true): ModelStage<'calibrate'> & { calls: number[][] } {
  const calls: number[][] = [];
  const one = (i: ModelStageInput) => ({
    output: { fx: i.imageId, fy: i.imageId, cx: 0, cy: 0 },
    provider: 'cpu',
  });
  return {
    stage: 'calibrate',
    model: { modelId: 'fake', checksum: null, params: {} },
    calls,
    maxBatch,
    async run(i) {
      calls.push([i.imageId]);
      if (i.imageId === 13) throw new Error('unlucky image');
      return one(i);
    },
    ...(batched
      ? {
          async runBatch(inputs: ModelStageInput[]) {
            calls.push(inputs.map((i) => i.imageId));
            return inputs.map((i) => (i.imageId === 13 ? { error: 'unlucky image' } : one(i)));
          },
        }
      : {}),
  };
}

describe('InferenceLane batches', () => {
  it('gathers the images that waited for a batched stage into calls of at most maxBatch', async () => {
    const lane = new InferenceLane();
    const s = stage(4);
    let release!: () => void;
    const busy = lane.run(() => new Promise<void>((r) => (release = r)));
    const runs = [1, 2, 13, 4, 5, 6].map((id) => lane.runStage(s, input(id)));
    await Promise.resolve();
    release();
    await busy;
    const results = await Promise.allSettled(runs);
    expect(s.calls).toEqual([
      [1, 2, 13, 4],
      [5, 6],
    ]);
    expect(lane.batchSizes.calibrate).toEqual([4, 2]);
    // Each caller gets its own image's result; only the failing image fails.
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.output.fx : r.reason.message)),
    ).toEqual([1, 2, 'unlucky image', 4, 5, 6]);
  });

  it('runs one image per call when the stage takes no batch, or a batch of one', async () => {
    for (const s of [stage(4, false), stage(1)]) {
      const lane = new InferenceLane();
      const r = await Promise.all([7, 8].map((id) => lane.runStage(s, input(id))));
      expect(r.map((x) => x.output.fx)).toEqual([7, 8]);
      expect(s.calls).toEqual([[7], [8]]);
    }
  });

  it('an image arriving while a batch runs goes into the next call', async () => {
    const lane = new InferenceLane();
    const s = stage(4);
    const first = lane.runStage(s, input(1));
    const second = lane.runStage(s, input(2));
    await first;
    const third = lane.runStage(s, input(3));
    await Promise.all([second, third]);
    expect(s.calls).toEqual([[1, 2], [3]]);
  });
});
