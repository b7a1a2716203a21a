// `sqw run` on a team project (PostgreSQL): the images' jobs go to the project's queue for the
// workers (`sqw worker`) instead of running here, and the queue's counts for this run are shown
// until it is done. Ctrl-C stops watching only: the jobs stay queued and the workers go on.
import { randomUUID } from 'node:crypto';
import { describeLocation } from '../../../db/copy/project-copy';
import { ImageQueue, type QueueCounts } from '../../../db/queue/image-queue';
import { openPostgresProject } from '../../../db/store/connect';
import { SceneStore } from '../../../db/store/scene-store';
import { printable } from '../../printable';
import type { StageName } from '../../pipeline/stages';
import { MODEL_STAGES } from '../../team/image-stages';
import type { Output } from '../output';

export interface TeamRunOptions {
  url: string;
  stages: StageName[];
  seed: string;
  /** What the detect stage looks for; absent: each model's own vocabulary. */
  labels?: string[];
  pollMs?: number;
}

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
  const runId = randomUUID();
  let stopped = false;
  const onSignal = () => {
    stopped = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const ids = (await project.db.selectFrom('images').select('id').orderBy('id').execute()).map(
      (r) => r.id,
    );
    await queue.enqueue(runId, ids, stages, o.seed, o.labels);
    out.info(
      `queued ${ids.length} images as run ${runId} on ${describeLocation(o.url)}; workers run them: sqw worker --database <url> --blobs <shared folder>`,
    );
    const tty = Boolean(process.stderr.isTTY);
    let last = 0;
    let shown = '';
    let counts: QueueCounts = await queue.counts(runId);
    for (;;) {
      const line = `${counts.completed + counts.failed}/${ids.length}: ${counts.waiting} queued, ${counts.active} running, ${counts.completed} done, ${counts.failed} failed`;
      const done = counts.waiting + counts.active === 0;
      if (!out.json && line !== shown && (tty || done || Date.now() - last >= PLAIN_INTERVAL_MS)) {
        process.stderr.write(tty ? `\r${line}\x1b[K` : `progress ${line}\n`);
        shown = line;
        last = Date.now();
      }
      if (done || stopped) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
      counts = await queue.counts(runId);
    }
    if (tty && !out.json) process.stderr.write('\n');
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
    await queue.close();
    await project.close();
  }
}
