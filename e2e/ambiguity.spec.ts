// Resolving an ambiguous name on a real frame (SUN corridor with sensor depth), through the UI only.
// The COCO file gives the cabinet a second box (one thing detected twice), so the two "cabinet"s
// cannot be told apart: QA about them are blocked from approval with the reason on the card, and
// pressing `a` says so. Resolved each way — exclude the twin, then (after undo) give it an
// attribute — the card's exported expression updates and approval goes through. Screenshots go to
// test-results/ (docs/screenshots keeps a copy of both).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';

const COLOR = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/color');
const DEPTH = join(REPO_ROOT, 'samples/demo-batch/sun-corridor/depth');
const COCO = join(REPO_ROOT, 'samples/demo-batch/annotations.coco.json');

/** The demo COCO file plus a second cabinet box over the corridor's cabinet. */
async function cocoWithTwin(dir: string): Promise<string> {
  const coco = JSON.parse(readFileSync(COCO, 'utf8')) as {
    images: Array<{ id: number; file_name: string }>;
    annotations: Array<{ id: number; image_id: number; category_id: number; bbox: number[] }>;
    categories: Array<{ id: number; name: string }>;
  };
  const image = coco.images.find((i) => i.file_name === 'corridor.jpg')!;
  const cabinet = coco.categories.find((c) => c.name === 'cabinet')!;
  const maxId = Math.max(...coco.annotations.map((a) => a.id));
  coco.annotations.push({
    id: maxId + 1,
    image_id: image.id,
    category_id: cabinet.id,
    bbox: [370, 90, 130, 320],
    ...({ area: 130 * 320, iscrowd: 0 } as object),
  });
  const path = join(dir, 'twin.coco.json');
  await writeFile(path, JSON.stringify(coco));
  return path;
}

/** A proposed metric QA card about `objectId` alone (its facts are its own; the list renders more on demand). */
async function cardAbout(page: Page, objectId: number): Promise<Locator> {
  const cards = page.locator(
    `[data-testid="qa-item"][data-subjects="${objectId}"][data-status="proposed"][data-unit="m"]`,
  );
  const more = page.getByTestId('qa-more');
  while ((await cards.count()) === 0 && (await more.count()) > 0) await more.click();
  // By fact: a re-derivation may make another phrasing of the same fact its card.
  const fact = await cards.first().getAttribute('data-fact-id');
  return page.locator(`[data-testid="qa-item"][data-fact-id="${fact}"]`);
}

const rowOf = (card: Locator) => card.locator('xpath=..');

/** Selects a QA card (clicking a selected one would deselect it), on the side panel's QA tab. */
async function select(card: Locator): Promise<void> {
  await card.page().getByTestId('side-tab-qa').click();
  if ((await card.getAttribute('aria-pressed')) !== 'true') await card.click();
  await expect(card).toHaveAttribute('aria-pressed', 'true');
}

test('an ambiguous name blocks approval until the reviewer excludes or names an object', async ({
  page,
  server,
  problems,
}) => {
  await page.goto(server.url);
  await page.getByTestId('import-folder').fill(COLOR);
  await page.getByTestId('import-depth-folder').fill(DEPTH);
  await page.getByTestId('import-depth-encoding').selectOption('sun');
  await page.getByTestId('import-annotations').fill(await cocoWithTwin(server.projectDir));
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('import-annotations-added')).toHaveText('4');
  await page.getByTestId('pipeline-start').click();
  await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('pipeline-qa-done')).toHaveText('1');

  await page.getByTestId('image-tile').first().click();
  await expect(page.getByTestId('image-page')).toHaveAttribute('data-review-loaded', 'true');
  const cabinets = page.locator('[data-testid="object-item"][data-label="cabinet"]');
  await expect(cabinets).toHaveCount(2);
  const ids = (await cabinets.evaluateAll((rows) => rows.map((r) => r.dataset.objectId)))
    .map(Number)
    .sort((a, b) => a - b);
  const [cabinet, twin] = ids as [number, number];
  await page.getByTestId('side-tab-objects').click();
  await expect(
    page.locator(
      `[data-testid="object-item"][data-object-id="${cabinet}"] [data-testid="object-ambiguous"]`,
    ),
  ).toBeVisible();

  // The cabinet's card says why it cannot be approved; `a` changes nothing and says so.
  await page.getByTestId('side-tab-qa').click();
  const card = await cardAbout(page, cabinet);
  await select(card);
  const blocked = rowOf(card).getByTestId('qa-blocked');
  await expect(blocked).toContainText('has no unique name');
  await expect(rowOf(card).getByTestId('qa-approve')).toBeDisabled();
  await page.keyboard.press('a');
  await expect(page.getByTestId('review-notice')).toContainText('not approved');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/ambiguity-blocked.png') });

  // Way 1: exclude the twin from QA ("unsure").
  await page.getByTestId('side-tab-objects').click();
  await page.locator(`[data-testid="object-item"][data-object-id="${twin}"]`).click();
  await expect(page.getByTestId('referent-tools')).toHaveAttribute('data-object-id', String(twin));
  await page.getByTestId('referent-exclude-unsure').click();
  await expect(page.getByTestId('referent-expression')).toContainText('excluded from QA (unsure)');
  await select(card);
  await expect(blocked).toHaveCount(0, { timeout: 30_000 });
  // The re-derivation may have made another phrasing the fact's card: select it again.
  await select(card);
  await expect(rowOf(card).getByTestId('qa-names')).toContainText(
    `cabinet #${cabinet} = “the cabinet”`,
  );
  await page.keyboard.press('a');
  await expect(card).toHaveAttribute('data-status', 'approved');

  // Undo the approval and the exclusion: the name is ambiguous again and the card blocked.
  await page.keyboard.press('u');
  await expect(card).toHaveAttribute('data-status', 'proposed');
  await page.keyboard.press('u');
  await expect(page.getByTestId('review-notice')).toContainText('object.exclude');
  await expect(rowOf(card).getByTestId('qa-blocked')).toContainText('has no unique name', {
    timeout: 30_000,
  });
  await select(card);

  // Way 2: give the twin a distinguishing attribute from its own card's Resolve button.
  const twinCard = await cardAbout(page, twin);
  await select(twinCard);
  await expect(rowOf(twinCard).getByTestId('qa-blocked')).toBeVisible();
  await rowOf(twinCard).getByTestId('qa-resolve').click();
  await expect(page.getByTestId('referent-tools')).toHaveAttribute('data-object-id', String(twin));
  await page.getByTestId('referent-attribute-input').fill('on the right');
  await page.getByTestId('referent-attribute-input').press('Enter');
  await expect(page.getByTestId('referent-expression')).toContainText(
    '“the cabinet on the right”',
    {
      timeout: 30_000,
    },
  );
  await select(twinCard);
  await expect(rowOf(twinCard).getByTestId('qa-blocked')).toHaveCount(0);
  await expect(rowOf(twinCard).getByTestId('qa-names')).toContainText(
    `cabinet #${twin} = “the cabinet on the right”`,
  );
  await page.keyboard.press('a');
  await expect(twinCard).toHaveAttribute('data-status', 'approved');
  await page.screenshot({ path: join(REPO_ROOT, 'test-results/ambiguity-resolved.png') });
  await problems.expectNone();
});
