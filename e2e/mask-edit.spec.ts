// Mask editing end to end (issue 16 case 5), through the headless server and the UI only: on the
// Redwood living-room frame the chair's box-derived mask takes in the wall and sofa behind it (the
// chair measures about a metre deep). The reviewer erases them with the eraser, sees the scene
// graph re-derived (the chair's depth falls), paints with the brush and adds a polygon (the mask
// grows), undoes back, and finds click-to-refine disabled with its reason when no segmentation
// model is installed (or enabled when one is). Any console error or CSP violation fails the test.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';

const SAMPLES = join(REPO_ROOT, 'samples/demo-batch');

async function rpc<T>(page: Page, base: string, token: string, method: string, input: unknown) {
  const res = await page.request.post(`${base}/api/rpc`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { method, input },
  });
  const body = (await res.json()) as { ok: boolean; result: T };
  expect(body.ok, `${method} answered`).toBe(true);
  return body.result;
}

/** The chair's depth (D) as the scene panel shows it, in metres. */
async function chairDepth(page: Page): Promise<number> {
  const text = await page
    .locator('[data-testid="scene-node"][data-label="chair"]')
    .getByTestId('scene-node-depth')
    .textContent();
  return parseFloat(text ?? 'NaN');
}

test('erase, paint and polygon edits on a real frame re-derive the chair; undo restores', async ({
  page,
  server,
}) => {
  test.setTimeout(240_000);
  const base = new URL(server.url).origin;
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
  await page.locator('[data-testid="image-tile"]', { hasText: '00000.jpg' }).click();
  const stage = page.getByTestId('image-stage');
  await expect(stage).toHaveAttribute('data-overlays-ready', 'true', { timeout: 30_000 });
  await page.getByTestId('side-tab-scene').click();
  await expect(page.locator('[data-testid="scene-node"][data-label="chair"]')).toBeVisible();
  const derivedDepth = await chairDepth(page);
  expect(derivedDepth).toBeGreaterThan(0.9); // the wall behind the chair counted as chair

  // Select the chair and edit its mask.
  await page.getByTestId('side-tab-objects').click();
  await page.locator('[data-testid="object-item"][data-label="chair"]').click();
  const editor = page.getByTestId('mask-editor');
  await expect(editor).toContainText('depth-cluster');
  await page.getByTestId('mask-edit-start').click();
  await expect(stage).toHaveAttribute('data-tool', 'select');
  const pixelsOf = async () => Number(await editor.getAttribute('data-mask-pixels'));
  await expect.poll(pixelsOf).toBeGreaterThan(50_000);
  const derivedPixels = await pixelsOf();

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
  // The image must stay where it was under the pointer while the edits re-derive the image (a
  // status banner above the canvas once pushed it down and back mid-polygon).
  const stayed = async () => {
    expect(await stage.boundingBox(), 'the canvas did not move').toEqual(srect);
    expect(JSON.parse((await stage.getAttribute('data-view'))!), 'nor its view').toEqual(view);
  };
  const drag = async (from: [number, number], to: [number, number]) => {
    await stayed();
    const a = at(...from);
    const b = at(...to);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 12 });
    await page.mouse.up();
    await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  };

  // Eraser, 60 px wide: the wall above the seat (image rows 105–230) and the sofa below it.
  await page.getByTestId('mask-tool-eraser').click();
  await page.getByTestId('mask-brush-size').fill('30');
  for (const y of [120, 165, 205]) await drag([330, y], [615, y]);
  await drag([330, 330], [615, 330]);
  await expect(editor).toContainText('(human)');
  // Re-derived: the chair is now the seat and legs, far shallower.
  await expect.poll(() => chairDepth(page), { timeout: 30_000 }).toBeLessThan(derivedDepth - 0.3);
  const erasedPixels = await pixelsOf();
  expect(erasedPixels).toBeLessThan(derivedPixels * 0.6);
  const erasedDepth = await chairDepth(page);
  await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/mask-edit-eraser.png') });

  // Brush: paint a stroke back on; the mask grows by it.
  await page.getByTestId('mask-tool-brush').click();
  await page.getByTestId('mask-brush-size').fill('6');
  await drag([420, 165], [560, 165]);
  await expect.poll(pixelsOf).toBeGreaterThan(erasedPixels);

  // Polygon: four clicks and a click on the first point add a patch of the erased wall back.
  const beforePolygon = await pixelsOf();
  await page.getByTestId('mask-tool-polygon').click();
  for (const [x, y] of [
    [440, 115],
    [520, 115],
    [520, 145],
    [440, 145],
    [440, 115],
  ] as Array<[number, number]>) {
    await stayed();
    const p = at(x, y);
    await page.mouse.click(p.x, p.y);
  }
  await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  await expect.poll(pixelsOf).toBeGreaterThan(beforePolygon);

  // Each stroke or polygon was one command; six undos step back to the derived mask.
  const audit = await rpc<Array<{ command: string }>>(page, base, server.token, 'audit.list', {
    projectId: (await rpc<Array<{ id: string }>>(page, base, server.token, 'projects.list', {}))[0]!
      .id,
    limit: 10,
  });
  expect(audit.slice(0, 6).map((e) => e.command)).toEqual([
    'object.mask-polygon',
    'object.mask-brush',
    'object.mask-eraser',
    'object.mask-eraser',
    'object.mask-eraser',
    'object.mask-eraser',
  ]);
  for (let i = 0; i < 6; i++) {
    await page.getByTestId('undo').click();
    await expect(editor).toHaveAttribute('data-mask-busy', 'false');
  }
  await expect(editor).toContainText('depth-cluster');
  await expect.poll(pixelsOf).toBe(derivedPixels);
  await expect.poll(() => chairDepth(page), { timeout: 30_000 }).toBeCloseTo(derivedDepth, 2);
  expect(erasedDepth).toBeLessThan(derivedDepth);

  // Click-to-refine follows what is installed.
  const projectId = (
    await rpc<Array<{ id: string }>>(page, base, server.token, 'projects.list', {})
  )[0]!.id;
  const seg = await rpc<{ available: boolean; reason: string | null }>(
    page,
    base,
    server.token,
    'objects.segmenter',
    { projectId },
  );
  if (seg.available) await expect(page.getByTestId('mask-tool-refine')).toBeEnabled();
  else {
    await expect(page.getByTestId('mask-tool-refine')).toBeDisabled();
    await expect(page.getByTestId('mask-refine-reason')).toContainText(
      'no segmentation model is installed',
    );
  }
});
