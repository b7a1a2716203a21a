// Review time per image for a 10-object frame (issue 16, Done-when): the SUN RGB-D corridor with
// ten hand-placed COCO boxes (the sample's door, cabinet and partition plus seven more things in
// the frame), imported with its sensor depth and run through the default stages; then every open
// card of the image is reviewed by keyboard only (`n` to select the first, `a` on each, Enter when
// a card asks to confirm warnings) and the keystrokes and seconds are recorded, with how far down
// the side panel the review queue starts. Opt-in (SQW_UI_BENCH=1); writes
// test-results/review-time.json, and bench/UI-RESULTS.md records the numbers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, REPO_ROOT, test } from './fixtures';
import { COLOR, CORRIDOR_TEN_BOXES, DEPTH, writeCorridorTenCoco } from './sample-batch';

test.skip(!process.env.SQW_UI_BENCH, 'set SQW_UI_BENCH=1 to run the UI benches');
test.setTimeout(900_000);

const BOXES = CORRIDOR_TEN_BOXES;

test('review time per image, 10-object corridor, keyboard only', async ({
  page,
  server,
  problems,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'sqw-review-time-'));
  try {
    await page.goto(server.url);
    await page.getByTestId('import-folder').fill(COLOR);
    await page.getByTestId('import-depth-folder').fill(DEPTH);
    await page.getByTestId('import-depth-encoding').selectOption('sun');
    await page.getByTestId('import-annotations').fill(writeCorridorTenCoco(dir));
    await page.getByTestId('import-start').click();
    await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
      timeout: 90_000,
    });
    await expect(page.getByTestId('import-annotations-added')).toHaveText(String(BOXES.length));
    await page.getByTestId('pipeline-start').click();
    await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 300_000 });
    await expect(page.getByTestId('pipeline-qa-done')).toHaveText('1');

    await page.getByTestId('image-tile').first().click();
    const view = page.getByTestId('image-page');
    await expect(view).toHaveAttribute('data-review-loaded', 'true');
    await expect(page.getByTestId('object-item')).toHaveCount(BOXES.length);
    const counts = page.getByTestId('qa-counts');
    const openCount = async () => {
      const m = / (\d+) open/.exec(` ${(await counts.textContent()) ?? ''}`);
      return m ? Number(m[1]) : NaN;
    };
    const cards = await page.getByTestId('qa-item').count();
    const cardsShown = Number((await page.locator('#qa-title .count').textContent()) ?? NaN);
    const openAtStart = await openCount();
    expect(openAtStart).toBeGreaterThan(0);

    // Where the review queue sits: its top relative to the side panel, and the panel's height.
    const layout = await page.evaluate(() => {
      const panel = document.querySelector('.side-panel') as HTMLElement | null;
      const qa = document.querySelector('[data-testid="qa-section"]') as HTMLElement | null;
      if (!panel || !qa) return null;
      return {
        sidePanelScrollHeight: panel.scrollHeight,
        qaSectionTopPx: Math.round(
          qa.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop,
        ),
      };
    });

    const keys: string[] = [];
    const press = async (key: string) => {
      keys.push(key);
      await page.keyboard.press(key);
    };
    const t0 = Date.now();
    await press('n');
    let open = openAtStart;
    let confirms = 0;
    // Checked on every animation frame inside the page (expect.poll backs off to 1 s between
    // tries, which would be measured as review time): the open count has dropped below `before`,
    // or (when `orConfirm`) the card asks to confirm its warnings.
    const settled = (before: number, orConfirm: boolean) =>
      page.waitForFunction(
        ([before, orConfirm]) => {
          const text = document.querySelector('[data-testid="qa-counts"]')?.textContent ?? '';
          const m = / (\d+) open/.exec(` ${text}`);
          if (m && Number(m[1]) < (before as number)) return true;
          return orConfirm && !!document.querySelector('[data-testid="review-confirm"]');
        },
        [before, orConfirm] as const,
        { polling: 'raf', timeout: 20_000 },
      );
    for (let guard = 0; open > 0 && guard < openAtStart * 3; guard++) {
      await press('a');
      await settled(open, true);
      if ((await openCount()) >= open) {
        confirms++;
        await press('Enter');
        await settled(open, false);
      }
      open = await openCount();
    }
    const seconds = (Date.now() - t0) / 1000;
    const loadAverage = loadavg();
    expect(open).toBe(0);

    const out = {
      date: new Date().toISOString(),
      image: 'samples/demo-batch/sun-corridor/color/corridor.jpg',
      objects: BOXES.length,
      cardsListed: cardsShown || cards,
      openAtStart,
      keystrokes: keys.length,
      keysByName: keys.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {}),
      confirms,
      seconds,
      secondsPerCard: seconds / openAtStart,
      layout,
      loadAverage,
    };
    writeFileSync(join(REPO_ROOT, 'test-results/review-time.json'), JSON.stringify(out, null, 2));
    console.log(JSON.stringify(out, null, 2));
    await problems.expectNone();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
