// Live updates of a served team project's pipeline runs. The workers run in other processes (on
// other machines) and tell the queue's changes by PostgreSQL NOTIFY (db/queue/queue-notices.ts);
// this server turns them into the events a desktop run pushes to its clients: a `job` event with
// the run's counts read from the queue (the same Job as jobs.get), at most every
// RUN_EVENT_INTERVAL_MS per run as the desktop's job runner writes progress, and `images-changed`
// for the images a worker stored, so views of them reload. A missed notice costs only liveness:
// every count is read from the queue when asked.
import { QueueListener, type QueueNotice } from '../../db/queue/queue-notices';
import type { EventBus } from '../event-bus';
import { Coalescer } from './coalescer';
import type { TeamProject } from './team-project';

/** As the desktop's job runner (engine/jobs/job-runner.ts, PROGRESS_INTERVAL_MS). */
export const RUN_EVENT_INTERVAL_MS = 100;
/**
 * Stored images are told at most this often: the clients reload a page on each images-changed,
 * and workers store many images a second.
 */
export const IMAGE_EVENT_INTERVAL_MS = 1000;
/** More images stored than this since the last telling: one event per batch instead of each. */
const IMAGE_EVENTS_PER_FLUSH = 20;

/** A failed telling is logged; the next notice tells the latest state again. */
const logError = (err: unknown) =>
  console.error(`live updates: ${err instanceof Error ? err.message : String(err)}`);

export class TeamLiveUpdates {
  private readonly runs = new Set<string>();
  private readonly stored = new Set<number>();
  private readonly runEvents: Coalescer;
  private readonly imageEvents: Coalescer;
  private listener: QueueListener | null = null;

  private constructor(
    private readonly project: TeamProject,
    private readonly events: EventBus,
  ) {
    this.runEvents = new Coalescer(RUN_EVENT_INTERVAL_MS, () => this.tellRuns(), logError);
    this.imageEvents = new Coalescer(IMAGE_EVENT_INTERVAL_MS, () => this.tellImages(), logError);
  }

  /** Listens to the project's queue (`url`: its postgres:// URL) until close. */
  static async start(
    project: TeamProject,
    events: EventBus,
    url: string,
  ): Promise<TeamLiveUpdates> {
    const live = new TeamLiveUpdates(project, events);
    live.listener = await QueueListener.listen(url, (n) => live.heard(n));
    return live;
  }

  private heard(n: QueueNotice): void {
    for (const r of n.runs) this.runs.add(r);
    for (const i of n.stored) this.stored.add(i);
    if (n.runs.length) this.runEvents.poke();
    if (n.stored.length) this.imageEvents.poke();
  }

  private async tellRuns(): Promise<void> {
    const runIds = [...this.runs];
    this.runs.clear();
    for (const runId of runIds) {
      const job = await this.project.runs.get(runId);
      // Workers elsewhere run its images: no image is current here (team-runs.ts).
      if (job) this.events.emit({ type: 'job', projectId: this.project.id, job, current: null });
    }
  }

  private async tellImages(): Promise<void> {
    const imageIds = [...this.stored];
    this.stored.clear();
    const batches = await this.project.catalog.batchesOf(imageIds);
    const projectId = this.project.id;
    if (batches.size <= IMAGE_EVENTS_PER_FLUSH) {
      for (const [imageId, batchId] of batches)
        this.events.emit({ type: 'images-changed', projectId, batchId, imageId });
      return;
    }
    for (const batchId of new Set(batches.values()))
      this.events.emit({ type: 'images-changed', projectId, batchId });
  }

  /** Stops listening; events being told are told first. */
  async close(): Promise<void> {
    await this.listener?.close();
    this.listener = null;
    await this.runEvents.close();
    await this.imageEvents.close();
  }
}
