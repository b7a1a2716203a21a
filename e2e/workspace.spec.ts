// The workspace's top-level sections (issue 16, case 8): Batches, Review queue, Jobs, Models and
// Export & Evaluation each have a page and a link in the top bar; the image page's side panel is in
// tabs (QA review / Objects / Scene), so the QA review is at the top, not ~3,900 px down. And a local
// model export can be imported from the Models page (case 9: it was CLI-only): a bad path says why,
// a good one installs the model. Screenshots of the new pages go to docs/screenshots/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFile } from '../native-models/testing/fixtures';
import { depthAnythingMetricModel } from '../native-models/testing/test-models';
import { expect, REPO_ROOT, test } from './fixtures';
import { importAndRun } from './sample-batch';

const SHOTS = join(REPO_ROOT, 'docs/screenshots');

// The server reads $SQW_MODELS_DIR when it starts (per test): a temporary models folder, never the
// user's.
let modelsDir = '';
const before = process.env.SQW_MODELS_DIR;
test.beforeAll(() => {
  modelsDir = mkdtempSync(join(tmpdir(), 'sqw-e2e-models-'));
  process.env.SQW_MODELS_DIR = modelsDir;
});
test.afterAll(() => {
  if (before === undefined) delete process.env.SQW_MODELS_DIR;
  else process.env.SQW_MODELS_DIR = before;
  rmSync(modelsDir, { recursive: true, force: true });
});

test('each workspace section is a page, and the image side panel is in tabs', async ({
  page,
  server,
  problems,
}) => {
  test.setTimeout(240_000);
  await importAndRun(page, server.url);
  const nav = page.getByTestId('section-nav');
  await expect(nav.getByRole('link')).toHaveText([
    'Batches',
    'Review queue',
    'Jobs',
    'Models',
    'Export & Evaluation',
  ]);
  await expect(page.getByTestId('nav-batches')).toHaveAttribute('aria-current', 'page');
  // The batches page holds only the import, the batches and the grid now.
  await expect(page.getByTestId('jobs-panel')).toHaveCount(0);
  await expect(page.getByTestId('eval-panel')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'workspace-batches.png') });

  await page.getByTestId('nav-review').click();
  await expect(page).toHaveURL(/#\/review$/);
  await expect(page.getByTestId('nav-review')).toHaveAttribute('aria-current', 'page');
  const queue = page.getByTestId('batch-queue-item');
  await expect.poll(() => queue.count()).toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, 'workspace-review-queue.png') });

  await page.getByTestId('nav-jobs').click();
  await expect(page.getByTestId('jobs-panel').getByTestId('job-row')).toHaveCount(2);
  await page.screenshot({ path: join(SHOTS, 'workspace-jobs.png') });

  // Export & Evaluation: the results table gets the page's width, not a 330-px column.
  await page.getByTestId('nav-export').click();
  await expect(page.getByTestId('open-export')).toBeEnabled();
  const evalPanel = page.getByTestId('eval-panel');
  expect((await evalPanel.boundingBox())!.width).toBeGreaterThan(900);
  await page.screenshot({ path: join(SHOTS, 'workspace-export-eval.png') });

  // A queue item opens its image with the QA tab in front and the item selected.
  await page.getByTestId('nav-review').click();
  const first = queue.first();
  const qaId = await first.getAttribute('data-qa-id');
  await first.click();
  const view = page.getByTestId('image-page');
  await expect(view).toHaveAttribute('data-review-loaded', 'true');
  await expect(page.getByTestId('nav-batches')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('side-tab-qa')).toHaveAttribute('aria-selected', 'true');
  const selected = page.locator(`[data-testid="qa-item"][data-qa-id="${qaId}"]`);
  await expect(selected).toHaveAttribute('aria-pressed', 'true');
  // The QA review starts near the top of the side panel, under the selected object's naming and
  // mask cards and the tab bar (it began ~940 px down, below the depth controls, the objects and
  // the label tools).
  const top = await page.evaluate(() => {
    const panel = document.querySelector('.side-panel')!.getBoundingClientRect();
    const qa = document.querySelector('[data-testid="qa-section"]')!.getBoundingClientRect();
    return qa.top - panel.top;
  });
  expect(top).toBeLessThan(350);
  await expect(page.getByTestId('viewer3d')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  await page.screenshot({ path: join(SHOTS, 'image-side-tabs-qa.png') });

  // Objects and Scene tabs; `o` (next object) and `l` (relabel) bring the Objects tab forward.
  await page.getByTestId('side-tab-scene').click();
  await expect(page.getByTestId('scene-section')).toBeVisible();
  await expect(page.getByTestId('qa-section')).toBeHidden();
  await page.screenshot({ path: join(SHOTS, 'image-side-tabs-scene.png') });
  await page.keyboard.press('o');
  await expect(page.getByTestId('side-tab-objects')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('objects-panel')).toBeVisible();
  await page.keyboard.press('l');
  await expect(page.getByTestId('relabel-input')).toBeFocused();
  await page.keyboard.press('Escape');
  await page.screenshot({ path: join(SHOTS, 'image-side-tabs-objects.png') });
  // `n` brings the QA review back.
  await page.keyboard.press('n');
  await expect(page.getByTestId('side-tab-qa')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('qa-section')).toBeVisible();
  await problems.expectNone();
});

test('a local model export is imported from the Models page', async ({
  page,
  server,
  problems,
}) => {
  const id = 'depth-anything-v2-metric-indoor-small';
  const src = mkdtempSync(join(tmpdir(), 'sqw-e2e-export-'));
  try {
    writeFile(join(src, 'onnx', 'model.onnx'), depthAnythingMetricModel());
    writeFile(join(src, 'preprocessor_config.json'), '{}');
    await page.goto(server.url);
    await page.getByTestId('nav-models').click();
    const row = page.locator(`[data-testid="model-row"][data-model-id="${id}"]`);
    await expect(row).toHaveAttribute('data-installed', 'false');
    const form = page.getByTestId('model-import');
    await form.getByTestId('model-import-id').selectOption(id);

    // An empty path is refused in the form; a folder that does not exist by the engine, with why.
    await form.getByTestId('model-import-start').click();
    await expect(form.getByTestId('model-import-error')).toContainText('Give the folder');
    await form.getByTestId('model-import-path').fill(join(src, 'missing'));
    await form.getByTestId('model-import-start').click();
    await expect(form.getByTestId('model-import-error')).toContainText('does not exist');
    await expect(row).toHaveAttribute('data-installed', 'false');

    await form.getByTestId('model-import-path').fill(src);
    await form.getByTestId('model-import-start').click();
    await expect(form.getByTestId('model-import-result')).toContainText('2 files copied');
    await expect(form.getByTestId('model-import-error')).toHaveCount(0);
    await expect(row).toHaveAttribute('data-installed', 'true');
    await expect(row).not.toContainText('Not installed');
    await page.screenshot({ path: join(SHOTS, 'workspace-models-import.png'), fullPage: true });
    await problems.expectNone();
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});
