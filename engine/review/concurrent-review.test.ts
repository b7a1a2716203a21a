// Reviewers in separate processes on one project file: two processes deciding the same QA at the
// same moment apply exactly one decision per revision, and decisions made while `sqw import` writes
// to the project all succeed (no "database is locked").
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryWhenBusy } from '../../db/busy';
import { ProjectStore } from '../../db/project-store';
import {
  anotherWriter,
  reviewTargetsAuditedTwice,
  setBusyTimeout,
} from '../../db/store/testing/desktop-rows';
import { importCocoFile } from '../annotations/coco-import';
import { importBatch } from '../import/index';
import { writeSyntheticBatch } from '../pipeline/testing/synthetic-batch';
import { tempDir } from '../test/helpers';
import { desktopReview } from './testing/desktop-review';
import { deriveGraphAndQa } from '../test/desktop-results';
import { imageIdOf, layer } from '../test/layer';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = join(ROOT, 'samples/demo-batch');

let dir: ReturnType<typeof tempDir>;
let folder: string;

function node(args: string[]) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((res) =>
    child.on('exit', (code) => res({ code, out, err })),
  );
  // Settles when the child says 'ready' (or exits: its exit code and stderr tell why).
  const ready = new Promise<void>((res) => {
    child.stdout.on('data', () => out.startsWith('ready\n') && res());
    void exited.then(() => res());
  });
  return { child, exited, ready };
}

beforeAll(async () => {
  dir = tempDir();
  folder = join(dir.path, 'p');
  const store = ProjectStore.openOrCreate(folder);
  await importBatch(store, {
    folder: `${SAMPLES}/sun-corridor/color`,
    depthFolder: `${SAMPLES}/sun-corridor/depth`,
    depthEncoding: 'sun',
    intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 },
  });
  await importCocoFile(store, `${SAMPLES}/annotations.coco.json`);
  const imageId = await imageIdOf(store, 'corridor.jpg');
  await deriveGraphAndQa(store, imageId);
  store.close();
}, 60_000);
afterAll(() => dir.remove());

describe('reviewers in two processes', () => {
  it('two processes deciding the same QA at once: one decision per revision, the other is refused as stale', async () => {
    const store = ProjectStore.open(folder);
    const open = (
      await layer(store).browse.qaQueue({ statuses: ['proposed'], offset: 0, limit: 1000 })
    ).items.map((q) => [q.id, q.revision] as [number, string]);
    store.close();
    expect(open.length).toBeGreaterThan(20);
    const script = join(ROOT, 'engine/review/testing/decide-process.ts');
    const pairs = JSON.stringify(open);
    const ann = node(['bin/run-ts.mjs', script, folder, 'ann', 'approve', pairs]);
    const bob = node(['bin/run-ts.mjs', script, folder, 'bob', 'reject', pairs]);
    // Both loaded and connected, then both go at once.
    await Promise.all([ann.ready, bob.ready]);
    ann.child.stdin.end('go\n');
    bob.child.stdin.end('go\n');
    const [annOut, bobOut] = await Promise.all([ann.exited, bob.exited]);
    expect(annOut.code, annOut.err).toBe(0);
    expect(bobOut.code, bobOut.err).toBe(0);
    const a = JSON.parse(annOut.out.slice('ready\n'.length)) as Record<number, string>;
    const b = JSON.parse(bobOut.out.slice('ready\n'.length)) as Record<number, string>;

    const check = ProjectStore.open(folder);
    try {
      for (const [qaId] of open) {
        // Exactly one of the two applied; the other saw the new revision (never a lock error).
        expect([a[qaId], b[qaId]].sort(), `QA ${qaId}`).toEqual(['applied', 'stale']);
        const decisions = await layer(check).review.reviews(qaId);
        expect(decisions).toHaveLength(1);
        expect((await layer(check).review.qaState(qaId))!.status).toBe(
          decisions[0]!.reviewer === 'ann' ? 'approved' : 'rejected',
        );
      }
      const audited = reviewTargetsAuditedTwice(check.db);
      expect(audited).toEqual([]);
    } finally {
      check.close();
    }
  }, 60_000);

  it('decisions made while `sqw import` writes to the same project all succeed', async () => {
    const batch = await writeSyntheticBatch(join(dir.path, 'more'), {
      count: 240,
      width: 64,
      height: 48,
    });
    const store = ProjectStore.open(folder);
    try {
      const review = desktopReview(store);
      const qa = (await layer(store).browse.qaQueue({ offset: 0, limit: 1000 })).items;
      const importing = node([
        'bin/sqw.mjs',
        'import',
        batch.colorDir,
        '--depth',
        batch.depthDir,
        '--project',
        folder,
        '--json',
      ]).exited;
      let finished = false;
      void importing.then(() => (finished = true));
      // Wait until the import writes rows, then decide as fast as a busy team would until it ends.
      const imagesBefore = (await layer(store).browse.counts()).images;
      while (!finished && (await layer(store).browse.counts()).images === imagesBefore)
        await new Promise((r) => setTimeout(r, 5));
      const failures: string[] = [];
      let made = 0;
      const kinds = ['approve', 'reject', 'skip'] as const;
      while (!finished) {
        const q = qa[made % qa.length]!;
        const decision = kinds[made % kinds.length]!;
        try {
          await review.decide({
            qaId: q.id,
            decision,
            reason: decision === 'reject' ? 'wrong' : undefined,
            confirmWarnings: true,
            actor: 'ann',
          });
        } catch (err) {
          failures.push((err as Error).message);
        }
        made++;
        // A busy team, not a tight loop: a decision every few milliseconds.
        await new Promise((r) => setTimeout(r, 2));
      }
      const imported = await importing;
      expect(imported.code, imported.err).toBe(0);
      expect(JSON.parse(imported.out)).toMatchObject({ imported: 240 });
      expect(made).toBeGreaterThan(100);
      expect(failures).toEqual([]);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a decision that finds the project locked past the busy timeout is retried, not reported', async () => {
    const store = ProjectStore.open(folder);
    // Another process holds a write transaction far longer than this connection waits.
    const other = anotherWriter(folder);
    try {
      setBusyTimeout(store.db, 20);
      // Without the service's retry, to see the lock error it hides.
      const review = desktopReview(store, { retry: false });
      const qa = (await layer(store).browse.qaQueue({ offset: 0, limit: 1 })).items[0]!;
      const approve = () =>
        review.decide({ qaId: qa.id, decision: 'approve', confirmWarnings: true, actor: 'ann' });
      other.hold();
      await expect(approve()).rejects.toThrow(/database is locked/); // what a reviewer saw before
      setTimeout(() => other.commit(), 300);
      const out = await retryWhenBusy(approve, { attempts: 20, pauseMs: 10 });
      expect(out.applied).toBe(true);

      other.hold();
      await expect(retryWhenBusy(approve, { attempts: 3, pauseMs: 5 })).rejects.toThrow(
        /^the project is busy: .*nothing was changed, try again/,
      );
      other.rollback();
    } finally {
      other.close();
      store.close();
    }
  });
});
