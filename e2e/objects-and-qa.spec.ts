// End to end through the real headless server and the UI only: import the SUN RGB-D corridor with
// sensor depth and COCO boxes, run the pipeline, then check the image view's objects layer, scene
// graph section and QA list (selecting a pair highlights exactly its subjects). Any console error
// or CSP violation fails the test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';

const COLOR = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/color');
const DEPTH = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/depth');
const COCO = join(REPO_ROOT, 'samples/demo-batch/annotations.coco.json');
const SCREENSHOT = join(REPO_ROOT, 'test-results/image-view-objects-qa.png');

/** Share of the objects layer's canvas pixels (3rd stage canvas) that are not transparent. */
async function objectsLayerCoverage(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvases = [
      ...document.querySelectorAll<HTMLCanvasElement>('[data-testid="image-stage"] canvas'),
    ];
    const c = canvases[2];
    if (!c) throw new Error(`expected 3 stage canvases, found ${canvases.length}`);
    const d = c
      .getContext('2d', { willReadFrequently: true })
      ?.getImageData(0, 0, c.width, c.height).data;
    if (!d) throw new Error('no 2d context');
    let opaque = 0;
    let count = 0;
    for (let i = 3; i < d.length; i += 4 * 3) {
      count++;
      if (d[i]! > 0) opaque++;
    }
    return opaque / Math.max(1, count);
  });
}

/** Two animation frames: Konva redraws layers in requestAnimationFrame batches. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

test('imports COCO boxes, runs the pipeline and reviews objects, scene and QA', async ({
  page,
  server,
  problems,
}) => {
  expect(
    [COLOR, DEPTH, COCO].every((p) => existsSync(p)),
    `demo data missing under ${join(REPO_ROOT, 'samples/demo-batch')}`,
  ).toBe(true);

  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Import images' })).toBeVisible();

  // Import with depth and annotations.
  await page.getByTestId('import-folder').fill(COLOR);
  await page.getByTestId('import-depth-folder').fill(DEPTH);
  await page.getByTestId('import-depth-encoding').selectOption('sun');
  await page.getByTestId('import-annotations').fill(COCO);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('import-result-imported')).toHaveText('1');
  await expect(page.getByTestId('import-annotations-added')).toHaveText('3');
  await expect(page.getByTestId('import-annotations-matched')).toHaveText('1');
  // The COCO file also names the Redwood frame, which is not in this project: reported as text.
  await expect(page.getByTestId('import-annotations-result')).toContainText('00000.jpg');
  await expect(page.getByTestId('import-error')).toHaveCount(0);

  // Run the pipeline and wait for its summary.
  await page.getByTestId('pipeline-start').click();
  await expect(page.getByTestId('pipeline-progress')).toBeVisible();
  const summary = page.getByTestId('pipeline-summary');
  await expect(summary).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('pipeline-progress')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('pipeline-graph-done')).toHaveText('1');
  await expect(page.getByTestId('pipeline-qa-done')).toHaveText('1');
  await expect(page.getByTestId('pipeline-error')).toHaveCount(0);
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/batches-after-pipeline.png') });

  // A second run with a model stage and only pending images: the notice says no model is
  // installed, and the finished image is not redone.
  await page.getByTestId('pipeline-options-toggle').click();
  await page.getByTestId('pipeline-stage-detect').check();
  await page.getByTestId('pipeline-only-pending').check();
  await page.getByTestId('pipeline-start').click();
  await expect(page.getByTestId('pipeline-notices')).toContainText(/detect.*no .*model installed/, {
    timeout: 90_000,
  });
  await expect(page.getByTestId('pipeline-graph-done')).toHaveText('0');
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/batches-pipeline-notice.png') });

  // Open the image.
  await page.getByTestId('image-tile').first().click();
  const stage = page.getByTestId('image-stage');
  await expect(stage).toHaveAttribute('data-image-loaded', 'true');

  // Objects layer: three labelled boxes, listed in the side panel too.
  await expect(stage).toHaveAttribute('data-objects-drawn', '3');
  const labels = JSON.parse((await stage.getAttribute('data-object-labels')) ?? '[]') as string[];
  expect([...labels].sort()).toEqual(['cabinet', 'door', 'partition']);
  await page.getByTestId('side-tab-objects').click();
  const objectsPanel = page.getByTestId('objects-panel');
  for (const label of ['door', 'cabinet', 'partition'])
    await expect(objectsPanel.getByText(label, { exact: true })).toBeVisible();
  await settle(page);
  expect(await objectsLayerCoverage(page), 'boxes and captions are drawn').toBeGreaterThan(0.01);

  // `b` hides the boxes (the layer draws nothing), again shows them.
  await page.keyboard.press('b');
  await expect(page.getByTestId('objects-toggle')).not.toBeChecked();
  await expect(stage).toHaveAttribute('data-objects-drawn', '0');
  await settle(page);
  expect(await objectsLayerCoverage(page)).toBe(0);
  await page.keyboard.press('b');
  await expect(page.getByTestId('objects-toggle')).toBeChecked();
  await expect(stage).toHaveAttribute('data-objects-drawn', '3');

  // Scene tab: gravity-aligned frame, a door of plausible height.
  await page.getByTestId('side-tab-scene').click();
  const scene = page.getByTestId('scene-section');
  await expect(scene).toContainText('aligned');
  await expect(page.getByTestId('scene-aligned')).toHaveText('yes');
  await expect(page.getByTestId('scene-camera-height')).toHaveText(/^\d+\.\d\d m$/);
  const door = scene.locator('[data-testid="scene-node"][data-label="door"]');
  await expect(door).toHaveCount(1);
  const doorHeight = Number(await door.getByTestId('scene-node-height').textContent());
  expect(doorHeight).toBeGreaterThan(1.7);
  expect(doorHeight).toBeLessThan(2.3);

  // QA list: many pairs; selecting one highlights exactly its subjects.
  await page.getByTestId('side-tab-qa').click();
  const items = page.getByTestId('qa-item');
  await expect.poll(() => items.count()).toBeGreaterThan(10);
  const first = items.first();
  await first.click();
  await expect(first).toHaveAttribute('aria-pressed', 'true');
  const firstSubjects = await first.getAttribute('data-subjects');
  expect(firstSubjects).toMatch(/^\d+(,\d+)*$/);
  await expect(stage).toHaveAttribute('data-highlighted-ids', firstSubjects!);

  // A pair about one object: only that box is highlighted, the others stay drawn (dimmed).
  const singleIndex = await items.evaluateAll((els) =>
    els.findIndex((e) => !(e.getAttribute('data-subjects') ?? ',').includes(',')),
  );
  expect(singleIndex, 'a pair about one object').toBeGreaterThan(0);
  const one = items.nth(singleIndex);
  await one.click();
  await expect(one).toHaveAttribute('aria-pressed', 'true');
  const oneSubject = await one.getAttribute('data-subjects');
  await expect(stage).toHaveAttribute('data-highlighted-ids', oneSubject!);
  await expect(stage).toHaveAttribute('data-objects-drawn', '3');

  // `n` moves to the next pair and the highlight follows; `p` goes back.
  const selectedIndex = singleIndex;
  await page.keyboard.press('n');
  const next = items.nth(selectedIndex + 1);
  await expect(next).toHaveAttribute('aria-pressed', 'true');
  await expect(stage).toHaveAttribute(
    'data-highlighted-ids',
    (await next.getAttribute('data-subjects'))!,
  );
  await page.keyboard.press('p');
  await expect(items.nth(selectedIndex)).toHaveAttribute('aria-pressed', 'true');

  await settle(page);
  await page.screenshot({ path: SCREENSHOT });

  // The scene tab (for a look at its layout), then back to the QA review.
  await page.getByTestId('side-tab-scene').click();
  await expect(scene).toBeVisible();
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/image-view-scene.png') });
  await page.getByTestId('side-tab-qa').click();

  // Zoomed in, boxes follow the image and captions keep their screen size.
  await page.keyboard.press('Escape');
  await expect(stage).toHaveAttribute('data-highlighted-ids', '');
  const fitScale = Number(await stage.getAttribute('data-scale'));
  for (let i = 0; i < 4; i++) await page.keyboard.press('+');
  // Relative to the fitted scale: the fit depends on the window and side-panel size.
  await expect
    .poll(async () => Number(await stage.getAttribute('data-scale')))
    .toBeGreaterThan(fitScale * 2.4);
  await expect(stage).toHaveAttribute('data-objects-drawn', '3');
  await settle(page);
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/image-view-objects-zoomed.png') });

  await problems.expectNone();
});
