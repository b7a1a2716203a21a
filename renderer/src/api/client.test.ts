import { describe, expect, it } from 'vitest';
import { RpcError, type Transport } from '../../../contract/transport';
import type { SqwBridge } from './bridge';
import { MissingTokenError, selectTransport, validating, type TransportEnv } from './client';

function env(hash: string, bridge?: SqwBridge): TransportEnv {
  return {
    bridge,
    origin: 'http://127.0.0.1:5000',
    location: { hash, pathname: '/', search: '' },
    history: { replaceState: () => undefined },
    storage: null,
  };
}

const bridge: SqwBridge = {
  call: async (method) =>
    method === 'projects.list'
      ? { ok: true, result: [] }
      : { ok: false, error: { code: 'unknown-method', message: `no ${method}` } },
  onEvent: () => () => undefined,
  onMenuCommand: () => () => undefined,
  pickFolder: async () => null,
  blobBase: 'sqw-blob://blob/',
};

describe('selectTransport', () => {
  it('uses IPC when the Electron bridge exists', async () => {
    const t = selectTransport(env('', bridge));
    expect(t.kind).toBe('ipc');
    await expect(t.call('projects.list', {})).resolves.toEqual([]);
    await expect(t.call('nope.nope', {})).rejects.toMatchObject({ code: 'unknown-method' });
    expect(t.blobUrl({ projectId: 'p', imageId: 2, kind: 'thumb' })).toBe(
      'sqw-blob://blob/p/2/thumb',
    );
  });
  it('passes only well-formed engine events from the bridge', () => {
    let push: ((e: unknown) => void) | undefined;
    const b: SqwBridge = {
      ...bridge,
      onEvent: (cb) => ((push = cb as (e: unknown) => void), () => undefined),
    };
    const got: unknown[] = [];
    selectTransport(env('', b)).subscribe((e) => got.push(e));
    push?.({ type: 'images-changed', projectId: 'p', batchId: 1 });
    push?.({ type: 'images-changed', projectId: 'p' });
    push?.('garbage');
    expect(got).toEqual([{ type: 'images-changed', projectId: 'p', batchId: 1 }]);
  });
  it("uses HTTP to the desktop app's team server, keeping the token out of storage and the URL", () => {
    const stored: string[] = [];
    const replaced: unknown[] = [];
    const t = selectTransport({
      ...env('#/review', bridge),
      remote: { origin: 'https://review.lab.example:8443', token: 'sqw_tok' },
      storage: { getItem: () => null, setItem: (k, v) => void stored.push(`${k}=${v}`) },
      history: { replaceState: (...args) => void replaced.push(args) },
    });
    expect(t.kind).toBe('http');
    expect(t.blobUrl({ projectId: 'p', imageId: 2, kind: 'image' })).toBe(
      'https://review.lab.example:8443/blob/p/2/image?token=sqw_tok',
    );
    expect(stored).toEqual([]);
    expect(replaced).toEqual([]);
  });

  it('uses HTTP with the fragment token otherwise', () => {
    const t = selectTransport(env('#token=xyz'));
    expect(t.kind).toBe('http');
    expect(t.blobUrl({ projectId: 'p', imageId: 2, kind: 'image' })).toBe(
      'http://127.0.0.1:5000/blob/p/2/image?token=xyz',
    );
  });
  it('refuses to start headless without a token', () => {
    expect(() => selectTransport(env('#/batches'))).toThrow(MissingTokenError);
  });
});

describe('validating', () => {
  const fake = (result: unknown): Transport => ({
    kind: 'http',
    call: async () => result,
    subscribe: () => () => undefined,
    blobUrl: () => '',
  });
  it('passes results that match the output schema', async () => {
    await expect(validating(fake({ jobId: 'j' })).call('imports.start', {})).resolves.toEqual({
      jobId: 'j',
    });
  });
  it('rejects results that do not', async () => {
    const err = await validating(fake({ job: 1 }))
      .call('imports.start', {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('invalid-output');
  });
});
