import { decode as decodePng } from 'fast-png';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { sunUnrotate } from '../../spatial/depth-encoding';
import { importBatch, type ImportProgress } from './index';
import { nodeScanFs, type ScanFs } from './scan';
import {
  depthPng16,
  hugePngHeader,
  jpeg,
  noiseRgb,
  png,
  pnmBinary,
  put,
  REDWOOD,
  SUN,
  tempDir,
} from './test-fixtures';
import { layer } from '../test/layer';

/** The project's batches and their issues, read through the two-database layer. */
const catalogOf = (store: ProjectStore) => new CatalogStore(sqliteHandle(store.db));

const REDWOOD_INTR = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

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

const blob = (rel: string) => readFileSync(join(store.folder, rel));
const allRows = async () =>
  (await layer(store).catalog.queryImages({ offset: 0, limit: 1000 })).items;

describe('importBatch with the Redwood sample (mm depth)', () => {
  it('imports colour + depth, stores given intrinsics, depth info and blobs', async () => {
    const progress: ImportProgress[] = [];
    const r = await importBatch(store, {
      folder: join(REDWOOD, 'color'),
      depthFolder: join(REDWOOD, 'depth'),
      depthEncoding: 'mm',
      intrinsics: REDWOOD_INTR,
      onProgress: (p) => progress.push(p),
    });
    expect(r).toMatchObject({ imported: 3, duplicates: 0, skipped: 0, withDepth: 3, issues: [] });
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3]);
    expect(progress.at(-1)).toMatchObject({ total: 3, imported: 3, failed: 0 });

    const rows = await allRows();
    // ids follow the sorted file order
    expect(rows.map((i) => i.relPath)).toEqual(['00000.jpg', '00001.jpg', '00002.jpg']);
    const row = rows[0]!;
    expect(row).toMatchObject({
      batchId: r.batchId,
      format: 'jpeg',
      width: 640,
      height: 480,
      orientation: 1,
    });
    expect(row).toMatchObject({
      fx: 525,
      fy: 525,
      cx: 319.5,
      cy: 239.5,
      intrinsicsSource: 'given',
      uprightBlob: null,
    });
    expect(row.sourcePath).toBe(join(REDWOOD, 'color/00000.jpg'));
    expect(row.thumbBlob).toBe(`blobs/thumbs/${row.sha256}.webp`);
    expect(row.depthBlob).toBe(`blobs/depth/${row.sha256}.png`);

    const info = JSON.parse(row.depthJson!);
    expect(info).toMatchObject({ source: 'sensor', encoding: 'mm', width: 640, height: 480 });
    // frame 0: 40071 of 307200 pixels are 0 -> valid ratio 0.8696; readings 0.955 .. 2.702 m
    const src = decodePng(readFileSync(join(REDWOOD, 'depth/00000.png')));
    let zeros = 0;
    let max = 0;
    let min = 65535;
    for (const v of src.data) {
      if (v === 0) zeros++;
      else {
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
    }
    expect(info.validRatio).toBeCloseTo(1 - zeros / (640 * 480), 12);
    expect(info.validRatio).toBeGreaterThan(0.5);
    expect(info.minMeters).toBe(min / 1000);
    expect(info.maxMeters).toBe(max / 1000);
    expect(info.minMeters).toBeGreaterThan(0.5);
    expect(info.maxMeters).toBeLessThan(5);

    // canonical depth is the same millimetres as the source, bit for bit
    const stored = decodePng(blob(row.depthBlob!));
    expect([stored.width, stored.height, stored.depth, stored.channels]).toEqual([640, 480, 16, 1]);
    expect(Buffer.from(stored.data.buffer).equals(Buffer.from(src.data.buffer))).toBe(true);

    // preview: transparent exactly where depth is missing
    const prev = await sharp(blob(row.depthPreviewBlob!))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([prev.info.width, prev.info.height, prev.info.channels]).toEqual([640, 480, 4]);
    let mismatched = 0;
    for (let i = 0; i < src.data.length; i++)
      if ((prev.data[i * 4 + 3] === 0) !== (src.data[i] === 0)) mismatched++;
    expect(mismatched).toBe(0);

    const thumb = await sharp(blob(row.thumbBlob)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 256, 192]);
  });

  it('re-importing the same folder adds nothing', async () => {
    const first = await importBatch(store, { folder: join(REDWOOD, 'color') });
    expect(first.imported).toBe(3);
    const again = await importBatch(store, { folder: join(REDWOOD, 'color') });
    expect(again).toMatchObject({ imported: 0, duplicates: 3, skipped: 0 });
    expect(again.issues[0]).toEqual({
      path: '00000.jpg',
      kind: 'skipped',
      reason: `duplicate of ${join(REDWOOD, 'color/00000.jpg')}`,
    });
    expect((await layer(store).browse.counts()).images).toBe(3);
    expect((await catalogOf(store).listBatches()).length).toBe(2);
    expect(await catalogOf(store).issues(again.batchId)).toHaveLength(3);
  });

  it('without intrinsics or EXIF uses the default 60 degree field of view', async () => {
    await importBatch(store, { folder: join(REDWOOD, 'color') });
    expect((await allRows())[0]).toMatchObject({
      intrinsicsSource: 'default-fov',
      cx: 319.5,
      cy: 239.5,
    });
    expect((await allRows())[0]!.fx).toBeCloseTo(554.2563, 3);
  });
});

describe('SUN RGB-D depth', () => {
  it('undoes the 3-bit rotation: stored mm = (v >> 3) | (v << 13) & 0xFFFF', async () => {
    put(join(tmp.dir, 'sun/color/corridor.jpg'), readFileSync(join(SUN, 'color.jpg')));
    put(join(tmp.dir, 'sun/depth/corridor.png'), readFileSync(join(SUN, 'depth.png')));
    const r = await importBatch(store, {
      folder: join(tmp.dir, 'sun/color'),
      depthFolder: join(tmp.dir, 'sun/depth'),
      depthEncoding: 'sun',
    });
    expect(r).toMatchObject({ imported: 1, withDepth: 1, issues: [] });
    const row = (await allRows())[0]!;
    const src = decodePng(readFileSync(join(SUN, 'depth.png')));
    const stored = decodePng(blob(row.depthBlob!));
    let wrong = 0;
    for (let i = 0; i < src.data.length; i++) {
      const v = src.data[i]!;
      const expected = v === 0 ? 0 : ((v >> 3) | ((v << 13) & 0xffff)) & 0xffff;
      if (stored.data[i] !== expected || expected !== sunUnrotate(v)) wrong++;
    }
    expect(wrong).toBe(0);
    const info = JSON.parse(row.depthJson!);
    expect(info.encoding).toBe('sun');
    // an office corridor: readings within a few metres, not the raw 64 m the unrotated values suggest
    expect(info.maxMeters).toBeLessThan(15);
    expect(info.minMeters).toBeGreaterThan(0.1);
  });
});

describe('duplicates by content', () => {
  it('identical files under different names import once', async () => {
    const a = await jpeg(64, 48, 7);
    put(join(tmp.dir, 'in/a.jpg'), a);
    put(join(tmp.dir, 'in/b.jpg'), a);
    put(join(tmp.dir, 'in/sub/c.JPG'), a);
    put(join(tmp.dir, 'in/d.jpg'), await jpeg(64, 48, 8));
    const r = await importBatch(store, { folder: join(tmp.dir, 'in') });
    expect(r).toMatchObject({ imported: 2, duplicates: 2, skipped: 0 });
    expect(r.issues).toEqual([
      { path: 'b.jpg', kind: 'skipped', reason: `duplicate of ${join(tmp.dir, 'in/a.jpg')}` },
      { path: 'sub/c.JPG', kind: 'skipped', reason: `duplicate of ${join(tmp.dir, 'in/a.jpg')}` },
    ]);
  });
});

describe('bad input', () => {
  it('each bad file gets a clear one-line issue and the good file still imports', async () => {
    const good = await jpeg(96, 64, 1);
    const corrupt = Buffer.from(good);
    for (let i = Math.floor(corrupt.length / 3); i < Math.floor(corrupt.length / 3) + 200; i++)
      corrupt[i] = (i * 37) & 0xff;
    const pngGood = await png(64, 64, 3);
    const dir = join(tmp.dir, 'bad');
    put(join(dir, 'good.jpg'), good);
    put(join(dir, 'corrupt.jpg'), corrupt);
    put(join(dir, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
    put(join(dir, 'truncated.png'), pngGood.subarray(0, Math.floor(pngGood.length / 2)));
    put(join(dir, 'empty.jpg'), Buffer.alloc(0));
    put(join(dir, 'readme.jpg'), 'This is a text file, not a photo.\n');
    put(join(dir, 'huge.png'), hugePngHeader(30000, 30000));
    put(
      join(dir, 'garbage.webp'),
      Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff)),
    );

    const r = await importBatch(store, { folder: dir });
    expect(r).toMatchObject({ imported: 1, duplicates: 0, skipped: 7 });
    const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
    expect(byPath['empty.jpg']).toEqual({
      path: 'empty.jpg',
      kind: 'skipped',
      reason: 'empty file (0 bytes)',
    });
    expect(byPath['readme.jpg']).toEqual({
      path: 'readme.jpg',
      kind: 'failed',
      reason: 'not an image: the file contains text',
    });
    expect(byPath['huge.png']).toEqual({
      path: 'huge.png',
      kind: 'failed',
      reason: 'image too large: 30000x30000 (900.0 MP); limit is 16384 px per side and 100 MP',
    });
    expect(byPath['corrupt.jpg']).toMatchObject({
      kind: 'failed',
      // which of the two libvips reports first depends on thread timing; both name the damage
      reason: expect.stringMatching(
        /^corrupt or truncated image data: (VipsJpeg: Corrupt JPEG data|the decoder reported damaged pixel data)/,
      ),
    });
    expect(byPath['truncated.jpg']).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(
        /^corrupt or truncated image data: (VipsJpeg: premature end|the decoder reported damaged pixel data)/i,
      ),
    });
    expect(byPath['truncated.png']).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/^corrupt or truncated image data: /),
    });
    expect(byPath['garbage.webp']!.kind).toBe('failed');
    for (const i of r.issues) expect(i.reason).not.toContain('\n');
    expect((await allRows()).map((i) => i.relPath)).toEqual(['good.jpg']);
    // failures are persisted with the batch
    const summary = (await catalogOf(store).listBatches()).find((b) => b.id === r.batchId)!;
    expect(summary).toMatchObject({ imageCount: 1, skipped: 1, failed: 6 });
  });

  it('refuses an oversized image whose header hides behind a valid-looking JPEG', async () => {
    // 20000x100 is within 100 MP but over 16384 px on a side; real pixels not needed.
    const big = await sharp({
      create: { width: 20000, height: 8, channels: 3, background: 'white' },
    })
      .jpeg()
      .toBuffer();
    put(join(tmp.dir, 'wide/w.jpg'), big);
    const r = await importBatch(store, { folder: join(tmp.dir, 'wide') });
    expect(r.issues).toEqual([
      {
        path: 'w.jpg',
        kind: 'failed',
        reason: 'image too large: 20000x8 (0.2 MP); limit is 16384 px per side and 100 MP',
      },
    ]);
  });

  it('unknown depth encoding throws before touching the database', async () => {
    await expect(
      importBatch(store, {
        folder: join(REDWOOD, 'color'),
        depthFolder: join(REDWOOD, 'depth'),
        depthEncoding: 'xyz',
      }),
    ).rejects.toThrow("unknown depth encoding 'xyz': use mm, tum, sun, nyu or scale:K");
    expect((await catalogOf(store).listBatches()).length).toBe(0);
    await expect(importBatch(store, { folder: join(tmp.dir, 'nope') })).rejects.toThrow(
      /import folder not found/,
    );
    expect((await catalogOf(store).listBatches()).length).toBe(0);
  });

  it('depth of the wrong size or bit depth: warning, image imported without depth', async () => {
    const dir = join(tmp.dir, 'dm');
    put(join(dir, 'color/a.jpg'), await jpeg(64, 48, 11));
    put(join(dir, 'color/b.jpg'), await jpeg(64, 48, 12));
    put(join(dir, 'color/c.jpg'), await jpeg(64, 48, 13));
    put(join(dir, 'color/d.jpg'), await jpeg(64, 48, 14));
    put(
      join(dir, 'depth/a.png'),
      depthPng16(32, 24, () => 1000),
    );
    put(
      join(dir, 'depth/b.png'),
      await sharp(noiseRgb(64, 48, 1).subarray(0, 64 * 48), {
        raw: { width: 64, height: 48, channels: 1 },
      })
        .toColourspace('b-w')
        .png()
        .toBuffer(),
    );
    put(join(dir, 'depth/c.png'), await png(64, 48, 2));
    put(
      join(dir, 'depth/d.png'),
      depthPng16(64, 48, (x) => 1000 + x),
    );
    const r = await importBatch(store, {
      folder: join(dir, 'color'),
      depthFolder: join(dir, 'depth'),
      depthEncoding: 'mm',
    });
    expect(r).toMatchObject({ imported: 4, withDepth: 1 });
    expect(r.issues).toEqual([
      {
        path: 'a.jpg',
        kind: 'warning',
        reason: 'depth 32x24 differs from image 64x48 (a.png); imported without depth',
      },
      {
        path: 'b.jpg',
        kind: 'warning',
        reason:
          'depth b.png must be 16-bit single-channel, got 8-bit 1-channel PNG; imported without depth',
      },
      {
        path: 'c.jpg',
        kind: 'warning',
        reason:
          'depth c.png must be 16-bit single-channel, got 8-bit 3-channel PNG; imported without depth',
      },
    ]);
    const rows = await allRows();
    expect(rows.map((i) => i.depthBlob === null)).toEqual([true, true, true, false]);
  });

  it('an unreadable sub-folder is reported and the rest imports', async () => {
    const dir = join(tmp.dir, 'perm');
    put(join(dir, 'ok.jpg'), await jpeg(32, 32, 21));
    put(join(dir, 'locked/hidden.jpg'), await jpeg(32, 32, 22));
    put(join(dir, 'open/also.jpg'), await jpeg(32, 32, 23));
    const fs: ScanFs = {
      ...nodeScanFs,
      readdir: async (p) => {
        if (p === join(dir, 'locked'))
          throw Object.assign(new Error('EACCES: permission denied, scandir'), { code: 'EACCES' });
        return nodeScanFs.readdir(p);
      },
    };
    const r = await importBatch(store, { folder: dir, fs });
    expect(r).toMatchObject({ imported: 2, skipped: 0 });
    expect(r.issues).toEqual([
      { path: 'locked', kind: 'skipped', reason: 'folder not readable (EACCES)' },
    ]);
    expect(await catalogOf(store).issues(r.batchId)).toEqual(r.issues);
    expect((await allRows()).map((i) => i.relPath)).toEqual(['ok.jpg', 'open/also.jpg']);
  });

  it('existing rows and blobs survive a failing import unchanged', async () => {
    await importBatch(store, {
      folder: join(REDWOOD, 'color'),
      depthFolder: join(REDWOOD, 'depth'),
      intrinsics: REDWOOD_INTR,
    });
    const before = await allRows();
    const blobsBefore = before.map(
      (r) => blob(r.thumbBlob).toString('base64') + blob(r.depthBlob!).toString('base64'),
    );
    const dir = join(tmp.dir, 'mixed');
    copyFileSync(join(REDWOOD, 'color/00001.jpg'), put(join(dir, '00001.jpg'), ''));
    put(join(dir, 'broken.jpg'), (await jpeg(64, 48, 5)).subarray(0, 300));
    put(join(dir, 'zero.png'), Buffer.alloc(0));
    // a depth file for the duplicate that would map differently: must not touch the existing depth blob
    put(
      join(dir, 'depth/00001.png'),
      depthPng16(640, 480, () => 4242),
    );
    const r = await importBatch(store, {
      folder: dir,
      depthFolder: join(dir, 'depth'),
      depthEncoding: 'tum',
    });
    expect(r).toMatchObject({ imported: 0, duplicates: 1, skipped: 2 });
    expect(await allRows()).toEqual(before);
    expect(
      (await allRows()).map(
        (r) => blob(r.thumbBlob).toString('base64') + blob(r.depthBlob!).toString('base64'),
      ),
    ).toEqual(blobsBefore);
  });
});

describe('orientation and formats', () => {
  it('EXIF orientation 6: upright size, upright thumbnail and copy, depth rotated with the image', async () => {
    // raw 64x32: left half red, right half blue; rotated 90 cw the red half is on top
    const W = 64;
    const H = 32;
    const rgb = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        rgb.set(x < W / 2 ? [220, 20, 20] : [20, 20, 220], (y * W + x) * 3);
    const jpg = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    put(join(tmp.dir, 'o/color/rot.jpg'), jpg);
    put(
      join(tmp.dir, 'o/depth/rot.png'),
      depthPng16(W, H, (x, y) => 1 + x + W * y),
    );

    const r = await importBatch(store, {
      folder: join(tmp.dir, 'o/color'),
      depthFolder: join(tmp.dir, 'o/depth'),
    });
    expect(r).toMatchObject({ imported: 1, withDepth: 1, issues: [] });
    const row = (await allRows())[0]!;
    expect(row).toMatchObject({
      width: 32,
      height: 64,
      orientation: 6,
      intrinsicsSource: 'default-fov',
      cx: 15.5,
      cy: 31.5,
    });
    expect(row.fx).toBeCloseTo(16 / Math.tan(Math.PI / 6), 9);
    expect(JSON.parse(row.exifJson!)).toMatchObject({ Orientation: 6 });

    for (const rel of [row.thumbBlob, row.uprightBlob!]) {
      const { data, info } = await sharp(blob(rel))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([32, 64]);
      const px = (x: number, y: number) =>
        Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
      const top = px(16, 8);
      const bottom = px(16, 56);
      expect(top[0]!).toBeGreaterThan(150);
      expect(top[2]!).toBeLessThan(80);
      expect(bottom[2]!).toBeGreaterThan(150);
      expect(bottom[0]!).toBeLessThan(80);
    }
    expect(row.uprightBlob).toBe(`blobs/upright/${row.sha256}.jpg`);

    // depth: raw (x, y) lands at upright (H-1-y, x)
    const d = decodePng(blob(row.depthBlob!));
    expect([d.width, d.height]).toEqual([32, 64]);
    let wrong = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) if (d.data[x * 32 + (H - 1 - y)] !== 1 + x + W * y) wrong++;
    expect(wrong).toBe(0);
    expect(JSON.parse(row.depthJson!)).toMatchObject({
      width: 32,
      height: 64,
      validRatio: 1,
      minMeters: 0.001,
      maxMeters: 2.048,
    });
  });

  it('imports PPM (P6, P3) and PGM (P5 16-bit) with an upright PNG copy; 16-bit PGM depth pairs with nyu', async () => {
    const dir = join(tmp.dir, 'pnm');
    const rgb = Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 5) & 0xff);
    put(join(dir, 'color/a.ppm'), pnmBinary('P6', 8, 6, 255, rgb));
    put(
      join(dir, 'color/b.pgm'),
      pnmBinary(
        'P5',
        4,
        3,
        65535,
        Array.from({ length: 12 }, (_, i) => i * 5000),
      ),
    );
    put(join(dir, 'color/c.ppm'), `P3\n2 1\n255\n255 0 0  0 0 255\n`);
    // NYU-style disparity for b: 741 -> 0.99943 m, 0 missing, 2047 invalid
    put(
      join(dir, 'depth/b.pgm'),
      pnmBinary('P5', 4, 3, 65535, [741, 0, 2047, 741, 741, 741, 741, 741, 741, 741, 741, 1074]),
    );
    const r = await importBatch(store, {
      folder: join(dir, 'color'),
      depthFolder: join(dir, 'depth'),
      depthEncoding: 'nyu',
    });
    expect(r).toMatchObject({ imported: 3, withDepth: 1 });
    expect(r.issues.map((i) => [i.path, i.reason])).toEqual([
      ['a.ppm', 'no depth file found for this image'],
      ['c.ppm', 'no depth file found for this image'],
    ]);
    const [a, b, c] = await allRows();
    expect(a).toMatchObject({
      format: 'ppm',
      width: 8,
      height: 6,
      uprightBlob: `blobs/upright/${a!.sha256}.png`,
    });
    const up = await sharp(blob(a!.uprightBlob!)).raw().toBuffer({ resolveWithObject: true });
    expect(up.info.channels).toBe(3);
    expect(Array.from(up.data)).toEqual(rgb);
    expect(b).toMatchObject({ format: 'pgm', width: 4, height: 3 });
    const grey = await sharp(blob(b!.uprightBlob!)).extractChannel(0).raw().toBuffer();
    // 16-bit samples scaled to 8 bits: 5000 * 255 / 65535 = 19.45 -> 19
    expect(grey[1]).toBe(19);
    const depth = decodePng(blob(b!.depthBlob!));
    expect(Array.from(depth.data)).toEqual([
      999, 0, 0, 999, 999, 999, 999, 999, 999, 999, 999, 18989,
    ]);
    expect(JSON.parse(b!.depthJson!)).toMatchObject({
      encoding: 'nyu',
      validRatio: 10 / 12,
      minMeters: 0.999,
      maxMeters: 18.989,
    });
    expect(c).toMatchObject({ format: 'ppm', width: 2, height: 1 });
  });

  it('EXIF focal length gives intrinsics with source exif', async () => {
    const jpg = await sharp(noiseRgb(200, 100, 9), {
      raw: { width: 200, height: 100, channels: 3 },
    })
      .jpeg()
      .withExif({
        IFD0: { Make: 'TestCam', Model: 'T1' },
        // libvips cannot write FocalLengthIn35mmFormat (SHORT); the focal-plane path is covered here,
        // the 35 mm path in spatial/camera.test.ts.
        IFD2: {
          FocalLength: '425/100',
          FocalPlaneXResolution: '1000/1',
          FocalPlaneResolutionUnit: '3',
          DateTimeOriginal: '2024:05:06 07:08:09',
        },
      })
      .toBuffer();
    put(join(tmp.dir, 'exif/a.jpg'), jpg);
    await importBatch(store, { folder: join(tmp.dir, 'exif') });
    const row = (await allRows())[0]!;
    expect(JSON.parse(row.exifJson!)).toEqual({
      Make: 'TestCam',
      Model: 'T1',
      DateTimeOriginal: '2024:05:06 07:08:09',
      FocalLength: 4.25,
      FocalPlaneXResolution: 1000,
      FocalPlaneResolutionUnit: 3,
      ExifImageWidth: 200,
      Orientation: 1,
    });
    // 1000 px/cm = 100 px/mm; 4.25 mm -> 425 px (ExifImageWidth equals the file's width: no rescale)
    expect(row).toMatchObject({ intrinsicsSource: 'exif', cx: 99.5, cy: 49.5 });
    expect(row.fx).toBeCloseTo(425, 9);
    expect(row.fy).toBeCloseTo(425, 9);
  });
});

describe('cancellation and concurrency', () => {
  it('stops between files when aborted; rows written so far are complete', async () => {
    const dir = join(tmp.dir, 'many');
    for (let i = 0; i < 12; i++)
      put(join(dir, `${String(i).padStart(2, '0')}.jpg`), await jpeg(48, 32, 100 + i));
    const ac = new AbortController();
    const r = await importBatch(store, {
      folder: dir,
      signal: ac.signal,
      concurrency: 2,
      onProgress: (p) => {
        if (p.done === 3) ac.abort();
      },
    });
    expect(r.imported).toBeGreaterThanOrEqual(3);
    expect(r.imported).toBeLessThan(12);
    expect(r.issues.at(-1)).toEqual({
      path: '.',
      kind: 'warning',
      reason: `import cancelled after ${r.imported} of 12 files`,
    });
    const rows = await allRows();
    expect(rows).toHaveLength(r.imported);
    expect(rows.map((x) => x.relPath)).toEqual(
      Array.from({ length: r.imported }, (_, i) => `${String(i).padStart(2, '0')}.jpg`),
    );
    for (const row of rows) expect(blob(row.thumbBlob).length).toBeGreaterThan(0);
    // a later run picks up the rest
    const rest = await importBatch(store, { folder: dir });
    expect(rest).toMatchObject({ imported: 12 - r.imported, duplicates: r.imported });
  });

  it('two imports of the same folder at once: each file once, the other run reports duplicates', async () => {
    const dir = join(tmp.dir, 'twice');
    for (let i = 0; i < 4; i++) put(join(dir, `${i}.jpg`), await jpeg(24, 16, 200 + i));
    // A run may pass the early hash check before the other commits the twin: the commit's
    // transaction checks again (ImportStore.commitImage), so however the runs interleave,
    // each file is one row.
    const [a, b] = await Promise.all([
      importBatch(store, { folder: dir }),
      importBatch(store, { folder: dir }),
    ]);
    expect(a.imported + b.imported).toBe(4);
    expect(a.duplicates + b.duplicates).toBe(4);
    expect(await allRows()).toHaveLength(4);
    for (const r of [a, b])
      expect(await catalogOf(store).issues(r.batchId)).toEqual(
        r.issues.map(({ path, kind, reason }) => ({ path, kind, reason })),
      );
    expect([...a.issues, ...b.issues].map((i) => i.reason)).toEqual(
      Array.from({ length: 4 }, () => expect.stringMatching(/^duplicate of .*\.jpg$/)),
    );
  });

  it('depth folder inside the colour folder is not imported as images', async () => {
    const dir = join(tmp.dir, 'nested');
    put(join(dir, 'x.jpg'), await jpeg(16, 16, 31));
    put(
      join(dir, 'depth/x.png'),
      depthPng16(16, 16, () => 500),
    );
    const r = await importBatch(store, {
      folder: dir,
      depthFolder: join(dir, 'depth'),
      concurrency: 4,
    });
    expect(r).toMatchObject({ imported: 1, withDepth: 1, issues: [] });
  });
});
