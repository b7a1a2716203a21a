// Depth maps inside the image folder (issue 16, RGB-D import): paired with their colour image by
// dataset layout, never imported as photos; mostly-invalid maps and PGM byte order are reported.
import { decode as decodePng } from 'fast-png';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { importBatch } from './index';
import { depthPng16, jpeg, png, pnmBinary, put, REDWOOD, SUN, tempDir } from './test-fixtures';
import { layer } from '../test/layer';

let tmp: { dir: string; cleanup: () => void };
let store: ProjectStore;

beforeEach(() => {
  tmp = tempDir();
  store = ProjectStore.openOrCreate(join(tmp.dir, 'project'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const rows = async () => (await layer(store).catalog.queryImages({ offset: 0, limit: 1000 })).items;
const reasons = (issues: { path: string; reason: string }[]) =>
  issues.map((i) => `${i.path}: ${i.reason}`);

describe('depth maps beside their colour image', () => {
  it('SUN side by side (color.jpg + depth.png): one image with depth, the depth map is no photo', async () => {
    const dir = join(tmp.dir, 'sun');
    put(join(dir, 'color.jpg'), readFileSync(join(SUN, 'color.jpg')));
    put(join(dir, 'depth.png'), readFileSync(join(SUN, 'depth.png')));
    const r = await importBatch(store, { folder: dir, depthEncoding: 'sun' });
    expect(r).toMatchObject({ imported: 1, withDepth: 1, skipped: 0 });
    expect((await rows()).map((i) => i.relPath)).toEqual(['color.jpg']);
    const info = JSON.parse((await rows())[0]!.depthJson!);
    expect(info).toMatchObject({ source: 'sensor', encoding: 'sun', width: 640, height: 480 });
    expect(info.maxMeters).toBeLessThan(15);
    // said, not silent
    expect(reasons(r.issues)).toEqual([
      '.: 1 image(s) paired with a depth map found beside them (16-bit, named depth), read with encoding sun',
    ]);
  });

  it('the image folder given as its own depth folder pairs by layout, not each file with itself', async () => {
    const dir = join(tmp.dir, 'same');
    put(join(dir, 'color.png'), await png(16, 12, 1));
    put(
      join(dir, 'depth.png'),
      depthPng16(16, 12, () => 1500),
    );
    const r = await importBatch(store, { folder: dir, depthFolder: dir });
    expect(r).toMatchObject({ imported: 1, withDepth: 1 });
    const [row] = await rows();
    expect(row!.relPath).toBe('color.png');
    expect(JSON.parse(row!.depthJson!)).toMatchObject({ validRatio: 1, minMeters: 1.5 });
  });

  it('Redwood layout (color/ + depth/) imported from the dataset folder', async () => {
    const dir = join(tmp.dir, 'redwood');
    for (const n of ['00000', '00001']) {
      put(join(dir, `color/${n}.jpg`), readFileSync(join(REDWOOD, `color/${n}.jpg`)));
      put(join(dir, `depth/${n}.png`), readFileSync(join(REDWOOD, `depth/${n}.png`)));
    }
    const r = await importBatch(store, { folder: dir });
    expect(r).toMatchObject({ imported: 2, withDepth: 2, skipped: 0 });
    expect((await rows()).map((i) => i.relPath)).toEqual(['color/00000.jpg', 'color/00001.jpg']);
    const stored = decodePng(readFileSync(join(store.folder, (await rows())[1]!.depthBlob!)));
    const src = decodePng(readFileSync(join(REDWOOD, 'depth/00001.png')));
    expect(Buffer.from(stored.data.buffer).equals(Buffer.from(src.data.buffer))).toBe(true);
  });

  it('TUM layout (rgb/ + depth/ by nearest timestamp within 0.02 s); a lone depth map is reported', async () => {
    const dir = join(tmp.dir, 'tum');
    put(join(dir, 'rgb/1305031102.175304.png'), await png(16, 12, 2));
    put(join(dir, 'rgb/1305031102.211214.png'), await png(16, 12, 3));
    put(
      join(dir, 'depth/1305031102.160407.png'),
      depthPng16(16, 12, () => 5000),
    );
    put(
      join(dir, 'depth/1305031102.226738.png'),
      depthPng16(16, 12, () => 10000),
    );
    put(
      join(dir, 'depth/1305031109.000000.png'),
      depthPng16(16, 12, () => 7000),
    );
    const r = await importBatch(store, { folder: dir, depthEncoding: 'tum' });
    expect(r).toMatchObject({ imported: 2, withDepth: 2, skipped: 0 });
    const [a, b] = await rows();
    expect(JSON.parse(a!.depthJson!)).toMatchObject({ encoding: 'tum', minMeters: 1 });
    expect(JSON.parse(b!.depthJson!)).toMatchObject({ minMeters: 2 });
    expect(reasons(r.issues)).toContain(
      'depth/1305031109.000000.png: depth map (16-bit single-channel, named depth) with no colour image to pair with: not imported as a photo',
    );
  });

  it('7-Scenes names (frame-000000.color.png + frame-000000.depth.png) pair; photos without depth import quietly', async () => {
    const dir = join(tmp.dir, 'sevenscenes');
    put(join(dir, 'frame-000000.color.png'), await png(16, 12, 4));
    put(
      join(dir, 'frame-000000.depth.png'),
      depthPng16(16, 12, () => 800),
    );
    put(join(dir, 'holiday.jpg'), await jpeg(16, 12, 5));
    const r = await importBatch(store, { folder: dir });
    expect(r).toMatchObject({ imported: 2, withDepth: 1 });
    expect((await rows()).map((i) => [i.relPath, i.depthBlob !== null])).toEqual([
      ['frame-000000.color.png', true],
      ['holiday.jpg', false],
    ]);
    expect(r.issues).toHaveLength(1); // only the pairing note
  });

  it('an 8-bit picture named depth.png stays a photo, with a note', async () => {
    const dir = join(tmp.dir, 'vis');
    put(join(dir, 'color.png'), await png(16, 12, 6));
    put(join(dir, 'depth.png'), await png(16, 12, 7));
    const r = await importBatch(store, { folder: dir });
    expect(r).toMatchObject({ imported: 2, withDepth: 0 });
    expect(reasons(r.issues)).toEqual([
      'depth.png: named like a depth map but 8-bit 3-channel PNG, not 16-bit single-channel: imported as a photo',
    ]);
  });
});

describe('depth quality warnings', () => {
  it('a mostly invalid depth map (10 % valid) imports with a warning naming the share and encoding', async () => {
    const dir = join(tmp.dir, 'sparse');
    put(join(dir, 'color.png'), await png(20, 10, 8));
    // one column in ten has a reading
    put(
      join(dir, 'depth.png'),
      depthPng16(20, 10, (x) => (x % 10 === 0 ? 2000 : 0)),
    );
    const r = await importBatch(store, { folder: dir });
    expect(r).toMatchObject({ imported: 1, withDepth: 1 });
    expect(reasons(r.issues)).toContain(
      'color.png: depth depth.png: only 10.0 % of pixels have a valid reading with encoding mm; check the depth encoding',
    );
  });

  it('a well-filled depth map gets no such warning', async () => {
    const dir = join(tmp.dir, 'full');
    put(join(dir, 'color.png'), await png(20, 10, 9));
    put(
      join(dir, 'depth.png'),
      depthPng16(20, 10, (x) => (x % 10 === 0 ? 0 : 2000)),
    );
    const r = await importBatch(store, { folder: dir });
    expect(r.issues.filter((i) => i.path === 'color.png')).toEqual([]);
  });
});

describe('16-bit PGM depth byte order', () => {
  // NYU raw Kinect disparity for 1.4 .. 6.7 m (v = 1092.5 - 351.3 / m), 1 pixel in 14 missing.
  const W = 28;
  const H = 10;
  const disparity = Uint16Array.from({ length: W * H }, (_, i) => {
    if (i % 14 === 0) return 0;
    const m = 1.4 + (5.3 * (i % W)) / (W - 1);
    return Math.round(1092.5 - 351.3 / m);
  });
  const expectedMm = Array.from(disparity, (v) =>
    v === 0 ? 0 : Math.round((351.3 / (1092.5 - v)) * 1000),
  );

  async function importNyu(order: 'be' | 'le') {
    const dir = join(tmp.dir, `nyu-${order}`);
    put(join(dir, 'rgb_0001.png'), await png(W, H, 10));
    put(join(dir, 'depth_0001.pgm'), pnmBinary('P5', W, H, 65535, disparity, order));
    const r = await importBatch(store, { folder: dir, depthEncoding: 'nyu' });
    const row = (await rows())[0]!;
    const stored = Array.from(decodePng(readFileSync(join(store.folder, row.depthBlob!))).data);
    return { r, info: JSON.parse(row.depthJson!), stored };
  }

  it('little-endian (NYU raw dumps): read little-endian, and the import says so', async () => {
    const { r, info, stored } = await importNyu('le');
    expect(r).toMatchObject({ imported: 1, withDepth: 1 });
    expect(stored).toEqual(expectedMm);
    expect(info.validRatio).toBeCloseTo(1 - 20 / 280, 12);
    expect(info.minMeters).toBeGreaterThan(1.39);
    expect(info.maxMeters).toBeLessThan(6.71);
    expect(reasons(r.issues)).toContain(
      'rgb_0001.png: depth depth_0001.pgm: 16-bit samples read little-endian (92.9 % valid; big-endian, as the PGM spec says, gives 7.1 %)',
    );
    expect(reasons(r.issues).some((s) => s.includes('only'))).toBe(false);
  });

  it('big-endian (the spec): read big-endian, no byte-order note', async () => {
    const { r, stored } = await importNyu('be');
    expect(stored).toEqual(expectedMm);
    expect(reasons(r.issues).filter((s) => s.includes('endian'))).toEqual([]);
  });

  it('millimetre PGM written little-endian: every value is a reading either way, the smooth order wins', async () => {
    const dir = join(tmp.dir, 'mm-le');
    const mm = Uint16Array.from(
      { length: 16 * 8 },
      (_, i) => 1000 + 7 * (i % 16) + 3 * Math.floor(i / 16),
    );
    put(join(dir, 'color.png'), await png(16, 8, 11));
    put(join(dir, 'depth.pgm'), pnmBinary('P5', 16, 8, 65535, mm, 'le'));
    const r = await importBatch(store, { folder: dir });
    const stored = decodePng(readFileSync(join(store.folder, (await rows())[0]!.depthBlob!))).data;
    expect(Array.from(stored)).toEqual(Array.from(mm));
    const note = reasons(r.issues).find((s) => s.includes('little-endian'));
    expect(note).toMatch(
      /read little-endian \(big-endian, as the PGM spec says, is noise: mean step between neighbours \d+ mm against 7 mm\)/,
    );
  });

  it('a mostly invalid PGM says the other byte order was tried', async () => {
    const dir = join(tmp.dir, 'nyu-sparse');
    // big-endian, valid only in one pixel of ten; little-endian of these values is invalid too
    const sparse = Uint16Array.from({ length: 20 * 10 }, (_, i) => (i % 10 === 0 ? 900 : 2047));
    put(join(dir, 'color.png'), await png(20, 10, 12));
    put(join(dir, 'depth.pgm'), pnmBinary('P5', 20, 10, 65535, sparse, 'be'));
    const r = await importBatch(store, { folder: dir, depthEncoding: 'nyu' });
    expect(reasons(r.issues)).toContain(
      'color.png: depth depth.pgm: only 10.0 % of pixels have a valid reading with encoding nyu; little-endian was tried too: 0.0 % valid; check the depth encoding',
    );
  });
});
