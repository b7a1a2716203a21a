// Live updates of a served team project's pipeline runs. The workers run in other processes (on
// other machines) and tell the queue's changes by PostgreSQL NOTIFY (db/queue/queue-notices.ts);
// this server turns them into the events a desktop run pushes to its clients: a `job` event with
// the run's counts read from the queue (the same Job as jobs.get), at most every
// RUN_EVENT_INTERVAL_MS per run as the desktop's job runner writes progress, and `images-changed`
// for the images a worker stored, so views of them reload. Notices sent while the listener was
// reconnecting are missed: once it listens again, every run live now or changed since it was last
// told is read and told afresh, and every batch of the project is told changed, so clients reload
// what workers stored meanwhile.
import type { Job } from '../../contract/entities';
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

/** A run whose counts can still change: told after a reconnect whether or not it changed. */
const LIVE_STATUSES: ReadonlySet<Job['status']> = new Set(['queued', 'running', 'paused']);
/** What was told of a run, to know after a reconnect whether it changed meanwhile. */
const told = (job: Job) => JSON.stringify(job);

export class TeamLiveUpdates {
  private readonly runs = new Set<string>();
  private readonly stored = new Set<number>();
  /** Each run as last told (or as found at start), by run id. */
  private readonly lastTold = new Map<string, string>();
  /** Set by a reconnect: the next telling reads every run, or every batch, afresh. */
  private rereadRuns = false;
  private rereadImages = false;
  private seeding: Promise<void> | null = null;
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
    live.listener = await QueueListener.listen(url, (n) => live.heard(n), {
      onRelisten: () => live.relistened(),
    });
    // The runs as they are now, so a reconnect tells only those changed since, not every old run
    // (should this read fail, the first reconnect tells them all).
    live.seeding = project.runs.list().then((jobs) => {
      for (const job of jobs) if (!live.lastTold.has(job.id)) live.lastTold.set(job.id, told(job));
    }, logError);
    return live;
  }

  private heard(n: QueueNotice): void {
    for (const r of n.runs) this.runs.add(r);
    for (const i of n.stored) this.stored.add(i);
    if (n.runs.length) this.runEvents.poke();
    if (n.stored.length) this.imageEvents.poke();
  }

  /** Listening again after a lost connection: what changed meanwhile was not heard. */
  private relistened(): void {
    this.rereadRuns = true;
    this.rereadImages = true;
    this.runEvents.poke();
    this.imageEvents.poke();
  }

  private async tellRuns(): Promise<void> {
    const runIds = [...this.runs];
    this.runs.clear();
    const reread = this.rereadRuns;
    this.rereadRuns = false;
    try {
      const jobs: Job[] = [];
      if (reread) {
        for (const job of await this.project.runs.list())
          if (
            runIds.includes(job.id) ||
            LIVE_STATUSES.has(job.status) ||
            this.lastTold.get(job.id) !== told(job)
          )
            jobs.push(job);
      } else {
        for (const runId of runIds) {
          const job = await this.project.runs.get(runId);
          if (job) jobs.push(job);
        }
      }
      for (const job of jobs) {
        this.lastTold.set(job.id, told(job));
        // Workers elsewhere run its images: no image is current here (team-runs.ts).
        this.events.emit({ type: 'job', projectId: this.project.id, job, current: null });
      }
    } catch (err) {
      // Read again at the next telling.
      if (reread) this.rereadRuns = true;
      throw err;
    }
  }

  private async tellImages(): Promise<void> {
    const projectId = this.project.id;
    if (this.rereadImages) {
      this.rereadImages = false;
      this.stored.clear();
      try {
        for (const { id } of await this.project.catalog.listBatches())
          this.events.emit({ type: 'images-changed', projectId, batchId: id });
      } catch (err) {
        this.rereadImages = true;
        throw err;
      }
      return;
    }
    const imageIds = [...this.stored];
    this.stored.clear();
    const batches = await this.project.catalog.batchesOf(imageIds);
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
    await this.seeding;
    await this.runEvents.close();
    await this.imageEvents.close();
  }
}
