// The model-free pipeline on the real demo frames: import with depth and hand-labelled boxes,
// build scene graphs, generate QA, re-run without losing decisions, export.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { importCocoFile } from '../annotations/coco-import';
import { exportProject } from '../export/export';
import { safeJoin } from '../export/safe-output';
import { importBatch } from '../import/index';
import { runJob, tempFolder } from './testing/run-job';
import { parseStages } from './run';
import { imageIdOf, layer } from '../test/layer';

const SAMPLES = resolve(import.meta.dirname, '../../samples/demo-batch');
const INTRINSICS = { fx: 525, fy: 525, cx: 319.5, cy: 239.5 };

let dir: ReturnType<typeof tempFolder>;
let store: ProjectStore;

beforeAll(async () => {
  dir = tempFolder();
  store = ProjectStore.openOrCreate(join(dir.path, 'p'));
  await importBatch(store, {
    folder: `${SAMPLES}/redwood-livingroom/color`,
    depthFolder: `${SAMPLES}/redwood-livingroom/depth`,
    depthEncoding: 'mm',
    intrinsics: INTRINSICS,
  });
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: INTRINSICS,
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
});
afterAll(() => {
  store.close();
  dir.remove();
});

const corridorId = async () => imageIdOf(store, 'corridor.jpg');
/** QA the default export includes (approved or edited), once decided. */
let exportedByDefault = 0;

describe('pipeline without models', () => {
  it('builds graphs for images with depth and boxes, and says why the others were skipped', async () => {
    const { summary, job } = await runJob(store, {
      stages: parseStages('detect,segment,lift,graph,qa'),
    });
    expect(job.status).toBe('done');
    expect(summary.notices).toEqual([
      expect.stringMatching(/^stage detect: no detection model installed/),
      expect.stringMatching(/^stage segment: no segmentation model installed.*depth clusters/),
    ]);
    // The UI shows these words: no command-line flags or commands in them.
    for (const text of [...summary.notices, ...Object.keys(summary.stages.graph!.skipped)])
      expect(text).not.toMatch(/--|\bsqw /);
    expect(summary.images).toBe(4);
    expect(summary.stages.detect!.skipped).toEqual({
      'imported boxes present': 2,
      'no model installed': 2,
    });
    expect(summary.stages.graph).toMatchObject({ done: 2, failed: [] });
    expect(summary.stages.graph!.skipped).toEqual({
      'no objects: import boxes (a COCO annotations file) or run detection': 2,
    });
    expect(summary.stages.qa!.done).toBe(2);
    // The jobs table's live per-stage counts agree with the summary: one record per image and
    // stage (segment skipped for lack of objects was counted by the model loop and again by the
    // geometry pass).
    for (const st of job.progress!.stages) {
      const want = summary.stages[st.stage as keyof typeof summary.stages]!;
      const skipped = Object.values(want.skipped).reduce((a, b) => a + b, 0);
      expect([st.stage, st.done, st.skipped]).toEqual([st.stage, want.done, skipped]);
      expect(st.done + st.skipped + st.failed).toBe(4);
    }

    const graph = (await layer(store).scene.graph(await corridorId()))!.graph as SceneGraph;
    expect(graph.frame).toMatchObject({ aligned: true, gravitySource: 'floor-plane' });
    // SUN RGB-D corridor, camera held at chest height; a door is about 2 m tall.
    expect(graph.frame.cameraHeight!).toBeGreaterThan(0.9);
    expect(graph.frame.cameraHeight!).toBeLessThan(1.6);
    const door = graph.nodes.find((n) => n.label === 'door')!;
    expect(door.extent.height).toBeGreaterThan(1.7);
    expect(door.extent.height).toBeLessThan(2.3);
    expect(door.maskProvenance).toBe('depth-cluster');
    const objects = await layer(store).scene.objectsWithMasks(await corridorId());
    expect(objects.every((o) => o.maskProvenance === 'depth-cluster' && o.maskRle)).toBe(true);
    expect(
      (await layer(store).browse.stageRuns(await corridorId())).map((r) => [r.stage, r.status]),
    ).toEqual([
      ['detect', 'skipped'],
      ['graph', 'done'],
      ['lift', 'done'],
      ['qa', 'done'],
      ['segment', 'done'],
    ]);
    expect((await layer(store).catalog.image(await corridorId()))!.status).toBe('needs-review');
  });

  it('re-running keeps review decisions on QA whose facts did not change', async () => {
    const qa = await layer(store).scene.qaPairs(await corridorId());
    expect(qa.length).toBeGreaterThan(20);
    // Two facts (the image's first two cards); a decision covers every phrasing of its fact.
    const [first, second] = await layer(store).browse.qaForImage(await corridorId());
    await layer(store).review.decideFact({
      qaId: first!.id,
      decision: 'approve',
      reason: null,
      editedAnswer: null,
      reviewer: 'ana',
    });
    await layer(store).review.decideFact({
      qaId: second!.id,
      decision: 'edit',
      reason: null,
      editedAnswer: 'About two meters.',
      reviewer: 'ana',
    });
    const decided = await layer(store).scene.qaPairs(await corridorId());
    const { summary: again } = await runJob(store, { stages: ['graph', 'qa'] });
    expect(again.stages.qa!.done).toBe(2);
    const after = await layer(store).scene.qaPairs(await corridorId());
    expect(after.map((q) => q.id)).toEqual(qa.map((q) => q.id));
    expect(after.find((q) => q.id === first!.id)!.status).toBe('approved');
    expect(after.find((q) => q.id === second!.id)).toMatchObject({
      status: 'edited',
      answer: 'About two meters.',
    });
    // Every phrasing keeps what the two decisions made of it.
    expect(after.map((q) => [q.id, q.status, q.answer])).toEqual(
      decided.map((q) => [q.id, q.status, q.answer]),
    );
    exportedByDefault = after.filter(
      (q) => q.status === 'approved' || q.status === 'edited',
    ).length;
    const { summary: pending } = await runJob(store, {
      stages: ['graph', 'qa'],
      onlyPending: true,
    });
    // The two images without boxes stay pending (boxes may come later); the others are finished.
    expect(pending.images).toBe(2);
    expect(pending.stages.graph!.done).toBe(0);
  });

  it('exports scene graphs and QA into a fresh folder and refuses to overwrite without force', async () => {
    const sgDir = join(dir.path, 'out-sg');
    const sg = await exportProject(store, {
      format: 'scenegraph',
      outDir: sgDir,
      force: false,
      include: [],
    });
    expect(sg).toMatchObject({ images: 2, records: 2 });
    // Per-image records, beside the export's manifest and checksum list.
    const files = readdirSync(sgDir)
      .filter((f) => f !== 'MANIFEST.sha256' && f !== 'sqw-export.json')
      .sort();
    expect(files).toHaveLength(2);
    const record = JSON.parse(
      readFileSync(
        join(
          sgDir,
          files.find((f) => f.includes('corridor'))!,
        ),
        'utf8',
      ),
    );
    expect(record).toMatchObject({
      image: 'corridor.jpg',
      width: 640,
      height: 480,
      frame: { aligned: true },
    });
    expect(record.objects.map((o: { label: string }) => o.label).sort()).toEqual([
      'cabinet',
      'door',
      'partition',
    ]);
    expect(record.relations.length).toBeGreaterThan(10);

    const qaDir = join(dir.path, 'out-qa');
    const approved = await exportProject(store, {
      format: 'qa-jsonl',
      outDir: qaDir,
      force: false,
      include: [],
    });
    // The decided phrasings only: the approved fact's and the edited one.
    expect(approved.records).toBe(exportedByDefault);
    const lines = readFileSync(join(qaDir, 'qa.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.status === 'edited')).toHaveLength(1);
    expect(lines.filter((l) => l.status === 'approved')).toHaveLength(exportedByDefault - 1);
    expect(lines.find((l) => l.status === 'edited').answer).toBe('About two meters.');

    await expect(
      exportProject(store, { format: 'qa-jsonl', outDir: qaDir, force: false, include: [] }),
    ).rejects.toThrow(/not empty.*choose to replace it/);
    const all = await exportProject(store, {
      format: 'qa-jsonl',
      outDir: qaDir,
      force: true,
      include: ['proposed'],
    });
    expect(all.records).toBeGreaterThan(approved.records);
    expect(
      readdirSync(dir.path).filter((f) => f.includes('partial') || f.includes('.old-')),
    ).toEqual([]);
    // Newest first.
    expect((await layer(store).exports.exports()).map((e) => e.format)).toEqual([
      'qa-jsonl',
      'qa-jsonl',
      'scenegraph',
    ]);
  });

  it('never writes outside the export folder', () => {
    const root = join(dir.path, 'x');
    mkdirSync(root);
    for (const bad of ['../evil.json', '/etc/passwd', 'a/../../b', 'ok\0.json']) {
      expect(() => safeJoin(root, bad), bad).toThrow(/outside the export folder/);
    }
    expect(safeJoin(root, 'a/b.json')).toBe(join(root, 'a/b.json'));
    writeFileSync(join(root, 'f'), 'x');
    expect(existsSync(join(dir.path, 'evil.json'))).toBe(false);
  });
});
