// Two reviewers on one `sqw serve --accounts` (a SQLite project prepared through the CLI), each in
// their own browser context with their own account token: alice takes a QA family on the review
// queue page; bob sees her claim, and deciding a QA inside it is refused with the server's message
// naming alice; alice approves it, and bob's activity feed says so while his QA list turns to
// 'approved' without a reload. The activity feed and claims panel are kept in docs/screenshots/.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { expect, REPO_ROOT, startServer, stopServer, test } from './fixtures';
import { COCO, COLOR, DEPTH } from './sample-batch';

const run = promisify(execFile);
const sqw = async (...args: string[]) =>
  (await run(process.execPath, ['bin/sqw.mjs', ...args], { cwd: REPO_ROOT })).stdout;

async function reviewer(browser: Browser, base: string, token: string) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.goto(`${base}/#token=${token}`);
  await page.getByTestId('nav-review').click();
  await expect(page.getByTestId('claims-panel')).toBeVisible();
  return { context, page, problems };
}

/** Opens the first open QA of `family` from the review queue page, selected on its image. */
async function openFirstOf(page: Page, family: string, qaId?: number): Promise<number> {
  await page.getByTestId('nav-review').click();
  await page.getByTestId('batch-queue-family').selectOption(family);
  // The queue reloads for the family: wait until it lists only that family.
  await expect
    .poll(async () => [
      ...new Set(
        await page.locator('[data-testid="batch-queue-item"] .qa-family').allTextContents(),
      ),
    ])
    .toEqual([family]);
  const item = qaId
    ? page.locator(`[data-testid="batch-queue-item"][data-qa-id="${qaId}"]`)
    : page.getByTestId('batch-queue-item').first();
  const id = Number(await item.getAttribute('data-qa-id'));
  await item.click();
  await expect(page.locator(`[data-testid="qa-item"][data-qa-id="${id}"]`)).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  return id;
}

test('two reviewers: a claim refuses the other, and the approval reaches their activity feed', async ({
  browser,
}) => {
  test.setTimeout(60_000);
  const dir = await mkdtemp(join(tmpdir(), 'sqw-e2e-team-'));
  const project = join(dir, 'p');
  const started = Date.now();
  await sqw('import', COLOR, '--project', project, '--depth', DEPTH, '--depth-encoding', 'sun');
  await sqw('import', '--project', project, '--annotations', COCO);
  await sqw('run', '--project', project);
  const token = async (name: string) =>
    (
      JSON.parse(
        await sqw('users', 'add', name, '--role', 'reviewer', '--project', project, '--json'),
      ) as { token: string }
    ).token;
  const [aliceToken, bobToken] = [await token('alice'), await token('bob')];
  const server = await startServer(project, ['--accounts']);
  const base = `http://127.0.0.1:${server.info.port}`;
  try {
    const alice = await reviewer(browser, base, aliceToken);
    const bob = await reviewer(browser, base, bobToken);
    await expect(alice.page.getByTestId('claims-me')).toHaveText('you are alice');
    await expect(bob.page.getByTestId('claims-me')).toHaveText('you are bob');

    // alice takes one family (not the whole batch).
    const family = (await alice.page
      .getByTestId('claim-family')
      .locator('option')
      .nth(1)
      .getAttribute('value'))!;
    await alice.page.getByTestId('claim-batch').uncheck();
    await alice.page.getByTestId('claim-family').selectOption(family);
    await alice.page.getByTestId('claim-take').click();
    const alicesClaim = alice.page.locator('[data-testid="claim"][data-holder="alice"]');
    await expect(alicesClaim).toHaveAttribute('data-mine', 'true');
    await expect(alicesClaim).toContainText(`family ${family}`);
    await expect(alice.page.getByTestId('claims-notice')).toContainText(
      `You hold family ${family}`,
    );

    // bob sees it arrive (the claims-changed event), not his to release.
    const seenByBob = bob.page.locator('[data-testid="claim"][data-holder="alice"]');
    await expect(seenByBob).toContainText(`family ${family}`);
    await expect(seenByBob).toHaveAttribute('data-mine', 'false');
    await expect(seenByBob.getByTestId('claim-release')).toHaveCount(0);

    // bob tries to approve a QA of that family: refused, with the server's words naming alice.
    const qaId = await openFirstOf(bob.page, family);
    await bob.page.getByTestId('qa-approve').click();
    const refusal = bob.page.getByTestId('review-conflict');
    await expect(refusal).toContainText('Held by another reviewer.');
    await expect(refusal).toContainText(
      new RegExp(`QA #${qaId} is held by alice until \\d\\d:\\d\\d UTC`),
    );
    const bobsItem = bob.page.locator(`[data-testid="qa-item"][data-qa-id="${qaId}"]`);
    await expect(bobsItem).toHaveAttribute('data-status', 'proposed');

    // alice approves the same QA (confirming warnings when the geometry has any).
    await openFirstOf(alice.page, family, qaId);
    await alice.page.getByTestId('qa-approve').click();
    const alicesItem = alice.page.locator(`[data-testid="qa-item"][data-qa-id="${qaId}"]`);
    await expect
      .poll(async () =>
        (await alicesItem.getAttribute('data-status')) === 'approved'
          ? 'approved'
          : (await alice.page.getByTestId('review-confirm').count()) > 0
            ? 'warnings'
            : 'waiting',
      )
      .not.toBe('waiting');
    if ((await alicesItem.getAttribute('data-status')) !== 'approved')
      await alice.page.getByTestId('review-confirm').first().click();
    await expect(alicesItem).toHaveAttribute('data-status', 'approved');

    // bob hears of it: a toast naming alice and the image, and his QA list refreshed.
    const toast = bob.page.getByTestId('activity-toast');
    await expect(toast).toContainText(`alice approved QA #${qaId} on corridor.jpg`);
    await expect(bobsItem).toHaveAttribute('data-status', 'approved');
    // alice's own action is not news to her.
    await expect(alice.page.getByTestId('activity')).toHaveCount(0);

    // The claims panel and the opened feed, for docs/screenshots.
    await bob.page.getByTestId('nav-review').click();
    await bob.page.getByTestId('activity-toggle').click();
    await expect(bob.page.getByTestId('activity-item').first()).toContainText(
      `alice approved QA #${qaId} on corridor.jpg`,
    );
    await expect(seenByBob).toBeVisible();
    await bob.page.screenshot({
      path: join(REPO_ROOT, 'docs/screenshots/team-claims-activity.png'),
    });

    // alice releases: bob's list empties.
    await alice.page.getByTestId('nav-review').click();
    await alicesClaim.getByTestId('claim-release').click();
    await expect(seenByBob).toHaveCount(0);

    expect([...alice.problems, ...bob.problems]).toEqual([]);
    console.log(`team review e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await alice.context.close();
    await bob.context.close();
  } finally {
    await stopServer(server.child);
    await rm(dir, { recursive: true, force: true });
  }
});
