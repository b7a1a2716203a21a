import { describe, expect, it } from 'vitest';
import { InferenceLane } from './inference-lane';
import { workerStage } from './inference-worker-client';
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
    await new Promise((r) => setImmediate(r));
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

describe('InferenceLane slots', () => {
  it('runs at most `slots` calls at once, in the order they came, and counts busy time once', async () => {
    const lane = new InferenceLane(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const call = (id: number) =>
      lane.run(async () => {
        order.push(id);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return id;
      });
    const t0 = performance.now();
    expect(await Promise.all([1, 2, 3, 4, 5].map(call))).toEqual([1, 2, 3, 4, 5]);
    const wall = performance.now() - t0;
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(lane.calls).toBe(5);
    // Three rounds of 20 ms with overlapping calls: busy is wall time, not the sum of calls (100).
    expect(lane.busyMs).toBeGreaterThanOrEqual(55);
    expect(lane.busyMs).toBeLessThanOrEqual(wall + 1);
  });

  it('one slot: a call starts only when the one before it has finished', async () => {
    const lane = new InferenceLane();
    const events: string[] = [];
    const call = (id: number) =>
      lane.run(async () => {
        events.push(`start ${id}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push(`end ${id}`);
      });
    await Promise.all([call(1), call(2)]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });
});

describe('workerStage', () => {
  it('sends each call to the thread with the fewest waiting, so two slots use two threads', async () => {
    const host = (name: string) => {
      const served: number[] = [];
      let waiting = 0;
      return {
        served,
        get waiting() {
          return waiting;
        },
        async run(_stage: string, i: ModelStageInput) {
          waiting++;
          await new Promise((r) => setTimeout(r, 10));
          waiting--;
          served.push(i.imageId);
          return { output: { fx: i.imageId, fy: 0, cx: 0, cy: 0 }, provider: name };
        },
        runBatch: () => Promise.reject(new Error('not batched')),
      };
    };
    const hosts = [host('a'), host('b')];
    const model = { modelId: 'fake', checksum: null, params: {} };
    const s = workerStage(hosts, 'calibrate', model);
    expect(s.runBatch).toBeUndefined();
    const lane = new InferenceLane(2);
    const out = await Promise.all([1, 2, 3, 4].map((id) => lane.runStage(s, input(id))));
    expect(out.map((r) => [r.output.fx, r.provider])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'a'],
      [4, 'b'],
    ]);
    expect(hosts.map((h) => h.served)).toEqual([
      [1, 3],
      [2, 4],
    ]);
    // A batched stage keeps its batch size and sends batches the same way.
    expect(workerStage(hosts, 'calibrate', model, 4).maxBatch).toBe(4);
  });
});
