// End to end through the real headless server: import the Redwood demo batch with sensor depth via
// the UI, open an image, toggle the depth overlay and check it is really drawn; and a bad import
// shows a readable error. Any console error or CSP violation fails the test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';

// SQW_E2E_COLOR / SQW_E2E_DEPTH point the test at another batch (3 images with mm depth).
const COLOR =
  process.env.SQW_E2E_COLOR ?? join(REPO_ROOT, 'samples/demo-batch/redwood-livingroom/color');
const DEPTH =
  process.env.SQW_E2E_DEPTH ?? join(REPO_ROOT, 'samples/demo-batch/redwood-livingroom/depth');
const SCREENSHOT = join(REPO_ROOT, 'test-results/image-view-depth.png');

interface StagePixels {
  /** 24x24 grid of mean RGB of everything the stage shows (all layers composited). */
  grid: number[];
  /** Share of the depth layer's canvas pixels that are not transparent. */
  depthLayerOpaque: number;
  layers: number;
}

/** Reads what the Konva stage draws: its layer canvases, composited in DOM (= layer) order. */
async function stagePixels(page: Page): Promise<StagePixels> {
  return page.evaluate(() => {
    const canvases = [
      ...document.querySelectorAll<HTMLCanvasElement>('[data-testid="image-stage"] canvas'),
    ];
    const first = canvases[0];
    if (!first) throw new Error('no stage canvas');
    const w = first.width;
    const h = first.height;
    const out = document.createElement('canvas');
    out.width = w;
    out.height = h;
    const ctx = out.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2d context');
    for (const c of canvases) ctx.drawImage(c, 0, 0);
    const data = ctx.getImageData(0, 0, w, h).data;
    const N = 24;
    const grid: number[] = [];
    for (let gy = 0; gy < N; gy++) {
      for (let gx = 0; gx < N; gx++) {
        let r = 0;
        let g = 0;
        let b = 0;
        let n = 0;
        const x0 = Math.floor((gx * w) / N);
        const x1 = Math.floor(((gx + 1) * w) / N);
        const y0 = Math.floor((gy * h) / N);
        const y1 = Math.floor(((gy + 1) * h) / N);
        for (let y = y0; y < y1; y += 2) {
          for (let x = x0; x < x1; x += 2) {
            const i = (y * w + x) * 4;
            r += data[i]!;
            g += data[i + 1]!;
            b += data[i + 2]!;
            n++;
          }
        }
        grid.push(r / Math.max(1, n), g / Math.max(1, n), b / Math.max(1, n));
      }
    }
    let opaque = 0;
    const depthCanvas = canvases[1];
    if (depthCanvas) {
      const d = depthCanvas
        .getContext('2d', { willReadFrequently: true })
        ?.getImageData(0, 0, depthCanvas.width, depthCanvas.height).data;
      if (d) {
        let count = 0;
        for (let i = 3; i < d.length; i += 16) {
          count++;
          if (d[i]! > 0) opaque++;
        }
        opaque /= Math.max(1, count);
      }
    }
    return { grid, depthLayerOpaque: opaque, layers: canvases.length };
  });
}

function meanAbsDiff(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / Math.max(1, a.length);
}

/** Two animation frames: Konva redraws layers in requestAnimationFrame batches. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

test('imports a batch with depth through the UI and shows the depth overlay', async ({
  page,
  server,
  problems,
}) => {
  // The demo batch ships with the repo: missing files are a failure, not a reason to skip.
  expect(existsSync(COLOR) && existsSync(DEPTH), `demo batch missing under ${COLOR}`).toBe(true);

  await page.goto(server.url);
  // The token leaves the visible URL at once.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByRole('heading', { name: 'Import images' })).toBeVisible();

  await page.getByTestId('import-folder').fill(COLOR);
  await page.getByTestId('import-depth-folder').fill(DEPTH);
  await page.getByTestId('import-depth-encoding').selectOption('mm');
  await page.getByTestId('import-intrinsics-toggle').click();
  await page.getByTestId('import-fx').fill('525');
  await page.getByTestId('import-fy').fill('525');
  await page.getByTestId('import-cx').fill('319.5');
  await page.getByTestId('import-cy').fill('239.5');
  await page.getByTestId('import-start').click();

  const progress = page.getByTestId('import-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('import-progress-count')).toHaveText('3 / 3');
  await expect(page.getByTestId('import-result-imported')).toHaveText('3');
  await expect(page.getByTestId('import-error')).toHaveCount(0);

  await expect(page.getByTestId('batch-row')).toHaveCount(1);
  await expect(page.getByTestId('batch-row').first()).toContainText(COLOR.replace(/[/\\]+$/, ''));
  await expect(page.getByTestId('image-total')).toHaveText('3 images');
  const tiles = page.getByTestId('image-tile');
  await expect(tiles).toHaveCount(3);
  // Thumbnails really load.
  await expect
    .poll(() =>
      tiles
        .locator('img')
        .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length),
    )
    .toBe(3);

  // The issues list opens and renders text (the demo batch may have none).
  await page.getByTestId('batch-issues-toggle').first().click();
  await expect(page.getByTestId('batch-row').first()).toContainText(
    /No issues|skipped|failed|warning/,
  );

  await page.screenshot({ path: join(REPO_ROOT, 'test-results/batches-after-import.png') });

  // A reload keeps working: the token moved from the URL into session storage.
  await page.reload();
  await expect(page.getByTestId('startup-error')).toHaveCount(0);
  await expect(page.getByTestId('image-tile')).toHaveCount(3);

  await tiles.first().click();
  const stage = page.getByTestId('image-stage');
  await expect(stage).toHaveAttribute('data-image-loaded', 'true');
  await expect(page.getByTestId('image-position')).toHaveText('1 / 3');
  await settle(page);
  const off = await stagePixels(page);
  expect(off.layers).toBeGreaterThanOrEqual(2);

  // Toggle the overlay with the keyboard shortcut (its switch and slider are on the Objects tab).
  await page.getByTestId('side-tab-objects').click();
  await page.keyboard.press('d');
  await expect(page.getByTestId('depth-toggle')).toBeChecked();
  await expect(stage).toHaveAttribute('data-depth-layer-loaded', 'true');
  await expect(stage).toHaveAttribute('data-depth-visible', 'true');
  await settle(page);
  const on = await stagePixels(page);
  expect(on.depthLayerOpaque, 'depth layer draws pixels').toBeGreaterThan(0.05);
  expect(meanAbsDiff(off.grid, on.grid), 'overlay changes what the stage shows').toBeGreaterThan(8);

  // Opacity slider changes the drawing too.
  await page.getByTestId('depth-opacity').fill('1');
  await settle(page);
  const full = await stagePixels(page);
  expect(meanAbsDiff(on.grid, full.grid)).toBeGreaterThan(1);
  await page.getByTestId('depth-opacity').fill('0.6');

  await expect(page.getByTestId('depth-legend')).toContainText(/\d\.\d\d m/);

  // Metadata (Scene tab): the given intrinsics and the depth statistics.
  await page.getByTestId('side-tab-scene').click();
  await expect(page.getByTestId('meta-fx')).toHaveText('525');
  await expect(page.getByTestId('meta-fy')).toHaveText('525');
  await expect(page.getByTestId('meta-cx')).toHaveText('319.5');
  await expect(page.getByTestId('meta-intrinsics')).toBeVisible();
  await expect(page.getByTestId('meta-depth-encoding')).toHaveText('mm');
  await expect(page.getByTestId('meta-depth-valid')).toHaveText(/^\d{1,3}\.\d%$/);

  await settle(page);
  await page.screenshot({ path: SCREENSHOT });

  // Toggle off again: back to the plain image.
  await page.keyboard.press('d');
  await expect(page.getByTestId('depth-toggle')).not.toBeChecked();
  await expect(stage).toHaveAttribute('data-depth-visible', 'false');
  await settle(page);
  expect(meanAbsDiff(off.grid, (await stagePixels(page)).grid)).toBeLessThan(2);
  // The switch in the side panel toggles it as well.
  await page.getByTestId('side-tab-objects').click();
  const depthSwitch = page.locator('label.switch', { has: page.getByTestId('depth-toggle') });
  await depthSwitch.click();
  await expect(stage).toHaveAttribute('data-depth-visible', 'true');
  await depthSwitch.click();
  await expect(stage).toHaveAttribute('data-depth-visible', 'false');

  // Next image with `j`, wheel zoom changes the scale.
  await page.keyboard.press('j');
  await expect(page.getByTestId('image-position')).toHaveText('2 / 3');
  await expect(stage).toHaveAttribute('data-image-loaded', 'true');
  const scaleBefore = Number(await stage.getAttribute('data-scale'));
  const box = await stage.boundingBox();
  if (!box) throw new Error('stage has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await expect
    .poll(async () => Number(await stage.getAttribute('data-scale')))
    .toBeGreaterThan(scaleBefore * 1.2);

  await problems.expectNone();
});

test('a bad import shows a clear error', async ({ page, server, problems }) => {
  const missing = join(server.projectDir, 'no-such-folder');
  await page.goto(server.url);
  await page.getByTestId('import-folder').fill(missing);
  await page.getByTestId('import-start').click();
  const error = page.getByTestId('import-error');
  await expect(error).toBeVisible({ timeout: 30_000 });
  await expect(error).toContainText(missing);
  await expect(error).toContainText(/not found|does not exist|no such/i);
  await expect(page.getByTestId('import-start')).toBeEnabled();
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/import-error.png') });
  // Nothing was imported.
  await expect(page.getByTestId('image-tile')).toHaveCount(0);
  await problems.expectNone();
});

test('without the token the UI says how to get in', async ({ page, server, problems }) => {
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await expect(page.getByTestId('startup-error')).toContainText('sqw serve');
  await problems.expectNone();
});
