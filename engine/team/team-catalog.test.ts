// The read-only catalog (engine/services/catalog.ts) answers the same on a desktop project and on
// its PostgreSQL copy: a corridor with its graph and QA, a second batch with import issues, a
// reviewer's object edits and decisions, copied to a throwaway cluster; every catalog method goes
// to a desktop engine on the folder and to the team engine, and the answers (errors too) must be
// equal: batches.list, batches.issues, images.list, images.counts, images.filterOptions,
// images.get, objects.list, pipeline.imageStages, qa.list, labels.vocabulary, audit.list and
// reviews.list.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { ProjectStore } from '../../db/project-store';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { createEngine, type Engine } from '../engine';
import { importBatch } from '../import/index';
import { corridorWithQa } from '../test/corridor-project';
import { tempDir } from '../test/helpers';
import { createTeamEngine, type TeamEngine } from './team-engine';

const postgres = usePostgresCluster();
const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let folder: string;
let desktop: Engine;
let team: TeamEngine;
let desktopId: string;
let corridor: number;
let images: number[];
let qaIds: number[];

type Side = 'desktop' | 'team';
type Answer = { ok: true; result: unknown } | { ok: false; code: string; message: string };

async function call(side: Side, method: string, input: Record<string, unknown>): Promise<Answer> {
  const res =
    side === 'desktop'
      ? await desktop.dispatch(method, { projectId: desktopId, ...input })
      : await team.dispatch(method, { projectId: team.project.id, ...input });
  return res.ok
    ? { ok: true, result: res.result }
    : { ok: false, code: res.error.code, message: res.error.message };
}
/** The same call on both; the answers (or errors) must be equal; the desktop's result returned. */
async function both(method: string, input: Record<string, unknown> = {}): Promise<any> {
  const d = await call('desktop', method, input);
  const t = await call('team', method, input);
  expect(t, `${method} ${JSON.stringify(input)}`).toEqual(d);
  return d.ok ? d.result : d;
}

/** The desktop project: the corridor with QA, reviewed, and a batch with a broken and a text file. */
async function build(): Promise<void> {
  const store = ProjectStore.openOrCreate(folder);
  try {
    corridor = await corridorWithQa(store);
    const color = join(dir.path, 'second', 'color');
    mkdirSync(color, { recursive: true });
    const jpeg = readFileSync(`${SAMPLES}/sun-corridor/color/corridor.jpg`);
    writeFileSync(join(color, 'kitchen_1.jpg'), Buffer.concat([jpeg, Buffer.from('second')]));
    writeFileSync(join(color, 'broken.jpg'), Buffer.from('not a jpeg'));
    writeFileSync(join(color, 'notes.txt'), 'not an image');
    await importBatch(store, { folder: color });
  } finally {
    store.close();
  }
  // A reviewer's edits and decisions, through the desktop's own commands.
  const engine = await createEngine({ transport: 'http', projectFolders: [folder] });
  try {
    const projectId = engine.projects.list()[0]!.id;
    const ok = async (method: string, input: Record<string, unknown>) => {
      const res = await engine.dispatch(method, { projectId, ...input });
      if (!res.ok) throw new Error(`${method}: ${res.error.code}: ${res.error.message}`);
      return res.result as any;
    };
    await ok('objects.create', {
      imageId: corridor,
      box: [10, 10, 60, 60],
      label: 'Vase',
      reviewer: 'ana',
    });
    const queue = await ok('qa.queue', { imageId: corridor, offset: 0, limit: 50 });
    qaIds = queue.items.map((q: any) => q.id);
    expect(qaIds.length).toBeGreaterThan(2);
    await ok('reviews.record', { qaId: qaIds[0], decision: 'approve', reviewer: 'ana' });
    await ok('reviews.record', {
      qaId: qaIds[1],
      decision: 'reject',
      reason: 'wrong object',
      reviewer: 'bo',
    });
    await ok('reviews.record', { qaId: qaIds[1], decision: 'approve', reviewer: 'ana' });
  } finally {
    await engine.close();
  }
}

describe.skipIf(postgres.skipReason)(
  'the catalog on a desktop project and its PostgreSQL copy',
  () => {
    beforeAll(async () => {
      dir = tempDir('sqw-team-catalog-');
      folder = join(dir.path, 'desktop');
      await build();
      const url = await postgres.cluster().createDatabase();
      const blobs = join(dir.path, 'shared-blobs');
      await copyProject(folder, url, { blobs });
      team = await createTeamEngine({ database: url, blobs });
      desktop = await createEngine({ transport: 'http', projectFolders: [folder] });
      desktopId = desktop.projects.list()[0]!.id;
    }, 60_000);
    afterAll(async () => {
      await team?.close();
      await desktop?.close();
      dir?.remove();
    });

    it('answers batches.list and batches.issues as the desktop', async () => {
      const batches = await both('batches.list');
      expect(batches).toHaveLength(2);
      for (const b of batches) await both('batches.issues', { batchId: b.id });
      expect((await both('batches.issues', { batchId: batches[1].id })).length).toBeGreaterThan(0);
      expect((await both('batches.issues', { batchId: 999 })).code).toBe('not-found');
    });

    it('answers images.list, images.counts, images.filterOptions and images.get as the desktop', async () => {
      const batches = await both('batches.list');
      const all = await both('images.list', { offset: 0, limit: 100 });
      images = all.items.map((i: any) => i.id);
      expect(images.length).toBe(2);
      const filters: Array<Record<string, unknown>> = [
        {},
        { batchId: batches[0].id },
        { batchId: batches[1].id },
        { status: 'needs-review' },
        { status: 'pending' },
        { search: 'kitchen_' },
        { search: '_%' },
        { label: 'Vase' },
        { label: 'cabinet' },
        { ambiguous: true },
        { ambiguous: false },
        { qaFamily: (await both('images.filterOptions')).families[0] },
        { changedAfterEdit: true },
        { changedAfterEdit: false },
        { reviewer: 'ana' },
        { reviewer: 'nobody' },
      ];
      for (const f of filters) {
        const list = await both('images.list', { ...f, offset: 0, limit: 100 });
        await both('images.list', { ...f, offset: 1, limit: 1 });
        const { status, ...rest } = f;
        const counts = await both('images.counts', rest);
        expect(status === undefined ? counts.total : counts.byStatus[status as string]).toBe(
          list.total,
        );
      }
      expect((await both('images.list', { reviewer: 'ana', offset: 0, limit: 10 })).items).toEqual([
        expect.objectContaining({ id: corridor }),
      ]);
      const options = await both('images.filterOptions');
      expect(options.labels).toContain('Vase');
      expect(options.reviewers).toEqual(['ana', 'bo']);
      for (const b of batches) await both('images.filterOptions', { batchId: b.id });
      for (const imageId of images) await both('images.get', { imageId });
      expect((await both('images.get', { imageId: 99_999 })).code).toBe('not-found');
    });

    it('answers objects.list and labels.vocabulary as the desktop', async () => {
      for (const imageId of [...images, 99_999]) await both('objects.list', { imageId });
      expect((await both('objects.list', { imageId: corridor })).length).toBeGreaterThan(2);
      const vocabulary = await both('labels.vocabulary');
      expect(vocabulary).toContainEqual({ label: 'Vase', count: 1 });
    });

    it('answers pipeline.imageStages and qa.list as the desktop', async () => {
      for (const imageId of [...images, 99_999]) {
        await both('pipeline.imageStages', { imageId });
        await both('qa.list', { imageId });
      }
      const stages = await both('pipeline.imageStages', { imageId: corridor });
      expect(stages.map((s: any) => [s.stage, s.status])).toEqual([
        ['graph', 'done'],
        ['qa', 'done'],
      ]);
      expect(stages[0].provenance).not.toBeNull();
      expect((await both('pipeline.imageStages', { imageId: 99_999 })).code).toBe('not-found');
      const qa = await both('qa.list', { imageId: corridor });
      // Every phrasing, with the reviewers' decisions and the machine values.
      expect(qa.length).toBeGreaterThan(qaIds.length);
      expect(qa.find((q: any) => q.id === qaIds[0]).status).toBe('approved');
      expect(qa.some((q: any) => q.subjects.length > 0 && q.value !== null)).toBe(true);
    });

    it('answers audit.list and reviews.list as the desktop', async () => {
      const entries = await both('audit.list', { limit: 100 });
      expect(entries.length).toBeGreaterThanOrEqual(4);
      await both('audit.list', { limit: 2 });
      await both('audit.list', { beforeId: entries[1].id, limit: 100 });
      for (const imageId of [...images, 99_999]) await both('audit.list', { imageId, limit: 100 });
      expect((await both('audit.list', { imageId: corridor, limit: 100 })).length).toBeGreaterThan(
        0,
      );
      for (const qaId of qaIds) await both('reviews.list', { qaId });
      expect((await both('reviews.list', { qaId: qaIds[1] })).map((r: any) => r.decision)).toEqual([
        'reject',
        'approve',
      ]);
    });
  },
);
