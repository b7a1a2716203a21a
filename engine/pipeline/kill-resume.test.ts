// A real `sqw run` child process (bin/sqw.mjs) killed with SIGKILL mid-run (its PID then reused),
// then resumed: the result must equal an uninterrupted run of the same project, with nothing lost
// and nothing twice.
// The depth stage runs the Depth Anything adapter on a generated model, so the kill can land in a
// model stage (committed on its own) as well as in the CPU stages (committed with the image).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import {
  jobItemsByStatus,
  jobProgress,
  openProjectFileReadOnly,
  pipelineResultsByFile,
  setJobsOwnerPid,
  settledJobItemCount,
} from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { runJob, tempFolder } from './testing/run-job';
import { writeSyntheticBatch } from './testing/synthetic-batch';
import { installTinyDepthModel } from './testing/tiny-models';

const SQW = resolve(import.meta.dirname, '../../bin/sqw.mjs');
const N = 14;
let dir: ReturnType<typeof tempFolder>;
const models = mkdtempSync(join(tmpdir(), 'sqw-models-'));
let killed: string;
let reference: string;

function sqw(args: string[]): ChildProcess {
  return spawn(process.execPath, [SQW, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A short job lease, so the killed run is resumable soon after its last heartbeat.
    env: { ...process.env, SQW_MODELS_DIR: models, SQW_JOB_LEASE_MS: '1500' },
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((res) => child.on('exit', (code) => res({ code, out, err })));
}

/** Everything a run writes, per image, in a comparable form. */
function snapshot(folder: string) {
  const db = openProjectFileReadOnly(folder);
  try {
    return pipelineResultsByFile(db);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = tempFolder();
  installTinyDepthModel(models);
  const batch = await writeSyntheticBatch(join(dir.path, 'batch'), {
    count: N,
    width: 96,
    height: 72,
  });
  killed = join(dir.path, 'killed');
  reference = join(dir.path, 'reference');
  const store = ProjectStore.openOrCreate(killed);
  // Colour and boxes only: depth comes from the (generated) depth model.
  await importBatch(store, { folder: batch.colorDir });
  await importCocoFile(store, batch.cocoFile);
  store.close();
  cpSync(killed, reference, { recursive: true });
  const ref = ProjectStore.open(reference);
  await runJob(ref, {}, { modelsDir: models, workers: 1 });
  ref.close();
}, 120_000);
afterAll(() => dir.remove());

describe('sqw run killed with SIGKILL', () => {
  it('resumes where it stopped: same results as an uninterrupted run, no duplicate rows', async () => {
    const child = sqw(['run', '--project', killed, '--device', 'cpu', '--workers', '1', '--json']);
    const done = exited(child);
    // Watch the project database from here and kill the run once some images are settled.
    const watcher = openProjectFileReadOnly(killed);
    let settledAtKill = -1;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      let n = 0;
      try {
        n = settledJobItemCount(watcher);
      } catch {
        // the child may still be migrating the schema
      }
      if (n >= 3) {
        child.kill('SIGKILL');
        settledAtKill = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    watcher.close();
    const first = await done;
    expect(first.code, first.err).toBe(null); // killed, not finished
    expect(settledAtKill).toBeGreaterThanOrEqual(3);
    expect(settledAtKill).toBeLessThan(N);

    // The system may give the dead run's PID to another process: liveness is the lease, not the
    // PID. Here the PID becomes this (live) test process's.
    const db0 = new Database(join(killed, 'project.sqlite'));
    setJobsOwnerPid(db0, process.pid);
    db0.close();
    // Right after the kill the lease has not expired yet: --resume waits for it (never renewed),
    // then marks the dead run interrupted and finishes it.
    const resumed = await exited(sqw(['run', '--project', killed, '--resume', '--json']));
    expect(resumed.code, resumed.err).toBe(0);
    const result = JSON.parse(resumed.out) as { status: string; images: number };
    expect(result).toMatchObject({ status: 'done', images: N });

    const db = openProjectFileReadOnly(killed);
    const jobs = jobProgress(db);
    const items = jobItemsByStatus(db);
    db.close();
    expect(jobs).toEqual([{ status: 'done', total: N, done: N }]);
    expect(items).toEqual([{ status: 'done', n: N }]);
    const got = snapshot(killed);
    const want = snapshot(reference);
    expect(got.depth.every((d) => (d as { src: string }).src === 'model')).toBe(true);
    expect(got.graphs).toHaveLength(N);
    expect(got.qa.length).toBeGreaterThan(N);
    expect(got).toEqual(want);

    // Human output (not a TTY): the notices, plain progress lines and the end summary.
    const human = await exited(
      sqw(['run', '--project', killed, '--stages', 'calibrate,qa', '--workers', '0']),
    );
    expect(human.code, human.err).toBe(0);
    expect(human.out).toContain('stage calibrate: no calibration model installed');
    expect(human.out).toContain(`${N} images in `);
    expect(human.out).toContain(
      `calibrate: 0 done, ${N} skipped, 0 failed\n  skipped ${N}: no model installed`,
    );
    expect(human.out).toContain(`qa: ${N} done, 0 skipped, 0 failed`);
    expect(human.err).toMatch(new RegExp(`^progress ${N}/${N} .*qa ${N}$`, 'm'));
  }, 120_000);
});
