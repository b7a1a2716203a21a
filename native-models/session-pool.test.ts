import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { providerOrder } from './providers';
import { ModelLoadError, SessionPool } from './session-pool';
import { fakeGpu } from './testing/fake-gpu';
import { removeTempDirs, tempDir, writeFile } from './testing/fixtures';
import { depthAnythingMetricModel } from './testing/test-models';

afterAll(() => removeTempDirs());

describe('providerOrder', () => {
  it('tries the platform GPU provider, then WebGPU, then CPU for auto', () => {
    expect(providerOrder('auto', 'linux', 'x64')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(providerOrder('auto', 'win32', 'x64')).toEqual(['dml', 'webgpu', 'cpu']);
    expect(providerOrder('auto', 'darwin', 'arm64')).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(providerOrder('auto', 'linux', 'arm64')).toEqual(['cpu']);
    expect(providerOrder('webgpu', 'linux', 'x64')).toEqual(['webgpu']);
  });
});

describe('SessionPool', () => {
  const dir = tempDir();
  const a = writeFile(join(dir, 'a.onnx'), depthAnythingMetricModel());
  const b = writeFile(join(dir, 'b.onnx'), depthAnythingMetricModel({ maxDepth: 80 }));

  it('falls back to CPU on this GPU-less machine and records why CUDA and WebGPU failed', async () => {
    const pool = new SessionPool({ platform: 'linux', arch: 'x64' });
    const first = await pool.get('tiny-a', a, 'auto');
    expect(first.provider).toBe('cpu');
    const attempts = first.report.attempts;
    expect(attempts.map((x) => [x.provider, x.ok])).toEqual([
      ['cuda', false],
      ['webgpu', false],
      ['cpu', true],
    ]);
    expect(attempts[0]?.error).toMatch(/Failed to load shared library/);
    expect(attempts[1]?.error).toMatch(/Failed to get a WebGPU adapter/);
    expect(attempts[2]?.error).toBeNull();

    // Same file, same device: the pooled session is reused.
    expect((await pool.get('tiny-a', a, 'auto')).session).toBe(first.session);

    // Another model: the unavailable providers are not retried, and the report says so.
    const second = await pool.get('tiny-b', b, 'auto');
    expect(second.session).not.toBe(first.session);
    expect(second.report.attempts.map((x) => [x.provider, x.cached])).toEqual([
      ['cuda', true],
      ['webgpu', true],
      ['cpu', false],
    ]);
    expect(pool.loadReports().map((r) => [r.modelId, r.provider])).toEqual([
      ['tiny-a', 'cpu'],
      ['tiny-b', 'cpu'],
    ]);
    await pool.release();
  });

  it('fails loudly for an explicit device that is unavailable (no silent CPU)', async () => {
    const pool = new SessionPool();
    const err = await pool.get('tiny-a', a, 'webgpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as Error).message).toMatch(
      /^model tiny-a: could not load .*a\.onnx on webgpu: webgpu: Failed to get a WebGPU adapter/,
    );
  });

  it('stops at the first provider when the file itself is broken', async () => {
    const bad = writeFile(join(dir, 'truncated.onnx'), depthAnythingMetricModel().subarray(0, 40));
    const pool = new SessionPool({ platform: 'linux', arch: 'arm64' });
    const err = (await pool.get('tiny-t', bad, 'auto').catch((e: unknown) => e)) as ModelLoadError;
    expect(err.report.provider).toBeNull();
    expect(err.report.attempts).toHaveLength(1);
    expect(err.message).toMatch(/^model tiny-t: could not load .*truncated\.onnx on auto: cpu: /);
  });

  it('creates sessions whose threads do not spin between runs, unless told otherwise', async () => {
    const seen: unknown[] = [];
    const real = (await import('onnxruntime-node')) as typeof import('onnxruntime-node');
    const spy = {
      ...real,
      InferenceSession: {
        create: async (source: string, options: unknown) => {
          seen.push(options);
          return real.InferenceSession.create(source, options as never);
        },
      },
    } as unknown as typeof import('onnxruntime-node');
    const quiet = new SessionPool({ ort: spy });
    await quiet.get('tiny-a', a, 'cpu');
    const busy = new SessionPool({ ort: spy, sessionOptions: { extra: {} } });
    await busy.get('tiny-a', a, 'cpu');
    expect(seen).toEqual([
      {
        extra: { session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } },
        executionProviders: ['cpu'],
      },
      { extra: {}, executionProviders: ['cpu'] },
    ]);
    await quiet.release();
    await busy.release();
  });

  it('drops a GPU that stops working mid-run and loads the next model on the next provider', async () => {
    const gpu = await fakeGpu();
    const pool = new SessionPool({ ort: gpu.ort, platform: 'linux', arch: 'x64' });
    const T = gpu.ort.Tensor;
    const pixels = () => ({
      pixel_values: new T('float32', new Float32Array(3 * 4 * 4), [1, 3, 4, 4]),
    });
    const onGpu = await pool.get('tiny-a', a, 'auto');
    expect(onGpu.provider).toBe('webgpu');
    await onGpu.session.run(pixels());

    // A failure the probe does not reproduce: the provider stays; only the failed session is
    // loaded again (a device that reset and came back leaves sessions that no longer run).
    const bad = { pixel_values: new T('float32', new Float32Array(4), [1, 1, 2, 2]) };
    await expect(onGpu.session.run(bad)).rejects.toThrow();
    expect(await pool.checkAfterFailure('webgpu')).toBeNull();
    expect((await pool.get('tiny-a', a, 'auto')).session).toBe(onGpu.session);
    expect(await pool.checkAfterFailure('webgpu', onGpu.session)).toBeNull();
    const reloaded = await pool.get('tiny-a', a, 'auto');
    expect(reloaded.session).not.toBe(onGpu.session);
    expect(reloaded.provider).toBe('webgpu');

    gpu.lose();
    await expect(reloaded.session.run(pixels())).rejects.toThrow(/Device was lost/);
    expect(await pool.checkAfterFailure('webgpu')).toMatch(/Failed to get a WebGPU adapter/);
    const after = await pool.get('tiny-a', a, 'auto');
    expect(after.provider).toBe('cpu');
    expect(after.report.attempts.map((x) => [x.provider, x.cached])).toEqual([
      ['cuda', true],
      ['webgpu', true],
      ['cpu', false],
    ]);
    expect(after.report.attempts[1]?.error).toMatch(/^stopped working mid-run: Failed to get/);
    expect((await after.session.run(pixels())).predicted_depth).toBeDefined();
    // The CPU is never dropped: its failures are the input's or the model's.
    expect(await pool.checkAfterFailure('cpu')).toBeNull();

    // An explicit device is not swapped for another: it fails to load, and says why.
    await expect(pool.get('tiny-b', b, 'webgpu')).rejects.toThrow(
      /could not load .*b\.onnx on webgpu: webgpu: Failed to get a WebGPU adapter/,
    );
    await pool.release();
  });
});
