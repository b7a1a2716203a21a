// A team server serves each image's full-resolution original as the desktop does (the upright
// copy where one was stored, else the source), read from the shared blob folder over real HTTP on
// PostgreSQL: the source's bytes for a plain JPEG, the upright copy for an EXIF-rotated JPEG and a
// PPM, a reason for a source the folder lacks (a project copied before sources were shared), and
// a refusal for an image row whose hash or upright path would name a file outside the folder.
import { copyFileSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { sourceBlobKey } from '../../db/copy/source-blobs';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import type { ImageRow } from '../../db/store/rows';
import { importBatch } from '../import/index';
import { blobFailure } from '../../renderer/src/api/blob-failure';
import { pnmBinary } from '../import/test-fixtures';
import type { RunningServer } from '../server/http-server';
import { tempDir } from '../test/helpers';
import type { TeamEngine } from './team-engine';
import { serveTeam } from './testing/served-team';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const postgres = usePostgresCluster();

let dir: ReturnType<typeof tempDir>;
let desktop: string;
let blobs: string;
let team: TeamEngine;
let server: RunningServer;
let vera = '';

async function image(name: string): Promise<ImageRow> {
  const [row] = await team.project.catalog.imagesNamed(name);
  if (!row) throw new Error(`no image ${name}`);
  return row;
}
function original(imageId: number, token = vera) {
  return fetch(
    `http://127.0.0.1:${server.port}/blob/${team.project.id}/${imageId}/image?token=${token}`,
  );
}
async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

describe.skipIf(postgres.skipReason)("a team server's original images", () => {
  beforeAll(async () => {
    dir = tempDir();
    const color = join(dir.path, 'color');
    mkdirSync(color);
    copyFileSync(join(SAMPLES, 'sun-corridor/color/corridor.jpg'), join(color, 'corridor.jpg'));
    copyFileSync(join(SAMPLES, 'redwood-livingroom/color/00000.jpg'), join(color, 'gone.jpg'));
    // Browsers ignore or cannot show these: the importer stores an upright copy of each.
    writeFileSync(
      join(color, 'rotated.jpg'),
      await sharp(join(SAMPLES, 'redwood-livingroom/color/00001.jpg'))
        .withMetadata({ orientation: 6 })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    const rgb = Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(color, 'tiny.ppm'), pnmBinary('P6', 8, 6, 255, rgb));
    desktop = join(dir.path, 'desktop');
    const store = ProjectStore.openOrCreate(desktop);
    try {
      const r = await importBatch(store, { folder: color });
      expect(r).toMatchObject({ imported: 4, issues: [] });
    } finally {
      store.close();
    }
    const url = await postgres.cluster().createDatabase();
    blobs = join(dir.path, 'shared', 'blobs');
    await copyProject(desktop, url, { blobs });
    ({
      team,
      server,
      tokens: { vera },
    } = await serveTeam({ database: url, blobs }, { vera: 'viewer' }));
    // As if the project had been copied before `sqw project copy` shared colour sources.
    unlinkSync(join(blobs, sourceBlobKey(await image('gone.jpg'))));
    // What an image row naming `../secret.jpg` would serve, were the name followed.
    writeFileSync(join(dir.path, 'shared', 'secret.jpg'), 'not a blob');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await team?.close();
    dir?.remove();
  });

  it("serves a plain JPEG's source bytes, full size, to a viewer", async () => {
    const row = await image('corridor.jpg');
    expect(row.uprightBlob).toBeNull();
    const res = await original(row.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const body = await bytes(res);
    expect(body.equals(readFileSync(join(SAMPLES, 'sun-corridor/color/corridor.jpg')))).toBe(true);
    expect((await sharp(body).metadata()).width).toBe(row.width);
    expect((await original(row.id, 'nope')).status).toBe(401);
  });

  it('serves the upright copy of an EXIF-rotated JPEG and of a PPM, as the desktop does', async () => {
    for (const [name, type] of [
      ['rotated.jpg', 'image/jpeg'],
      ['tiny.ppm', 'image/png'],
    ] as const) {
      const row = await image(name);
      expect(row.uprightBlob).not.toBeNull();
      const res = await original(row.id);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(type);
      // The desktop serves this file from its project folder.
      const upright = readFileSync(join(desktop, row.uprightBlob!));
      expect((await bytes(res)).equals(upright), name).toBe(true);
      const meta = await sharp(upright).metadata();
      expect([meta.width, meta.height], name).toEqual([row.width, row.height]);
    }
  });

  it('answers a source missing from the shared folder with the reason and what to run', async () => {
    const row = await image('gone.jpg');
    const res = await original(row.id);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('not-found');
    expect(body.error.message).toContain(`image ${row.id} (gone.jpg)`);
    expect(body.error.message).toContain(`not in the shared blob folder (${sourceBlobKey(row)})`);
    expect(body.error.message).toContain('sqw project share-sources');
    // The server's own folders are not the reviewer's business.
    expect(body.error.message).not.toContain(blobs);
    // What the image view shows beside the thumbnail it falls back to.
    const url = `http://127.0.0.1:${server.port}/blob/${team.project.id}/${row.id}/image?token=${vera}`;
    expect(await blobFailure(url)).toBe(body.error.message);
    expect(await blobFailure(url.replace('/image?', '/thumb?'))).toBeNull();
    // The thumbnail the image view falls back to is still there.
    const thumb = await fetch(
      `http://127.0.0.1:${server.port}/blob/${team.project.id}/${row.id}/thumb?token=${vera}`,
    );
    expect(thumb.status).toBe(200);
  });

  it('reads no file outside the blob folder for a crafted hash, format or upright path', async () => {
    const known = await image('corridor.jpg');
    const crafted = [
      { sha256: '../../secret', format: 'jpg', uprightBlob: null },
      { sha256: '3'.repeat(64), format: '/../../../secret.jpg', uprightBlob: null },
      { sha256: `${'0'.repeat(64)}/../../../secret`, format: 'jpg', uprightBlob: null },
      { sha256: '1'.repeat(64), format: 'jpg', uprightBlob: 'blobs/../../secret.jpg' },
      { sha256: '2'.repeat(64), format: 'jpg', uprightBlob: '../shared/secret.jpg' },
      // Inside the folder, but another image's file (its thumbnail): not this image's original.
      {
        sha256: `../thumbs/${known.thumbBlob.replace(/^.*\/|\.webp$/g, '')}`,
        format: 'webp',
        uprightBlob: null,
      },
    ];
    for (const [i, c] of crafted.entries()) {
      const id = await team.project.catalog.insertImage({
        batchId: known.batchId,
        sourcePath: known.sourcePath,
        relPath: `crafted-${i}.jpg`,
        fileName: `crafted-${i}.jpg`,
        bytes: known.bytes,
        width: known.width,
        height: known.height,
        orientation: 1,
        exif: null,
        intrinsics: { fx: 1, fy: 1, cx: 0, cy: 0, source: 'given' },
        thumbBlob: known.thumbBlob,
        depthBlob: null,
        depthPreviewBlob: null,
        depth: null,
        ...c,
      });
      const res = await original(id);
      const text = await res.text();
      expect(res.status, JSON.stringify(c)).toBe(404);
      expect(text).not.toContain('not a blob');
      const { error } = JSON.parse(text) as { error: { code: string; message: string } };
      expect(error.message, JSON.stringify(c)).toContain(`image ${id} (crafted-${i}.jpg)`);
      expect(error.message, JSON.stringify(c)).toMatch(
        /no file is read|outside the blob folder|not a path under/,
      );
    }
  });
});
