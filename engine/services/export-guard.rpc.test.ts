// The export guard over the RPC path the UI uses (issue 17, case 1): a forced export through a
// symlinked alias of the project's image source is refused before a job starts, and nothing is lost.
import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { exportProject } from '../export/export';
import { buildExportFixture } from '../export/test-fixture';
import { importBatch } from '../import/index';
import { serveEngine, tempDir, type ServedEngine } from '../test/helpers';

const dir = tempDir('sqw-guard-rpc-');
let s: ServedEngine;
let images: string;

beforeAll(async () => {
  const fx = await buildExportFixture(join(dir.path, 'first'));
  await exportProject(fx.store, { format: 'hf', outDir: join(dir.path, 'expD', 'E') });
  fx.store.close();
  images = join(dir.path, 'expD', 'E', 'train', 'images');
  const second = ProjectStore.openOrCreate(join(dir.path, 'second'));
  await importBatch(second, { folder: images });
  second.close();
  symlinkSync(join(dir.path, 'expD'), join(dir.path, 'alias'));
  s = await serveEngine(join(dir.path, 'second'));
});
afterAll(async () => {
  await s.close();
  dir.remove();
});

describe('exports.start through an alias of an image source', () => {
  it('is refused with the reason before any job, and the images stay', async () => {
    const before = readdirSync(images).sort();
    expect(before.length).toBeGreaterThan(0);
    const jobsBefore = (await s.rpc('jobs.list', { projectId: s.projectId })).body.result.length;
    for (const outDir of [
      join(dir.path, 'alias', 'E'),
      `${join(dir.path, 'alias', 'E', 'train')}/..`,
    ]) {
      const res = await s.rpc('exports.start', {
        projectId: s.projectId,
        options: { format: 'coco', outDir, force: true },
      });
      expect(res.body.error, outDir).toMatchObject({ code: 'invalid-input' });
      expect(res.body.error.message).toMatch(
        /^refusing to export into .*: replacing it would delete the image source of batch 1 /,
      );
    }
    const jobs = (await s.rpc('jobs.list', { projectId: s.projectId })).body.result;
    expect(jobs.length).toBe(jobsBefore);
    expect(readdirSync(images).sort()).toEqual(before);
  });
});
