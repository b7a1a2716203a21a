// The dataset dialog on a team project (issue 21): the corridor prepared through the CLI (import,
// run), copied to a throwaway PostgreSQL cluster (`sqw project copy`) and served by `sqw serve
// --database --accounts`. An admin reviewer, in the browser only, approves a distance fact,
// relabels one of its objects, exports qa-jsonl from the dialog (progress and result through the
// team server's export job), and the test reads the file on the server's disk: the approved fact
// with its answer, every text with the new label and none with the old one. The jobs page lists
// the export job. SQW_SCREENSHOTS=1 keeps the dialog as docs/screenshots/team-export.png.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { findServerBinaries } from '../db/postgres/server-binaries';
import { startTestCluster } from '../db/postgres/test-cluster';
import { parseLength } from '../spatial/qa/units';
import { expect, REPO_ROOT, startServe, stopServer, test } from './fixtures';
import { COCO, COLOR, DEPTH } from './sample-batch';

const run = promisify(execFile);
const sqw = async (...args: string[]) =>
  (await run(process.execPath, ['bin/sqw.mjs', ...args], { cwd: REPO_ROOT })).stdout;

const PER_FACT = 3;
const NEW_LABEL = 'storage unit';

interface Line {
  fact_id: string;
  question: string;
  answer: string;
  value: number;
  status: string;
  naming: string;
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

test.skip(
  process.env.SQW_SKIP_POSTGRES === '1' || !findServerBinaries(),
  'PostgreSQL server programs (initdb, pg_ctl) not found, or SQW_SKIP_POSTGRES=1',
);

test('team project: approve, relabel, export qa-jsonl from the dialog and read the file', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'sqw-e2e-team-export-'));
  const cluster = startTestCluster();
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    const project = join(dir, 'p');
    const blobs = join(dir, 'shared-blobs');
    await sqw('import', COLOR, '--project', project, '--depth', DEPTH, '--depth-encoding', 'sun');
    await sqw('import', '--project', project, '--annotations', COCO);
    await sqw('run', '--project', project);
    const db = await cluster.createDatabase();
    await sqw('project', 'copy', '--project', project, '--to', db, '--blobs', blobs);
    // Exports are an admin's (METHOD_ACCESS); ada reviews too.
    const { token } = JSON.parse(
      await sqw('users', 'add', 'ada', '--role', 'admin', '--project', db, '--json'),
    ) as { token: string };
    server = await startServe(['--database', db, '--blobs', blobs, '--accounts']);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(`http://127.0.0.1:${server.info.port}/#token=${token}`);

    await page.getByTestId('image-tile').first().click();
    await expect(page.getByTestId('image-page')).toHaveAttribute('data-review-loaded', 'true');
    await page.getByTestId('side-tab-qa').click();
    while ((await page.getByTestId('qa-more').count()) > 0)
      await page.getByTestId('qa-more').click();

    // A distance fact about two objects: approved, then one of its objects relabelled.
    const metric = page.locator('[data-testid="qa-item"][data-unit="m"][data-status="proposed"]');
    await expect.poll(() => metric.count()).toBeGreaterThan(0);
    let fact = '';
    let subjects: number[] = [];
    for (let i = 0; i < (await metric.count()) && subjects.length !== 2; i++) {
      fact = (await metric.nth(i).getAttribute('data-fact-id'))!;
      subjects = (await metric.nth(i).getAttribute('data-subjects'))!.split(',').map(Number);
    }
    expect(subjects, 'a distance fact between two objects').toHaveLength(2);
    const card = page.locator(`[data-testid="qa-item"][data-fact-id="${fact}"]`);
    await card.click();
    await page.keyboard.press('a');
    await confirmIfWarned(page, card, 'approved');

    await page.getByTestId('side-tab-objects').click();
    const row = page.locator(`[data-testid="object-item"][data-object-id="${subjects[0]}"]`);
    const oldLabel = (await row.getAttribute('data-label'))!;
    await row.click();
    await page.keyboard.press('l');
    await page.getByTestId('relabel-input').fill(NEW_LABEL);
    await page.keyboard.press('Enter');
    await expect(row).toHaveAttribute('data-label', NEW_LABEL);
    await expect(page.getByTestId('geometry-pending')).toHaveCount(0, { timeout: 30_000 });
    await page.getByTestId('side-tab-qa').click();
    await expect(card).toHaveAttribute('data-status', 'approved');

    // The dialog, as on the desktop; the folder is on the server's disk (this machine here).
    await page.getByTestId('nav-export').click();
    await page.getByTestId('open-export').click();
    await page.getByTestId('export-format').selectOption('qa-jsonl');
    const outDir = join(dir, 'qa');
    await page.getByTestId('export-out').fill(outDir);
    await page.getByTestId('export-phrasings').fill(String(PER_FACT));
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-result')).toContainText(/qa-jsonl: \d+ records/);
    await expect(page.getByTestId('export-recent')).toContainText(outDir);
    if (process.env.SQW_SCREENSHOTS === '1')
      await page.screenshot({
        path: join(REPO_ROOT, 'docs/screenshots/team-export.png'),
        animations: 'disabled',
      });

    const lines = (await readFile(join(outDir, 'qa.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
    expect(new Set(lines.map((l) => l.fact_id))).toEqual(new Set([fact]));
    expect(lines).toHaveLength(PER_FACT);
    for (const l of lines) {
      expect(l.status).toBe('approved');
      expect(l.value).toBe(lines[0]!.value);
      expect(Math.abs(parseLength(l.answer)! - l.value)).toBeLessThanOrEqual(0.1 * l.value + 0.03);
      const text = `${l.question} ${l.answer}`;
      if (l.naming === 'expression') expect(text).toContain(NEW_LABEL);
      expect(text).not.toMatch(new RegExp(`\\b${oldLabel}\\b`, 'i'));
    }
    expect(lines.some((l) => l.naming === 'expression')).toBe(true);

    // The jobs page lists the team server's export job (jobs.list), finished.
    await page.getByTestId('export-close').click();
    await page.getByTestId('nav-jobs').click();
    const jobRow = page.getByTestId('job-row');
    await expect(jobRow).toHaveCount(1);
    await expect(jobRow).toHaveAttribute('data-status', 'done');
    // The same job through jobs.get and jobs.cancel (the dialog's poll and its Cancel button): a
    // finished export stays done.
    const jobId = await jobRow.getAttribute('data-job-id');
    const call = async (method: string, input: Record<string, unknown>) => {
      const res = await fetch(`http://127.0.0.1:${server!.info.port}/api/rpc`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ method, input }),
      });
      return ((await res.json()) as { result: Record<string, unknown> }).result;
    };
    const [team] = (await call('projects.list', {})) as unknown as Array<{ id: string }>;
    for (const method of ['jobs.get', 'jobs.cancel'])
      expect(await call(method, { projectId: team!.id, jobId })).toMatchObject({
        id: jobId,
        kind: 'export',
        status: 'done',
        message: expect.stringMatching(/^qa-jsonl: \d+ records/),
      });
    expect(problems).toEqual([]);
    console.log(`team export e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (server) await stopServer(server.child);
    cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
