// Click-to-refine in the UI (issue 16 case 5) with a segmentation model installed: the tiny SlimSAM
// whose decoder honours clicks (native-models/testing/adapter-models: its mask is the object's box,
// plus a disc of radius 80 px in the 1024 frame — 50 px here — around each positive click, minus one
// around each negative click). It is installed while the app runs, after the pipeline (which would
// otherwise segment every object with it). On the Redwood frame the reviewer clicks beside the
// chair's box, then Shift+clicks inside it: each proposal must be the mask the model gives for that
// box and those clicks (also run here, outside the app), in image pixels where the model says;
// Apply stores it as one undoable 'object.mask-refine', and the chair's scene-graph node and its
// relations are re-derived from it (and restored by undo).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { EditableObject, MaskRle, PromptPoint } from '../contract/review';
import type { SceneGraphView, SceneRelation } from '../contract/entities';
import { createSlimSam } from '../native-models/adapters/slimsam';
import { findManifest } from '../native-models/catalogue';
import { SessionPool } from '../native-models/session-pool';
import { ModelStore } from '../native-models/store';
import { solidImage } from '../native-models/testing/fixtures';
import { decodeRle } from '../spatial/geometry/mask-rle';
import { installTinySlimSam } from '../engine/pipeline/testing/tiny-models';
import { expect, REPO_ROOT, test } from './fixtures';

const SAMPLES = join(REPO_ROOT, 'samples/demo-batch');
const SLIMSAM = 'slimsam-77-uniform';

// The server reads $SQW_MODELS_DIR when it starts: a temporary models folder, empty at first.
let modelsDir = '';
const before = process.env.SQW_MODELS_DIR;
const pool = new SessionPool();
test.beforeAll(() => {
  modelsDir = mkdtempSync(join(tmpdir(), 'sqw-e2e-refine-models-'));
  process.env.SQW_MODELS_DIR = modelsDir;
});
test.afterAll(async () => {
  await pool.release();
  if (before === undefined) delete process.env.SQW_MODELS_DIR;
  else process.env.SQW_MODELS_DIR = before;
  rmSync(modelsDir, { recursive: true, force: true });
});

/**
 * The model's own mask for a box and clicks on a 640 × 480 image, run here, outside the app. This
 * decoder ignores the image embeddings, so the image's pixels do not matter, only its size.
 */
async function modelMask(box: number[], points: PromptPoint[]): Promise<Uint8Array> {
  const slim = createSlimSam({
    manifest: findManifest(SLIMSAM),
    store: new ModelStore(modelsDir),
    pool,
    device: 'cpu',
  });
  const out = await slim.run(solidImage(640, 480, [128, 128, 128]), {
    boxes: [box as [number, number, number, number]],
    points,
  });
  return decodeRle(out.masks[0]!.rle).mask;
}

async function rpc<T>(page: Page, base: string, token: string, method: string, input: unknown) {
  const res = await page.request.post(`${base}/api/rpc`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { method, input },
  });
  const body = (await res.json()) as { ok: boolean; result: T; error?: unknown };
  expect(body.ok, `${method} answered: ${JSON.stringify(body.error)}`).toBe(true);
  return body.result;
}

test('click-to-refine with an installed SlimSAM proposes the model mask; Apply re-derives the chair', async ({
  page,
  server,
  problems,
}) => {
  test.setTimeout(240_000);
  const base = new URL(server.url).origin;
  const call = <T>(method: string, input: unknown) =>
    rpc<T>(page, base, server.token, method, input);
  await page.goto(server.url);
  await page.getByTestId('import-folder').fill(join(SAMPLES, 'redwood-livingroom/color'));
  await page.getByTestId('import-depth-folder').fill(join(SAMPLES, 'redwood-livingroom/depth'));
  await page.getByTestId('import-depth-encoding').selectOption('mm');
  await page.getByTestId('import-annotations').fill(join(SAMPLES, 'annotations.coco.json'));
  await page.getByTestId('import-intrinsics-toggle').click();
  await page.getByTestId('import-fx').fill('525');
  await page.getByTestId('import-fy').fill('525');
  await page.getByTestId('import-cx').fill('319.5');
  await page.getByTestId('import-cy').fill('239.5');
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  await page.getByTestId('pipeline-start').click();
  await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 90_000 });

  const projectId = (await call<Array<{ id: string }>>('projects.list', {}))[0]!.id;
  const imageId = (
    await call<{ items: Array<{ id: number; name?: string; relPath?: string }> }>('images.list', {
      projectId,
    })
  ).items[0]!.id;
  const review = () =>
    call<{ objects: EditableObject[]; geometryPending: boolean }>('reviews.image', {
      projectId,
      imageId,
    });
  const chair = async () => (await review()).objects.find((o) => o.label === 'chair')!;
  const chairNode = async () =>
    (await call<SceneGraphView>('scene.get', { projectId, imageId })).nodes.find(
      (n) => n.label === 'chair',
    )!;
  const relations = async (ids: number[]) =>
    call<SceneRelation[]>('scene.relations', { projectId, imageId, objectIds: ids });

  const derived = await chair();
  expect(derived.maskProvenance).toBe('depth-cluster');
  expect(derived.box).toEqual([335, 105, 612, 375]);
  const curtain = (await review()).objects.find((o) => o.label === 'curtain')!;
  const derivedNode = await chairNode();
  const derivedRelations = await relations([derived.id, curtain.id]);
  expect(derivedRelations.length).toBeGreaterThan(0);

  installTinySlimSam(modelsDir);

  await page.locator('[data-testid="image-tile"]', { hasText: '00000.jpg' }).click();
  const stage = page.getByTestId('image-stage');
  await expect(stage).toHaveAttribute('data-overlays-ready', 'true', { timeout: 30_000 });
  await page.getByTestId('side-tab-objects').click();
  await page.locator('[data-testid="object-item"][data-label="chair"]').click();
  const editor = page.getByTestId('mask-editor');
  await page.getByTestId('mask-edit-start').click();
  const refineTool = page.getByTestId('mask-tool-refine');
  await expect(refineTool).toBeEnabled();
  await refineTool.click();
  await expect(page.getByTestId('mask-refine')).toContainText(`Model: ${SLIMSAM}`);
  await expect(page.getByTestId('mask-refine-apply')).toBeDisabled(); // nothing proposed yet

  const srect = (await stage.boundingBox())!;
  const view = JSON.parse((await stage.getAttribute('data-view'))!) as {
    scale: number;
    x: number;
    y: number;
  };
  const at = (x: number, y: number) => ({
    x: srect.x + view.x + x * view.scale,
    y: srect.y + view.y + y * view.scale,
  });
  const pixelsOf = async () => Number(await editor.getAttribute('data-mask-pixels'));
  // The clicks exactly as the app sent them (image pixels, sub-pixel: the model's disc edge moves
  // with them by a pixel or two).
  const sent: PromptPoint[][] = [];
  page.on('request', (req) => {
    if (req.method() !== 'POST' || !req.url().endsWith('/api/rpc')) return;
    const body = req.postDataJSON() as { method?: string; input?: { points: PromptPoint[] } };
    if (body.method === 'objects.refineMask') sent.push(body.input!.points);
  });
  const lastClicks = (near: PromptPoint[]) => {
    const got = sent.at(-1)!;
    expect(got).toHaveLength(near.length);
    got.forEach((g, i) => {
      expect(g.positive).toBe(near[i]!.positive);
      expect(Math.abs(g.x - near[i]!.x)).toBeLessThan(1);
      expect(Math.abs(g.y - near[i]!.y)).toBeLessThan(1);
    });
    return got;
  };

  // 1. A click 35 px left of the box: the model adds a 50-px disc around it to the box.
  const outside = { x: 300, y: 240, positive: true };
  let p = at(outside.x, outside.y);
  await page.mouse.click(p.x, p.y);
  await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  const first = await modelMask(derived.box, lastClicks([outside]));
  const firstArea = first.reduce((s, v) => s + v, 0);
  await expect.poll(pixelsOf).toBe(firstArea);
  await expect(page.getByTestId('mask-refine')).toContainText(`Proposal: ${firstArea} px`);
  const px = (m: Uint8Array, x: number, y: number) => m[y * 640 + x];
  // Where the imitation model puts it: the click's disc (radius 50) beside the box, the whole box.
  expect(px(first, 300, 240)).toBe(1);
  expect(px(first, 258, 240)).toBe(1);
  expect(px(first, 242, 240)).toBe(0);
  expect(px(first, 300, 182)).toBe(0);
  expect(px(first, 470, 140)).toBe(1);
  expect(px(first, 620, 240)).toBe(0);
  // Nothing is stored until Apply.
  expect((await chair()).maskProvenance).toBe('depth-cluster');

  // 2. Shift+click inside the box: the model cuts a disc there; both clicks go to the model.
  const inside = { x: 470, y: 300, positive: false };
  p = at(inside.x, inside.y);
  await page.keyboard.down('Shift');
  await page.mouse.click(p.x, p.y);
  await page.keyboard.up('Shift');
  await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  const second = await modelMask(derived.box, lastClicks([outside, inside]));
  const secondArea = second.reduce((s, v) => s + v, 0);
  expect(secondArea).toBeLessThan(firstArea);
  await expect.poll(pixelsOf).toBe(secondArea);
  expect(px(second, 470, 300)).toBe(0);
  expect(px(second, 512, 300)).toBe(0);
  expect(px(second, 528, 300)).toBe(1);
  expect(px(second, 300, 240)).toBe(1);

  // Apply: the proposal is the chair's mask, bit for bit, as one undoable command.
  await page.getByTestId('mask-refine-apply').click();
  await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  await expect(editor).toContainText('(human)');
  const applied = await chair();
  expect(applied.maskProvenance).toBe('human');
  expect(decodeRle(applied.mask as MaskRle).mask).toEqual(second);
  const audit = await call<Array<{ command: string }>>('audit.list', { projectId, limit: 1 });
  expect(audit[0]!.command).toBe('object.mask-refine');

  // Re-derived: the chair's node is lifted from the new mask (the whole box and the disc beside it,
  // with the wall behind the seat), and its relations to the curtain follow.
  await expect.poll(async () => (await review()).geometryPending, { timeout: 30_000 }).toBe(false);
  await expect
    .poll(async () => (await chairNode()).numPoints, { timeout: 30_000 })
    .not.toBe(derivedNode.numPoints);
  const refinedNode = await chairNode();
  expect(refinedNode.numPoints).toBeLessThanOrEqual(secondArea);
  expect(refinedNode.centroid).not.toEqual(derivedNode.centroid);
  const refinedRelations = await relations([derived.id, curtain.id]);
  expect(refinedRelations).not.toEqual(derivedRelations);
  await page.getByTestId('side-tab-scene').click();
  await expect(
    page.locator('[data-testid="scene-node"][data-label="chair"]').getByTestId('scene-node-depth'),
  ).toHaveText(refinedNode.extent.depth.toFixed(2));

  // Undo puts back the derived mask, node and relations.
  await page.getByTestId('undo').click();
  await expect.poll(async () => (await chair()).maskProvenance).toBe('depth-cluster');
  await expect
    .poll(async () => (await chairNode()).numPoints, { timeout: 30_000 })
    .toBe(derivedNode.numPoints);
  expect(await relations([derived.id, curtain.id])).toEqual(derivedRelations);
  await problems.expectNone();
});
