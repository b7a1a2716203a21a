import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkBatcher } from './link-batcher';

describe('LinkBatcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqw-links-'));
    mkdirSync(join(dir, 'out'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a few links in place and many on its worker, every one pointing at its target', async () => {
    for (const n of [3, 2300]) {
      const links = new LinkBatcher();
      const sub = join(dir, 'out', String(n));
      mkdirSync(sub);
      for (let i = 0; i < n; i++) await links.add(`/images/${i}.jpg`, join(sub, `${i}.jpg`));
      await links.drain();
      await links.close();
      for (const i of [0, Math.floor(n / 2), n - 1])
        expect(readlinkSync(join(sub, `${i}.jpg`))).toBe(`/images/${i}.jpg`);
      expect(existsSync(join(sub, `${n}.jpg`))).toBe(false);
    }
  });

  it('a link that cannot be made fails the drain (or a later add) with the reason', async () => {
    writeFileSync(join(dir, 'out', '700.jpg'), 'taken');
    const links = new LinkBatcher();
    let failed: unknown = null;
    try {
      for (let i = 0; i < 3000; i++)
        await links.add(`/images/${i}.jpg`, join(dir, 'out', `${i}.jpg`));
      await links.drain();
    } catch (err) {
      failed = err;
    } finally {
      await links.close();
    }
    expect(String(failed)).toMatch(/could not link an image: EEXIST.*700\.jpg/);
  });

  it('fails in place for a small export too', async () => {
    writeFileSync(join(dir, 'out', '1.jpg'), 'taken');
    const links = new LinkBatcher();
    await links.add('/images/1.jpg', join(dir, 'out', '1.jpg'));
    await expect(links.drain()).rejects.toThrow(/EEXIST/);
    await links.close();
  });
});
