// The model stages in team workers equal the desktop's: the same batch (colour only: no sensor
// depth, no boxes) goes through the desktop job on SQLite and through workers on PostgreSQL with
// the real Grounding DINO, SAM and Depth Anything adapters on generated models (CPU). Detection,
// model masks, model depth (the same PNG bytes in the shared blob folder), the graph and QA built
// on them, and the stage records with their provenance are equal, object ids and QA ids included,
// whatever order and however many workers take the images: detected objects take their ids from
// blocks reserved as the run is queued (db/store/object-id-blocks.ts). The colour images come from the shared folder,
// where `sqw project copy` put them; a project copied without them fails its model stages with
// the reason instead of skipping them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../db/copy/project-copy';
import { usePostgresCluster } from '../../db/postgres/test-hooks';
import { ImageQueue } from '../../db/queue/image-queue';
import { openPostgresProject, openSqliteProject } from '../../db/store/connect';
import { CatalogStore } from '../../db/store/catalog-store';
import { DETECTED_OBJECTS_PER_IMAGE, reserveObjectIdBlocks } from '../../db/store/object-id-blocks';
import { SceneStore } from '../../db/store/scene-store';
import { qaFactsByKey } from '../../db/store/testing/project-rows';
import { ALL_STAGES } from '../pipeline/stages';
import { TINY_DEPTH_MODEL } from '../pipeline/testing/tiny-models';
import { tempDir } from '../test/helpers';
import { FolderBlobStore, sourceBlobKey } from './blob-store';
import { shareTeamSources } from './share-sources';
import { byRank, qaAgainstGraph } from './testing/results-by-rank';
import { desktopRun, storedResults } from './testing/team-fixture';
import { colourOnlyProject, installWorkerModels, WORKER_LABELS } from './testing/worker-models';
import { runWorker } from './worker';

const postgres = usePostgresCluster();
const LABELS = WORKER_LABELS;
const IMAGES = 3;

type Results = Awaited<ReturnType<typeof storedResults>>;

describe.skipIf(postgres.skipReason)('the model stages in team workers', () => {
  let dir: ReturnType<typeof tempDir>;
  let models: string;
  let folder: string;
  let desktop: Results;
  let desktopFacts: unknown[];
  const teams: Array<{ url: string; blobs: string }> = [];

  beforeAll(async () => {
    dir = tempDir();
    models = mkdtempSync(join(tmpdir(), 'sqw-models-'));
    // SAM's mask is the box: the detected objects get model masks.
    installWorkerModels(models);
    folder = await colourOnlyProject(dir.path, IMAGES);
    // Copies before the desktop run: every side starts from the same imported project.
    for (let i = 0; i < 3; i++) {
      const url = await postgres.cluster().createDatabase();
      const blobs = join(dir.path, `blobs-${i}`);
      const report = await copyProject(folder, url, { blobs });
      expect(report.sources).toEqual({ shared: IMAGES, missing: [] });
      teams.push({ url, blobs });
    }
    const run = await desktopRun(folder, {
      stages: [...ALL_STAGES],
      labels: LABELS,
      env: { modelsDir: models },
    });
    expect(run.status).toBe('done');
    desktop = run.results;
    const sqlite = openSqliteProject(folder);
    try {
      desktopFacts = await qaFactsByKey(sqlite.db);
    } finally {
      await sqlite.close();
    }
  }, 30_000);
  afterAll(() => {
    dir?.remove();
    if (models) rmSync(models, { recursive: true, force: true });
  });

  /** The team project's image ids, in import order. */
  async function imageIds(url: string): Promise<number[]> {
    const project = await openPostgresProject(url, 1);
    try {
      return await new CatalogStore(project.db).imageIds();
    } finally {
      await project.close();
    }
  }

  /**
   * Queues `ids` as one run's jobs (`oneByOne`: each in its own statement, so the queue hands them
   * out in this order: pg-boss takes the oldest first), then runs `workers` workers until the
   * queue is empty. Returns the jobs they did.
   */
  async function work(
    team: { url: string; blobs: string },
    ids: number[],
    o: { workers: number; batchSize: number; oneByOne?: boolean; runId?: string },
  ): Promise<number> {
    const queue = await ImageQueue.open(team.url, { supervise: false });
    const project = await openPostgresProject(team.url, 1);
    try {
      // One run queued in parts: its object-id blocks reserved once, in image order, as `sqw run`
      // reserves them for the images it queues in one call.
      const blocks = o.oneByOne ? await reserveObjectIdBlocks(project.db, ids) : undefined;
      for (const part of o.oneByOne ? ids.map((id) => [id]) : [ids])
        await queue.enqueue(o.runId ?? 'run-1', part, [...ALL_STAGES], '1', LABELS, blocks);
    } finally {
      await project.close();
      await queue.close();
    }
    const blobs = new FolderBlobStore(team.blobs);
    const reports = await Promise.all(
      Array.from({ length: o.workers }, () =>
        runWorker({
          url: team.url,
          blobs,
          batchSize: o.batchSize,
          exitWhenIdle: true,
          poolSize: 2,
          device: 'cpu',
          modelsDir: models,
        }),
      ),
    );
    expect(reports.reduce((n, r) => n + r.failed, 0)).toBe(0);
    return reports.reduce((n, r) => n + r.jobs, 0);
  }

  async function results(url: string): Promise<Results> {
    const project = await openPostgresProject(url, 1);
    try {
      return await storedResults(project);
    } finally {
      await project.close();
    }
  }

  it('stores what the desktop run stores, model depth files included', async () => {
    // One worker, one image at a time, in the desktop's order: the detected objects get the
    // desktop's ids, so the graphs and QA ids can be compared as they are.
    const ids = await imageIds(teams[0]!.url);
    expect(await work(teams[0]!, ids, { workers: 1, batchSize: 1, oneByOne: true })).toBe(IMAGES);
    const team = await results(teams[0]!.url);
    // Not a vacuous comparison: every image got model depth, two detected objects and QA.
    for (const image of team) {
      expect(JSON.parse(image.depth[2]!)).toMatchObject({ source: 'model', width: 96 });
      expect(image.objects.map((o) => [o[1], o[4], o[6]])).toEqual([
        ['chair', 'model', 'model'],
        ['table', 'model', 'model'],
      ]);
      expect(image.qa.length).toBeGreaterThan(0);
      expect(image.stages).toContainEqual([
        'depth',
        'done',
        null,
        expect.objectContaining({ model: TINY_DEPTH_MODEL, provider: 'cpu' }),
      ]);
      expect(image.stages).toContainEqual([
        'detect',
        'done',
        null,
        expect.objectContaining({ model: 'grounding-dino-tiny', objects: 2 }),
      ]);
      expect(image.stages).toContainEqual([
        'segment',
        'done',
        null,
        expect.objectContaining({ model: 'sam-vit-b', masks: 2 }),
      ]);
    }
    expect(team).toEqual(desktop);
    // The depth maps and previews the workers wrote are the desktop's, byte for byte.
    for (const image of team) {
      for (const path of [image.depth[0]!, image.depth[1]!]) {
        const key = path.replace(/^blobs\//, '');
        expect(readFileSync(join(teams[0]!.blobs, key))).toEqual(readFileSync(join(folder, path)));
      }
    }
  }, 30_000);

  it('two workers in parallel store the same; an image whose colour image is not shared fails with the reason until it is', async () => {
    const ids = await imageIds(teams[1]!.url);
    // As for a project copied before `sqw project copy` shared colour images (or whose source
    // was unreadable then): the last image's is not in the shared folder.
    const project = await openPostgresProject(teams[1]!.url, 1);
    try {
      const last = (await new CatalogStore(project.db).image(ids.at(-1)!))!;
      rmSync(join(teams[1]!.blobs, sourceBlobKey(last)));
      expect(await work(teams[1]!, ids, { workers: 2, batchSize: 2 })).toBe(IMAGES);
      const team = await results(teams[1]!.url);
      // Each image's objects take its block: image k's start at 1 + k × the block size.
      expect(team.slice(0, -1).map((i) => i.objects.map((o) => o[0]))).toEqual(
        [0, 1].map((k) => [1, 2].map((i) => k * DETECTED_OBJECTS_PER_IMAGE + i)),
      );
      expect(team.slice(0, -1)).toEqual(desktop.slice(0, -1));
      const qa = await qaAgainstGraph(project, teams[1]!.blobs, ids.slice(0, -1));
      expect(qa.stored.every((q) => q.length > 0)).toBe(true);
      expect(qa.derived).toEqual(qa.stored);

      const failed = team.at(-1)!;
      expect(failed.status).toBe('failed');
      expect(failed.objects).toEqual([]);
      const detect = failed.stages.find((s) => s[0] === 'detect')!;
      expect(detect[1]).toBe('failed');
      expect(detect[2]).toMatch(
        /^grounding-dino-tiny: its colour image is not in the shared blob folder \(sources\/[0-9a-f]{64}\.png\): the project was copied to PostgreSQL before/,
      );
      expect(failed.stages.find((s) => s[0] === 'depth')!.slice(0, 3)).toEqual([
        'depth',
        'skipped',
        'detect failed',
      ]);
      // What `sqw run` lists under the stage's counts: the failed images with the reason.
      expect(await new SceneStore(project.db).runFailures('run-1', 'detect', 5)).toEqual([
        { image: failed.image, reason: detect[2] },
      ]);

      // `sqw project share-sources` puts it there from its source path; a new run then detects,
      // in a block after the first run's (so its ids are not the desktop's: compared by rank).
      expect(await shareTeamSources(teams[1]!.url, teams[1]!.blobs)).toEqual({
        shared: IMAGES,
        missing: [],
      });
      expect(
        await work(teams[1]!, [ids.at(-1)!], { workers: 1, batchSize: 1, runId: 'run-2' }),
      ).toBe(1);
      const again = await results(teams[1]!.url);
      expect(again.slice(-1).map(byRank)).toEqual(desktop.slice(-1).map(byRank));
      const shared = await qaAgainstGraph(project, teams[1]!.blobs, ids.slice(-1));
      expect(shared.stored[0]!.length).toBeGreaterThan(0);
      expect(shared.derived).toEqual(shared.stored);
    } finally {
      await project.close();
    }
  }, 30_000);

  it('two workers taking the images in reverse order store the desktop ids: objects, QA and facts', async () => {
    const ids = await imageIds(teams[2]!.url);
    // Queued one by one from the last image, each worker taking one at a time: the images are
    // detected in the reverse of the desktop's order, on two workers.
    const reversed = [...ids].reverse();
    expect(await work(teams[2]!, reversed, { workers: 2, batchSize: 1, oneByOne: true })).toBe(
      IMAGES,
    );
    const team = await results(teams[2]!.url);
    expect(team.every((i) => i.objects.length === 2 && i.qa.length > 0)).toBe(true);
    // Every stored result, ids included: object ids, graphs (which name them), QA ids and texts.
    expect(team).toEqual(desktop);
    // The facts' ids and the phrasings drawn for them too.
    const project = await openPostgresProject(teams[2]!.url, 1);
    try {
      const facts = await qaFactsByKey(project.db);
      expect(facts.length).toBeGreaterThan(0);
      expect(facts).toEqual(desktopFacts);
    } finally {
      await project.close();
    }
  }, 30_000);
});
