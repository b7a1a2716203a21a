import { describe, expect, it, vi } from 'vitest';
import { DepthEncodingName, lookupMethod, methodNames } from './api';
import { blobPath, parseBlobPath } from './blobs';
import { createApiClient, RpcError, unwrapResponse, type Transport } from './transport';

describe('API contract', () => {
  it('looks up only real methods', () => {
    expect(lookupMethod('images.list')).toBeDefined();
    expect(lookupMethod('images')).toBeUndefined();
    expect(lookupMethod('images.list.x')).toBeUndefined();
    expect(lookupMethod('toString.call')).toBeUndefined();
    expect(lookupMethod('images.constructor')).toBeUndefined();
    expect(methodNames).toContain('imports.start');
    expect(methodNames).toContain('reviews.record');
  });

  it('accepts the depth encodings the importer knows', () => {
    for (const ok of ['mm', 'tum', 'sun', 'nyu', 'scale:1000', 'scale:0.5', 'scale:5e3']) {
      expect(DepthEncodingName.safeParse(ok).success, ok).toBe(true);
    }
    for (const bad of ['', 'meters', 'scale:', 'scale:-1', 'scale:abc', 'mm;drop']) {
      expect(DepthEncodingName.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('round-trips blob paths and rejects traversal', () => {
    const ref = { projectId: 'abc123', imageId: 7, kind: 'depth-preview' as const };
    expect(parseBlobPath(blobPath(ref))).toEqual(ref);
    expect(parseBlobPath('abc123/7/../../x')).toBeUndefined();
    expect(parseBlobPath('abc123/0/thumb')).toBeUndefined();
    expect(parseBlobPath('abc123/7/sqlite')).toBeUndefined();
    expect(parseBlobPath('..%2F/7/thumb')).toBeUndefined();
  });

  it('turns proxy calls into transport calls and unwraps errors', async () => {
    const call = vi.fn(async (method: string) =>
      method === 'projects.list' ? [] : { boom: true },
    );
    const transport: Transport = {
      kind: 'http',
      call,
      subscribe: () => () => undefined,
      blobUrl: () => '',
    };
    const client = createApiClient(transport);
    await expect(client.projects.list({})).resolves.toEqual([]);
    expect(call).toHaveBeenCalledWith('projects.list', {});
    expect(() =>
      unwrapResponse({ ok: false, error: { code: 'not-found', message: 'gone' } }),
    ).toThrow(RpcError);
  });
});
