// Export and evaluation through the UI only: import the SUN RGB-D corridor, run the pipeline, export
// its QA as JSON Lines and as a SpatialRGPT-Bench file from the dataset dialog, see the files on
// disk; a second export into the same folder is refused with a readable reason; then score the
// bench file's own answers in the evaluation panel (they must score 100%).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';
import { COCO, COLOR, DEPTH, importAndRun } from './sample-batch';

async function exportTo(page: Page, format: string, outDir: string): Promise<void> {
  await page.getByTestId('export-format').selectOption(format);
  await page.getByTestId('export-out').fill(outDir);
  // Nothing is reviewed yet: take the machine's proposals as well.
  const proposed = page.getByTestId('export-include-proposed');
  if (!(await proposed.isChecked())) await proposed.check();
  await page.getByTestId('export-start').click();
}

test('exports QA from the dataset dialog and scores a bench file in the evaluation panel', async ({
  page,
  server,
  problems,
}) => {
  test.setTimeout(240_000);
  expect(
    [COLOR, DEPTH, COCO].every((p) => existsSync(p)),
    'demo data missing',
  ).toBe(true);
  const root = mkdtempSync(join(tmpdir(), 'sqw-e2e-export-'));
  try {
    await importAndRun(page, server.url);

    await page.getByTestId('nav-export').click();
    await page.getByTestId('open-export').click();
    await expect(page.getByTestId('export-dialog')).toBeVisible();

    // QA as JSON Lines.
    const qaDir = join(root, 'qa');
    await exportTo(page, 'qa-jsonl', qaDir);
    const result = page.getByTestId('export-result');
    await expect(result).toContainText(/qa-jsonl: \d+ records/, { timeout: 60_000 });
    const qaFile = readdirSync(qaDir).find((f) => f.endsWith('.jsonl'));
    expect(qaFile, readdirSync(qaDir).join(', ')).toBeTruthy();
    const qaLines = readFileSync(join(qaDir, qaFile!), 'utf8').split('\n').filter(Boolean);
    expect(qaLines.length).toBeGreaterThan(0);
    const shown = Number((await result.textContent())!.match(/(\d+) records/)![1]);
    expect(shown).toBe(qaLines.length);
    expect(existsSync(join(qaDir, 'MANIFEST.sha256'))).toBe(true);
    await expect(page.getByTestId('export-recent')).toContainText('qa-jsonl');
    await page
      .getByTestId('export-dialog')
      .screenshot({ path: join(REPO_ROOT, 'test-results/export-dialog.png') });

    // The same folder again, without "replace": refused, and the earlier export is untouched.
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-error')).toContainText(
      /force|replace|not empty|exists/i,
      {
        timeout: 30_000,
      },
    );
    expect(readFileSync(join(qaDir, qaFile!), 'utf8').split('\n').filter(Boolean)).toEqual(qaLines);

    // A bench file, then its own answers scored in the evaluation panel.
    const benchDir = join(root, 'bench');
    await exportTo(page, 'spatialrgpt-bench', benchDir);
    await expect(result).toContainText(/spatialrgpt-bench: \d+ records/, { timeout: 60_000 });
    const benchPath = join(benchDir, 'bench.json');
    const bench = JSON.parse(readFileSync(benchPath, 'utf8')) as {
      id: string;
      conversations: { value: string }[];
    }[];
    expect(bench.length).toBeGreaterThan(0);
    const predictionsPath = join(root, 'predictions.jsonl');
    writeFileSync(
      predictionsPath,
      bench.map((r) => JSON.stringify({ id: r.id, answer: r.conversations[1]!.value })).join('\n'),
    );
    await page.getByTestId('export-close').click();
    await expect(page.getByTestId('export-dialog')).toHaveCount(0);

    await page.getByTestId('eval-bench').fill(benchPath);
    await page.getByTestId('eval-predictions').fill(predictionsPath);
    await page.getByTestId('eval-start').click();
    const overall = page.getByTestId('eval-overall');
    await expect(overall).toContainText('Unparsed or missing: 0.', { timeout: 30_000 });
    // Every scored kind reads 100% (or has no items, shown as –).
    const text = (await overall.textContent())!;
    const kinds = [...text.matchAll(/(\d+(?:\.\d)?|–)%? of (\d+)/g)];
    expect(kinds.length, text).toBe(3);
    expect(
      kinds.some((m) => m[2] !== '0'),
      text,
    ).toBe(true);
    for (const m of kinds) if (m[2] !== '0') expect(m[1], text).toBe('100.0');
    await overall.scrollIntoViewIfNeeded();
    await page
      .getByTestId('eval-panel')
      .screenshot({ path: join(REPO_ROOT, 'test-results/eval-panel.png') });
    // The results table has the page's width (it was cut off in a 330-px sidebar column).
    const table = (await page.getByTestId('eval-categories').boundingBox())!;
    expect(table.width).toBeGreaterThan(900);
    await page.getByTestId('eval-categories').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/workspace-eval-results.png') });

    await problems.expectNone();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
