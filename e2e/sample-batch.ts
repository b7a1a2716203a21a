// The demo batch's SUN RGB-D corridor (colour, sensor depth, hand-labelled COCO boxes) and the UI
// steps that import it and run the pipeline, shared by the specs that start from a processed image.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT } from './fixtures';

export const COLOR = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/color');
export const DEPTH = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/depth');
export const COCO = join(REPO_ROOT, 'samples/demo-batch/annotations.coco.json');

/** Opens the app, imports the corridor with its depth and boxes, and runs the default stages. */
export async function importAndRun(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('import-folder').fill(COLOR);
  await page.getByTestId('import-depth-folder').fill(DEPTH);
  await page.getByTestId('import-depth-encoding').selectOption('sun');
  await page.getByTestId('import-annotations').fill(COCO);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  await page.getByTestId('pipeline-start').click();
  await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('pipeline-qa-done')).toHaveText('1');
}
