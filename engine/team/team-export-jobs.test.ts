// The jobs of a served team project's exports (jobs.get, jobs.cancel, jobs.list through
// TeamExportJobs), run here over the export fixture's desktop project: the job the dialog polls
// matches the `job` events, a cancel stops the export with no files and no record left, and a
// finished job is not changed by a late cancel.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../contract/entities';
import type { ProjectStore } from '../../db/project-store';
import { EventBus } from '../event-bus';
import { desktopExportProject } from '../export/export-project';
import { buildExportFixture } from '../export/test-fixture';
import { tempDir } from '../test/helpers';
import { TeamExportJobs } from './team-export-jobs';

describe('team export jobs', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: ProjectStore;
  let jobs: TeamExportJobs;
  const events = new EventBus();
  const seen: Job[] = [];

  beforeAll(async () => {
    dir = tempDir('sqw-team-export-jobs-');
    store = (await buildExportFixture(dir.path)).store;
    jobs = new TeamExportJobs(desktopExportProject(store));
    events.subscribe((e) => e.type === 'job' && seen.push(e.job));
  }, 30_000);
  afterAll(() => {
    store?.close();
    dir?.remove();
  });

  it('gives the finished job as its last event said, with counts, and leaves it on a late cancel', async () => {
    const { jobId } = await jobs.start(
      { format: 'qa-jsonl', outDir: join(dir.path, 'qa') },
      events,
      'p',
    );
    await jobs.idle();
    const job = jobs.job(jobId);
    expect(job).toEqual(seen.filter((j) => j.id === jobId).at(-1));
    expect(job).toMatchObject({ kind: 'export', status: 'done' });
    expect(job.total).toBeGreaterThan(0);
    expect(job.done).toBe(job.total);
    expect(job.message).toMatch(/^qa-jsonl: \d+ records/);
    expect(jobs.result(jobId)?.records).toBeGreaterThan(0);
    expect(jobs.cancel(jobId)).toEqual(job);
    expect(jobs.jobs().map((j) => j.id)).toContain(jobId);
  });

  it('cancels a running export: the job ends cancelled, no result, no folder, no record', async () => {
    const before = (await jobs.list()).length;
    const outDir = join(dir.path, 'cancelled');
    const { jobId } = await jobs.start({ format: 'llava', outDir }, events, 'p');
    expect(jobs.cancel(jobId).status).toBe('running');
    await jobs.idle();
    const job = jobs.job(jobId);
    expect(job).toMatchObject({ status: 'cancelled', message: 'cancelled by the user' });
    expect(seen.filter((j) => j.id === jobId).at(-1)).toEqual(job);
    expect(jobs.result(jobId)).toBeNull();
    expect(existsSync(join(outDir, 'llava.jsonl'))).toBe(false);
    expect(await jobs.list()).toHaveLength(before);
    // Newest first, as the jobs panel lists them.
    expect(jobs.jobs()[0]!.id).toBe(jobId);
  });

  it('names an unknown job', () => {
    expect(() => jobs.job('export-nope')).toThrow(/job not found: export-nope/);
    expect(() => jobs.cancel('export-nope')).toThrow(/job not found/);
  });
});
