import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { FolderBlobStore } from './blob-store';

describe('shared-folder blob store', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('writes whole files under their key and reads them back', async () => {
    const blobs = new FolderBlobStore(join(dir.path, 'shared'));
    await blobs.write('depth/7.png', Buffer.from('depth bytes'));
    expect((await blobs.read('depth/7.png')).toString()).toBe('depth bytes');
    expect(await blobs.size('depth/7.png')).toBe('depth bytes'.length);
    // No partial file is left beside it.
    expect(readdirSync(join(dir.path, 'shared', 'depth'))).toEqual(['7.png']);
  });

  it('writes files of one folder at once, each with its own bytes', async () => {
    const blobs = new FolderBlobStore(join(dir.path, 'shared'));
    const keys = Array.from({ length: 20 }, (_, i) => `depth/${i}.png`);
    // Started together, as a worker writes the depth maps of the images it holds.
    await Promise.all(keys.map((k) => blobs.write(k, Buffer.from(`bytes of ${k}`))));
    for (const k of keys) expect((await blobs.read(k)).toString()).toBe(`bytes of ${k}`);
    expect(readdirSync(join(dir.path, 'shared', 'depth'))).toHaveLength(keys.length);
  });

  it('refuses keys that leave the folder', async () => {
    const blobs = new FolderBlobStore(join(dir.path, 'shared'));
    await expect(blobs.write('../outside.txt', Buffer.from('x'))).rejects.toThrow(/outside/);
    await expect(blobs.read('/etc/passwd')).rejects.toThrow(/outside/);
    await expect(blobs.size('../outside.txt')).rejects.toThrow(/outside/);
    expect(existsSync(join(dir.path, 'outside.txt'))).toBe(false);
  });
});
