import { describe, expect, it } from 'vitest';
import { probeExecutionProviders } from './providers';

describe('probeExecutionProviders', () => {
  it('lists the CPU provider of the installed onnxruntime-node', () => {
    const report = probeExecutionProviders();
    expect(report.error).toBeNull();
    expect(report.available).toContain('cpu');
  });

  it('reports a load failure instead of throwing', () => {
    const report = probeExecutionProviders(() => {
      throw new Error('libonnxruntime.so.1: cannot open shared object file');
    });
    expect(report.available).toEqual([]);
    expect(report.error).toMatch(/cannot open shared object/);
  });
});
