// Screenshots of the review screens of issue 16 for docs/REVIEW-SCREENS.md, on a real frame: the
// SUN RGB-D corridor with sensor depth and ten hand-placed objects, plus a second box over the
// cabinet (one thing detected twice) so an ambiguous name shows. A tiny SlimSAM (the test model
// whose clicks add discs) is installed after the run, so click-to-refine and an installed model
// show. Opt-in (SQW_SCREENSHOTS=1): it rewrites docs/screenshots/screen-*.png.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { installTinySlimSam } from '../engine/pipeline/testing/tiny-models';
import { expect, REPO_ROOT, test } from './fixtures';
import { COLOR, CORRIDOR_TEN_BOXES, DEPTH } from './sample-batch';

test.skip(!process.env.SQW_SCREENSHOTS, 'set SQW_SCREENSHOTS=1 to rewrite docs/screenshots');

const SHOTS = join(REPO_ROOT, 'docs/screenshots');
let modelsDir = '';
const before = process.env.SQW_MODELS_DIR;
test.beforeAll(() => {
  modelsDir = mkdtempSync(join(tmpdir(), 'sqw-screens-models-'));
  process.env.SQW_MODELS_DIR = modelsDir;
});
test.afterAll(() => {
  if (before === undefined) delete process.env.SQW_MODELS_DIR;
  else process.env.SQW_MODELS_DIR = before;
  rmSync(modelsDir, { recursive: true, force: true });
});

/** The ten boxes and a twin of the cabinet, as COCO. */
function cocoWithTwin(dir: string): string {
  const boxes = [...CORRIDOR_TEN_BOXES, ['cabinet', 370, 90, 130, 320] as const];
  const labels = [...new Set(boxes.map((b) => b[0]))];
  const coco = {
    images: [{ id: 1, file_name: 'corridor.jpg', width: 640, height: 480 }],
    categories: labels.map((name, i) => ({ id: i + 1, name })),
    annotations: boxes.map(([label, x, y, w, h], i) => ({
      id: i + 1,
      image_id: 1,
      category_id: labels.indexOf(label) + 1,
      bbox: [x, y, w, h],
    })),
  };
  const path = join(dir, 'corridor-screens.coco.json');
  writeFileSync(path, JSON.stringify(coco));
  return path;
}

const rowOf = (card: Locator) => card.locator('xpath=..');

/** The first card matching `selector`, asking the list for more rows until one is there. */
async function findCard(page: Page, selector: string): Promise<Locator> {
  const cards = page.locator(selector);
  const more = page.getByTestId('qa-more');
  while ((await cards.count()) === 0 && (await more.count()) > 0) await more.click();
  await expect(cards.first()).toBeVisible();
  return cards.first();
}

async function select(card: Locator): Promise<void> {
  await card.page().getByTestId('side-tab-qa').click();
  if ((await card.getAttribute('aria-pressed')) !== 'true') await card.click();
  await expect(card).toHaveAttribute('aria-pressed', 'true');
}

test('review screens on the 10-object corridor', async ({ page, server, problems }) => {
  test.setTimeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'sqw-screens-'));
  try {
    await page.goto(server.url);
    await page.getByTestId('import-folder').fill(COLOR);
    await page.getByTestId('import-depth-folder').fill(DEPTH);
    await page.getByTestId('import-depth-encoding').selectOption('sun');
    await page.getByTestId('import-annotations').fill(cocoWithTwin(dir));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
      timeout: 90_000,
    });
    await page.getByTestId('pipeline-start').click();
    await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 300_000 });
    installTinySlimSam(modelsDir);

    const openImage = async () => {
      await page.getByTestId('nav-batches').click();
      await page.getByTestId('image-tile').first().click();
      await expect(page.getByTestId('image-page')).toHaveAttribute('data-review-loaded', 'true');
      await expect(page.getByTestId('image-stage')).toHaveAttribute('data-overlays-ready', 'true', {
        timeout: 30_000,
      });
    };
    await openImage();
    const idOf = async (label: string) =>
      Number(
        await page
          .locator(`[data-testid="object-item"][data-label="${label}"]`)
          .first()
          .getAttribute('data-object-id'),
      );
    const door = await idOf('door');
    const cabinets = (
      await page
        .locator('[data-testid="object-item"][data-label="cabinet"]')
        .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.objectId)))
    ).sort((a, b) => a - b);
    expect(cabinets).toHaveLength(2);
    const viewer = page.getByTestId('viewer3d');
    await expect(viewer).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });

    // 1. A fact card with its evidence: a left/right fact about two objects with unique names.
    await page.getByTestId('side-tab-qa').click();
    const more = page.getByTestId('qa-more');
    while ((await more.count()) > 0) await more.click();
    const subjects = await page
      .locator('[data-testid="qa-item"][data-family="left_right"]')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.subjects ?? ''));
    const pair = subjects.find(
      (s) => s.includes(',') && s.split(',').every((id) => !cabinets.includes(Number(id))),
    );
    expect(pair, 'a left/right fact without the cabinets').toBeTruthy();
    const lr = page
      .locator(`[data-testid="qa-item"][data-family="left_right"][data-subjects="${pair}"]`)
      .first();
    await select(lr);
    await expect(page.getByTestId('qa-evidence').getByTestId('evidence-azimuth')).toHaveCount(2);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'screen-fact-card-evidence.png') });

    // 2. A card blocked by an ambiguous name, with the reason on it.
    const blockedCard = await findCard(
      page,
      `[data-testid="qa-item"][data-subjects="${cabinets[0]}"][data-status="proposed"]`,
    );
    await select(blockedCard);
    await expect(rowOf(blockedCard).getByTestId('qa-blocked')).toContainText('no unique name');
    await rowOf(blockedCard).getByTestId('qa-blocked').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'screen-ambiguity-blocked.png') });

    // 3. The actions on the twin: pick the referent, attribute, merge, split, exclude.
    await page.getByTestId('side-tab-objects').click();
    await page.locator(`[data-testid="object-item"][data-object-id="${cabinets[1]}"]`).click();
    await expect(page.getByTestId('referent-tools')).toHaveAttribute(
      'data-object-id',
      String(cabinets[1]),
    );
    await page.getByTestId('referent-tools').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'screen-ambiguity-actions.png') });

    // 4. The 3D view: labels on the boxes, each object in its 2D colour, fitted.
    await page.getByTestId('viewer3d-color-mode').selectOption('object');
    await page.getByTestId('viewer3d-fit').click();
    await viewer.scrollIntoViewIfNeeded();
    await page.waitForTimeout(800);
    await viewer.screenshot({ path: join(SHOTS, 'screen-viewer3d-labels.png') });

    // 5. Mask editing: click-to-refine on the door with the installed SlimSAM, the proposal shown.
    await page.locator(`[data-testid="object-item"][data-object-id="${door}"]`).click();
    await page.getByTestId('mask-edit-start').click();
    await page.getByTestId('mask-tool-refine').click();
    await expect(page.getByTestId('mask-refine')).toContainText('Model: slimsam-77-uniform');
    const stage = page.getByTestId('image-stage');
    const srect = (await stage.boundingBox())!;
    const view = JSON.parse((await stage.getAttribute('data-view'))!) as {
      scale: number;
      x: number;
      y: number;
    };
    await page.mouse.click(
      srect.x + view.x + 140 * view.scale,
      srect.y + view.y + 240 * view.scale,
    );
    await expect(page.getByTestId('mask-refine')).toContainText('Proposal:', { timeout: 60_000 });
    await page.getByTestId('mask-editor').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'screen-mask-refine.png') });
    await page.getByTestId('mask-edit-done').click();

    // 6. The whole-batch queue: region tokens as coloured chips, answers as labels.
    await page.getByTestId('side-tab-qa').click();
    await page.getByTestId('scope-batch').click();
    await expect(page.getByTestId('batch-queue-item').first()).toBeVisible();
    await expect(page.getByTestId('batch-queue')).not.toContainText('<region');
    await page.screenshot({ path: join(SHOTS, 'screen-batch-queue-chips.png') });

    // 7. Models: the installed SlimSAM and the get-models step for photos.
    await page.getByTestId('nav-models').click();
    await expect(page.getByTestId('photo-models')).toBeVisible();
    await expect(
      page.locator('[data-testid="model-row"][data-model-id="slimsam-77-uniform"]'),
    ).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'screen-models.png'), fullPage: true });

    // 8. The export dialog.
    await page.getByTestId('nav-export').click();
    await page.getByTestId('open-export').click();
    await expect(page.getByTestId('export-dialog')).toBeVisible();
    await page
      .getByTestId('export-dialog')
      .screenshot({ path: join(SHOTS, 'screen-export-dialog.png') });
    await problems.expectNone();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
