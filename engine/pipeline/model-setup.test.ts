import { describe, expect, it } from 'vitest';
import { threadUnsafeProvider } from './model-setup';

describe('inference threads on a shared GPU', () => {
  // Two threads running WebGPU sessions at once killed the process on the H200
  // (bench/MODELS-RESULTS.md): a run that asks for two keeps one when a stage landed on WebGPU.
  it('names WebGPU when any stage of any thread loaded there', () => {
    expect(
      threadUnsafeProvider([
        { depth: { ok: true, provider: 'cpu' }, detect: { ok: true, provider: 'webgpu' } },
        { depth: { ok: true, provider: 'cpu' } },
      ]),
    ).toBe('webgpu');
  });

  it('lets CPU sessions and stages that did not load run on several threads', () => {
    expect(threadUnsafeProvider([{ depth: { ok: true, provider: 'cpu' } }, {}])).toBeNull();
    expect(threadUnsafeProvider([{ depth: { ok: false, provider: 'webgpu' } }])).toBeNull();
    expect(threadUnsafeProvider([{ depth: { ok: true, provider: null } }])).toBeNull();
  });
});
