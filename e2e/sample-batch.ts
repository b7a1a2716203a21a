// The demo batch's SUN RGB-D corridor (colour, sensor depth, hand-labelled COCO boxes) and the UI
// steps that import it and run the pipeline, shared by the specs that start from a processed image.
import { writeFileSync } from 'node:fs';
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

/**
 * [label, x, y, w, h] on corridor.jpg (640x480): the sample's door, cabinet and partition plus seven
 * more things in the frame, one label each (no name is ambiguous). The 10-object review case.
 */
export const CORRIDOR_TEN_BOXES: [string, number, number, number, number][] = [
  ['door', 12, 0, 96, 458],
  ['cabinet', 368, 88, 135, 324],
  ['partition', 505, 0, 135, 480],
  ['painting', 208, 97, 22, 165],
  ['exit sign', 273, 86, 25, 16],
  ['ceiling light', 263, 67, 48, 14],
  ['carpet', 100, 300, 400, 180],
  ['counter', 245, 210, 66, 32],
  ['shelf', 460, 90, 46, 190],
  ['sign', 121, 88, 14, 45],
];

/** Writes the ten boxes as a COCO file in `dir` and returns its path. */
export function writeCorridorTenCoco(dir: string): string {
  const labels = CORRIDOR_TEN_BOXES.map((b) => b[0]);
  const coco = {
    images: [{ id: 1, file_name: 'corridor.jpg', width: 640, height: 480 }],
    categories: labels.map((name, i) => ({ id: i + 1, name })),
    annotations: CORRIDOR_TEN_BOXES.map(([, x, y, w, h], i) => ({
      id: i + 1,
      image_id: 1,
      category_id: i + 1,
      bbox: [x, y, w, h],
    })),
  };
  const path = join(dir, 'corridor-10.coco.json');
  writeFileSync(path, JSON.stringify(coco));
  return path;
}
