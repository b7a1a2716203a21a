// A reviewed fact is exported as phrasings rendered from it (issue 16, case 2), through the UI
// only: import and process the SUN RGB-D corridor, approve one fact (one keystroke), correct another
// fact's distance, relabel an object of the approved fact, export JSON Lines with N phrasings per
// fact from the dataset dialog, and read the file: N phrasings of each decided fact and nothing
// else, the approved answer, the corrected value in every phrasing, the new label in every text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { parseLength } from '../spatial/qa/units';
import { expect, test } from './fixtures';
import { importAndRun } from './sample-batch';

interface Line {
  fact_id: string;
  question: string;
  answer: string;
  value: number;
  status: string;
  naming: string;
  subjects: number[];
}

const PER_FACT = 3;
const NEW_LABEL = 'storage unit';

async function showAllQa(page: Page): Promise<void> {
  while ((await page.getByTestId('qa-more').count()) > 0) await page.getByTestId('qa-more').click();
}

/** Applies the decision the card shows warnings for (the reviewer has read them). */
async function confirmIfWarned(page: Page, card: ReturnType<Page['locator']>, status: string) {
  await expect
    .poll(async () =>
      (await card.getAttribute('data-status')) === status
        ? 'done'
        : (await page.getByTestId('review-warnings').count()) > 0
          ? 'warned'
          : 'waiting',
    )
    .not.toBe('waiting');
  if ((await card.getAttribute('data-status')) !== status) await page.keyboard.press('Enter');
  await expect(card).toHaveAttribute('data-status', status);
}

test('approve a fact, correct another, relabel: the export renders N phrasings of each from the decision', async ({
  page,
  server,
}) => {
  test.setTimeout(240_000);
  const root = mkdtempSync(join(tmpdir(), 'sqw-e2e-facts-'));
  try {
    await importAndRun(page, server.url);
    await page.getByTestId('image-tile').first().click();
    await expect(page.getByTestId('image-page')).toHaveAttribute('data-review-loaded', 'true');
    await page.getByTestId('side-tab-qa').click();
    await showAllQa(page);

    // Two distance facts: one is approved, the other corrected; the relabelled object is a
    // subject of the approved one and not of the corrected one.
    const metric = page.locator('[data-testid="qa-item"][data-unit="m"][data-status="proposed"]');
    await expect.poll(() => metric.count()).toBeGreaterThan(2);
    const facts: Array<{ fact: string; subjects: number[] }> = [];
    for (let i = 0; i < (await metric.count()); i++)
      facts.push({
        fact: (await metric.nth(i).getAttribute('data-fact-id'))!,
        subjects: (await metric.nth(i).getAttribute('data-subjects'))!.split(',').map(Number),
      });
    const approved = facts.find((f) => f.subjects.length === 2)!;
    const relabelled = approved.subjects[0]!;
    const corrected = facts.find(
      (f) => f.fact !== approved.fact && !f.subjects.includes(relabelled),
    )!;
    expect(corrected, 'a distance fact not about the relabelled object').toBeTruthy();
    const cardOf = (fact: string) =>
      page.locator(`[data-testid="qa-item"][data-fact-id="${fact}"]`);

    // Approve: one keystroke on the selected card.
    await cardOf(approved.fact).click();
    await page.keyboard.press('a');
    await confirmIfWarned(page, cardOf(approved.fact), 'approved');

    // Correct the other fact's value.
    await cardOf(corrected.fact).click();
    await page.keyboard.press('e');
    await expect(page.getByTestId('qa-edit-answer')).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('About 2.5 meters.');
    await page.keyboard.press('Enter');
    await confirmIfWarned(page, cardOf(corrected.fact), 'edited');

    // Relabel an object of the approved fact after the approval.
    await page.getByTestId('side-tab-objects').click();
    const row = page.locator(`[data-testid="object-item"][data-object-id="${relabelled}"]`);
    const oldLabel = (await row.getAttribute('data-label'))!;
    await row.click();
    await page.keyboard.press('l');
    await page.getByTestId('relabel-input').fill(NEW_LABEL);
    await page.keyboard.press('Enter');
    await expect(row).toHaveAttribute('data-label', NEW_LABEL);
    await expect(page.getByTestId('geometry-pending')).toHaveCount(0, { timeout: 30_000 });
    await page.getByTestId('side-tab-qa').click();
    await expect(cardOf(approved.fact)).toHaveAttribute('data-status', 'approved');

    // Export from the dataset dialog, N phrasings per fact.
    await page.getByTestId('nav-export').click();
    await page.getByTestId('open-export').click();
    await page.getByTestId('export-format').selectOption('qa-jsonl');
    const outDir = join(root, 'qa');
    await page.getByTestId('export-out').fill(outDir);
    await page.getByTestId('export-phrasings').fill(String(PER_FACT));
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-result')).toContainText(/qa-jsonl: \d+ records/, {
      timeout: 60_000,
    });

    const lines = readFileSync(join(outDir, 'qa.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    // Nothing the reviewer did not decide.
    expect(new Set(lines.map((l) => l.fact_id))).toEqual(new Set([approved.fact, corrected.fact]));

    const mine = lines.filter((l) => l.fact_id === approved.fact);
    expect(mine).toHaveLength(PER_FACT);
    const value = mine[0]!.value;
    for (const l of mine) {
      expect(l.status).toBe('approved');
      expect(l.value).toBe(value);
      expect(Math.abs(parseLength(l.answer)! - value)).toBeLessThanOrEqual(0.1 * value + 0.03);
      const text = `${l.question} ${l.answer}`;
      if (l.naming === 'expression') expect(text).toContain(NEW_LABEL);
      expect(text).not.toMatch(new RegExp(`\\b${oldLabel}\\b`, 'i'));
    }

    const fixed = lines.filter((l) => l.fact_id === corrected.fact);
    expect(fixed).toHaveLength(PER_FACT);
    for (const l of fixed) {
      expect(l.status).toBe('edited');
      expect(l.value).toBe(2.5);
      expect(Math.abs(parseLength(l.answer)! - 2.5)).toBeLessThanOrEqual(0.1);
    }

    // Every phrasing ('all'): both naming modes of the approved fact, each referring expression
    // with the new label.
    const allDir = join(root, 'all');
    await page.getByTestId('export-out').fill(allDir);
    await page.getByTestId('export-phrasings-all').check();
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-result')).toContainText(/qa-jsonl: \d+ records/, {
      timeout: 60_000,
    });
    const every = readFileSync(join(allDir, 'qa.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.fact_id === approved.fact);
    expect(every.length).toBeGreaterThan(PER_FACT);
    const named = every.filter((l) => l.naming === 'expression');
    expect(named.length).toBeGreaterThan(0);
    for (const l of named) expect(`${l.question} ${l.answer}`).toContain(NEW_LABEL);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
