// One suite, two databases: what an export reads pages, filters and orders the same on SQLite and
// PostgreSQL (the page query's SQL differs: SQLite's planner hints, PostgreSQL's JSON and types).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from './catalog-store';
import type { ProjectDb } from './connect';
import { ExportStore, type QaFilter } from './export-store';
import { storeTargets, testImage } from './test-targets';

describe.each(storeTargets())('the export store on $name', (target) => {
  let project: ProjectDb;
  let rows: ExportStore;
  const ids: Record<string, number> = {};
  let images: number[];

  beforeEach(async (ctx) => {
    if (target.skipReason) ctx.skip(target.skipReason);
    project = await target.open();
    rows = new ExportStore(project.db, project.dialect);
    const catalog = new CatalogStore(project.db);
    const batch = await catalog.createBatch({
      sourceFolder: '/data',
      depthFolder: '/depth',
      depthEncoding: 'mm',
      intrinsics: null,
    });
    images = [];
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg'])
      images.push(await catalog.insertImage(testImage(batch, name)));
    const [a, , c] = images as [number, number, number];
    const now = new Date().toISOString();
    // [name, image, family, status, naming, fact, last reviewer ('bo' after 'ann')]
    const qa: Array<[string, number, string, string, string, string, string | null]> = [
      ['a1', a, 'distance', 'approved', 'expression', 'f1', 'ann'],
      ['a2', a, 'distance', 'edited', 'region', 'f1', 'bo'],
      ['a3', a, 'left', 'rejected', 'expression', 'f1', 'bo'],
      ['a4', a, 'left', 'proposed', 'expression', 'f2', null],
      ['c1', c, 'left', 'approved', 'expression', 'f3', 'ann'],
      ['c2', c, 'distance', 'approved', 'expression', 'f4', 'bo'],
    ];
    for (const [name, img, family, status, naming, fact, reviewer] of qa) {
      const row = await project.db
        .insertInto('qa_pairs')
        .values({
          image_id: img,
          family,
          question: `q ${name}`,
          answer: `a ${name}`,
          value_json: name === 'c1' ? null : '1.5',
          status,
          created_at: now,
          record_json: JSON.stringify({ id: name }),
          naming,
          fact_id: fact,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[name] = row.id;
      if (reviewer)
        for (const who of reviewer === 'bo' ? ['ann', 'bo'] : [reviewer])
          await project.db
            .insertInto('review_decisions')
            .values({ qa_id: row.id, decision: 'approve', reviewer: who, created_at: now })
            .execute();
    }
    const stage = (image: number, stage: string, provenance: unknown) => ({
      image_id: image,
      stage,
      status: 'done',
      provenance_json: JSON.stringify(provenance),
      updated_at: now,
    });
    await project.db
      .insertInto('stage_runs')
      .values([
        stage(a, 'depth', { engine: 'onnx', model: 'Zeta', modelVersion: '2' }),
        stage(c, 'depth', { engine: 'onnx', model: 'Zeta', modelVersion: '2' }),
        stage(a, 'detect', { model: 'owl_v2' }),
        stage(c, 'detect', { engine: 'onnx', model: 'owl-v2' }),
        stage(a, 'qa', { engine: 'spatial', seed: '7' }),
      ])
      .execute();
    await project.db
      .insertInto('scene_graphs')
      .values({ image_id: c, graph_json: '{"nodes":[]}', notes_json: '["n"]', created_at: now })
      .execute();
  });
  afterEach(async () => {
    await project?.close();
  });

  const names = (list: Array<{ id: number }>) =>
    list.map((r) => Object.entries(ids).find(([, id]) => id === r.id)![0]);
  async function allPages(f: QaFilter, size: number) {
    const out: Array<{ id: number; imageId: number }> = [];
    let [afterImage, afterId] = [0, Number.MAX_SAFE_INTEGER];
    for (;;) {
      const page = await rows.qaPage(afterImage, afterId, size, f);
      out.push(...page);
      if (page.length < size) return out;
      [afterImage, afterId] = [page.at(-1)!.imageId, page.at(-1)!.id];
    }
  }

  it('pages QA by image then id under every filter, from a cursor past any id', async () => {
    const decided = { statuses: ['approved', 'edited'] };
    expect(names(await allPages(decided, 1))).toEqual(['a1', 'a2', 'c1', 'c2']);
    expect(names(await allPages({ ...decided, naming: 'expression' }, 2))).toEqual([
      'a1',
      'c1',
      'c2',
    ]);
    expect(names(await allPages({ ...decided, families: ['left'] }, 10))).toEqual(['c1']);
    const byBo = { statuses: ['approved', 'edited', 'rejected'], reviewers: ['bo'] };
    expect(names(await allPages(byBo, 10))).toEqual(['a2', 'a3', 'c2']);
    const [a, , c] = images as [number, number, number];
    expect(await rows.qaImageCount(byBo)).toBe(2);
    expect(await rows.qaImageIdBounds(decided)).toEqual([a, c]);
    expect(await rows.qaImageIdBounds({ statuses: ['changed'] })).toBeNull();
    // In pages only the range's end bounds the read; its start is the caller's cursor.
    expect(names(await allPages({ ...decided, imageRange: [a, a] }, 10))).toEqual(['a1', 'a2']);
    const page = await rows.qaPage(c - 1, Number.MAX_SAFE_INTEGER, 10, {
      ...decided,
      imageRange: [c, c],
    });
    expect(names(page)).toEqual(['c1', 'c2']);
    expect(page[0]).toMatchObject({ family: 'left', answer: 'a c1', valueJson: null });
    expect(JSON.parse(page[0]!.recordJson)).toEqual({ id: 'c1' });
  });

  it("reads the same pages from a desktop connection's cached statements", async (ctx) => {
    if (!project.connection) ctx.skip('PostgreSQL: pages run through Kysely only');
    const cached = new ExportStore(project.db, project.dialect, project.connection);
    const [a, , c] = images as [number, number, number];
    for (const f of [
      { statuses: ['approved', 'edited', 'rejected'], reviewers: ['bo'] },
      { statuses: ['approved'], naming: 'expression' as const, families: ['left'] },
    ]) {
      const page = await cached.qaPage(0, Number.MAX_SAFE_INTEGER, 10, f);
      expect(page.length).toBeGreaterThan(0);
      expect(page).toEqual(await rows.qaPage(0, Number.MAX_SAFE_INTEGER, 10, f));
    }
    await project.db
      .insertInto('objects')
      .values({
        image_id: a,
        label: 'chair',
        score: 0.5,
        x0: 1,
        y0: 2,
        x1: 3,
        y1: 4,
        provenance: 'human',
        created_at: new Date().toISOString(),
        mask_rle: '{}',
      })
      .execute();
    for (const masks of [true, false])
      expect(await cached.objectsInRange(a, c, masks)).toEqual(
        await rows.objectsInRange(a, c, masks),
      );
  });

  it('reads images, graphs, QA seeds, superseded phrasings and the dataset card the same way', async () => {
    const [a, b, c] = images as [number, number, number];
    expect((await rows.imagesInRange(a, c)).map((i) => [i.relPath, i.format, i.fx])).toEqual([
      ['a.jpg', 'jpeg', 525],
      ['b.jpg', 'jpeg', 525],
      ['c.jpg', 'jpeg', 525],
    ]);
    expect(await rows.graphImageIds(0, 10)).toEqual([c]);
    expect(await rows.graphs([a, b, c])).toEqual(
      new Map([[c, { graph: { nodes: [] }, notes: ['n'] }]]),
    );
    expect(await rows.qaProvenance([a, c])).toEqual(
      new Map([[a, { engine: 'spatial', seed: '7' }]]),
    );
    expect(await rows.supersededRecords(a)).toEqual(new Map([['f1', [{ id: 'a3' }]]]));
    expect(await rows.supersededRecords(c)).toEqual(new Map());
    expect(Object.entries(await rows.qaStatusCounts())).toEqual([
      ['approved', 3],
      ['edited', 1],
      ['proposed', 1],
      ['rejected', 1],
    ]);
    // SQLite's order whatever the database's collation: NULL first, then by code unit.
    expect(await rows.stageModels()).toEqual([
      { stage: 'depth', engine: 'onnx', model: 'Zeta', version: '2', images: 2 },
      { stage: 'detect', engine: null, model: 'owl_v2', version: null, images: 1 },
      { stage: 'detect', engine: 'onnx', model: 'owl-v2', version: null, images: 1 },
      { stage: 'qa', engine: 'spatial', model: null, version: null, images: 1 },
    ]);
    expect(await rows.batchFolders()).toEqual([
      { id: expect.any(Number), sourceFolder: '/data', depthFolder: '/depth' },
    ]);
  });

  it('counts images with objects and graphs', async () => {
    const [a] = images as [number];
    await project.db
      .insertInto('objects')
      .values({
        image_id: a,
        label: 'chair',
        x0: 1,
        y0: 2,
        x1: 3,
        y1: 4,
        provenance: 'human',
        created_at: new Date().toISOString(),
        mask_rle: '{"size":[1,1],"counts":"1"}',
      })
      .execute();
    expect(await rows.imageCounts()).toEqual({ withObjects: 1, withGraphs: 1 });
    expect(await rows.objectImageIds(0, 10)).toEqual([a]);
    const [withMask] = await rows.objectsInRange(a, a);
    expect(withMask).toMatchObject({ label: 'chair', x0: 1, y1: 4, score: null });
    expect(withMask!.maskRle).toBe('{"size":[1,1],"counts":"1"}');
    expect((await rows.objectsInRange(a, a, false))[0]!.maskRle).toBeNull();
  });
});
