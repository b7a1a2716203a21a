// `sqw run` on a team project (PostgreSQL): the images' jobs go to the project's queue for the
// workers (`sqw worker`) instead of running here, and the queue's counts for this run are shown
// until it is done. Ctrl-C stops watching only: the jobs stay queued and the workers go on.
// The counts are read again when the queue's notices (db/queue/queue-notices.ts) name this run, as
// `sqw serve --database` follows runs (engine/team/team-live.ts), not on a timer: a worker's stored
// results show (and the run's end is seen) within a redraw interval. A notice can be lost (the
// listening connection dropped), so the counts are also read after listening again and every
// REREAD_MS whatever is heard.
import { CatalogStore } from '../../../db/store/catalog-store';
import { randomUUID } from 'node:crypto';
import { describeLocation } from '../../../db/copy/project-copy';
import { ImageQueue, type QueueCounts } from '../../../db/queue/image-queue';
import { QueueListener } from '../../../db/queue/queue-notices';
import { openPostgresProject } from '../../../db/store/connect';
import { SceneStore } from '../../../db/store/scene-store';
import { printable } from '../../printable';
import type { StageName } from '../../pipeline/stages';
import { Coalescer } from '../../team/coalescer';
import { MODEL_STAGES } from '../../team/image-stages';
import type { Output } from '../output';

export interface TeamRunOptions {
  url: string;
  stages: StageName[];
  seed: string;
  /** What the detect stage looks for; absent: each model's own vocabulary. */
  labels?: string[];
  /** Least time between two reads of the counts on notices (default REDRAW_MS). */
  redrawMs?: number;
  /** Time between reads whatever the notices say (default REREAD_MS). */
  rereadMs?: number;
  /** Where progress is drawn: the terminal's stderr unless a test watches it. */
  stderr?: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * Notices come many a second while workers store images: a read and redraw at most this often.
 * Slower than sqw serve's job events (team-live.ts, 100 ms): each read scans the run's jobs
 * (about 30 ms for 100k images, bench/RUN-CONTROL-RESULTS.md), and a terminal needs no more.
 */
const REDRAW_MS = 250;
/** Reads whatever the notices say, so a lost notice delays the display by this much at most. */
const REREAD_MS = 5000;
const PLAIN_INTERVAL_MS = 5000;
/** Failed images listed per stage in the summary. */
const FAILURES_SHOWN = 5;

export async function runOnTeamProject(o: TeamRunOptions, out: Output): Promise<void> {
  const stages: string[] = [...o.stages];
  const models = stages.filter((s) => (MODEL_STAGES as readonly string[]).includes(s));
  if (models.length)
    out.info(
      `team project: workers run ${stages.join(', ')}; ${models.join(', ')} with the models installed where each worker runs (sqw worker --device, --models-dir)`,
    );
  const project = await openPostgresProject(o.url, 2);
  const queue = await ImageQueue.open(o.url, { supervise: false, poolSize: 2 });
  const stderr = o.stderr ?? process.stderr;
  const runId = randomUUID();
  // Settled when the run is done, on Ctrl-C, or when reading its counts fails.
  let over = false;
  let settle = (_err?: unknown) => {};
  const ended = new Promise<void>((resolve, reject) => {
    settle = (err?: unknown) => {
      over = true;
      if (err === undefined) resolve();
      else reject(err);
    };
  });
  // Awaited below; a read that fails during the enqueue must not be an unhandled rejection.
  ended.catch(() => undefined);
  let stopped = false;
  const onSignal = () => {
    stopped = true;
    settle();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = Boolean(stderr.isTTY);
  let counts: QueueCounts | null = null;
  let total = 0;
  let last = 0;
  let shown = '';
  const draw = (c: QueueCounts) => {
    const line = `${c.completed + c.failed}/${total}: ${c.waiting} queued, ${c.active} running, ${c.completed} done, ${c.failed} failed`;
    const done = c.waiting + c.active === 0;
    if (!out.json && line !== shown && (tty || done || Date.now() - last >= PLAIN_INTERVAL_MS)) {
      stderr.write(tty ? `\r${line}\x1b[K` : `progress ${line}\n`);
      shown = line;
      last = Date.now();
    }
    if (done) settle();
  };
  // One read at a time, so an older read never overwrites a newer one.
  const reread = new Coalescer(
    o.redrawMs ?? REDRAW_MS,
    async () => {
      if (over) return;
      const read = await queue.counts(runId);
      if (over) return;
      counts = read;
      draw(counts);
    },
    (err) => settle(err ?? new Error("reading the run's counts failed")),
  );
  let listener: QueueListener | null = null;
  let safety: ReturnType<typeof setInterval> | null = null;
  // The listening connection and the timers end with the watching, on every way out.
  const stopFollowing = async () => {
    if (safety) clearInterval(safety);
    safety = null;
    await listener?.close();
    listener = null;
    await reread.close();
  };
  try {
    const ids = await new CatalogStore(project.db).imageIds();
    total = ids.length;
    // Listening before the jobs are queued: every change after the first read is heard.
    listener = await QueueListener.listen(
      o.url,
      (n) => {
        if (n.runs.includes(runId)) reread.poke();
      },
      { onRelisten: () => reread.poke() },
    );
    await queue.enqueue(runId, ids, stages, o.seed, o.labels);
    out.info(
      `queued ${ids.length} images as run ${runId} on ${describeLocation(o.url)}; workers run them: sqw worker --database <url> --blobs <shared folder>`,
    );
    reread.poke();
    safety = setInterval(() => reread.poke(), o.rereadMs ?? REREAD_MS);
    await ended;
    await stopFollowing();
    // Stopped: how many are left now; done: the read that saw the end.
    if (stopped || !counts) counts = await queue.counts(runId);
    if (tty && !out.json) stderr.write('\n');
    const scene = new SceneStore(project.db);
    const byStage = await scene.runStageCounts(runId);
    const lines = [
      stopped
        ? `stopped watching run ${runId}: ${counts.waiting + counts.active} images still queued or running; the workers go on (sqw queue status --database … shows them)`
        : `run ${runId}: ${counts.completed} images done, ${counts.failed} failed`,
    ];
    // Each stage's counts, and the first failures with their reasons, as a desktop run says them.
    const failures: Array<{ stage: string; image: string; reason: string }> = [];
    for (const stage of new Set(byStage.map((r) => r.stage))) {
      const rows = byStage.filter((r) => r.stage === stage);
      lines.push(`${stage}: ${rows.map((r) => `${r.n} ${r.status}`).join(', ')}`);
      const failed = rows.find((r) => r.status === 'failed')?.n ?? 0;
      if (failed === 0) continue;
      const shown = await scene.runFailures(runId, stage, FAILURES_SHOWN);
      failures.push(...shown.map((f) => ({ stage, ...f })));
      for (const f of shown) lines.push(`  failed: ${f.image}: ${f.reason}`);
      if (failed > shown.length) lines.push(`  … ${failed - shown.length} more failures`);
    }
    out.result(lines.map(printable).join('\n'), {
      runId,
      status: stopped ? 'watching-stopped' : 'done',
      images: ids.length,
      stages,
      ...counts,
      byStage,
      failures,
    });
    if (stopped) process.exitCode = 130;
    else if (counts.failed) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopFollowing();
    await queue.close();
    await project.close();
  }
}
