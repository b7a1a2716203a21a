// One engine instance: its open projects, job runner, event bus and the dispatcher over its service.
// Both the HTTP server and the IPC entry build exactly this.
import { EventBus } from './event-bus';
import { JobRunner } from './jobs/job-runner';
import { RederiveQueue } from './pipeline/rederive';
import { ProjectRegistry } from './project-registry';
import { createDispatcher, type Dispatch } from './rpc/dispatch';
import { createService } from './service';

export interface Engine {
  projects: ProjectRegistry;
  jobs: JobRunner;
  events: EventBus;
  rederive: RederiveQueue;
  dispatch: Dispatch;
  close(): Promise<void>;
}

/**
 * An engine with `projectFolders` open (created when missing); fails with the folder's reason
 * when one cannot be opened, leaving none of them open.
 */
export async function createEngine(opts: {
  transport: 'ipc' | 'http';
  projectFolders?: string[];
}): Promise<Engine> {
  const events = new EventBus();
  const projects = new ProjectRegistry();
  const jobs = new JobRunner(events);
  const rederive = new RederiveQueue(events);
  try {
    for (const folder of opts.projectFolders ?? []) await projects.openOrCreate(folder);
  } catch (err) {
    projects.closeAll();
    throw err;
  }
  const dispatch = createDispatcher(
    createService({ projects, jobs, events, rederive, transport: opts.transport }),
  );
  return {
    projects,
    jobs,
    events,
    rederive,
    dispatch,
    async close() {
      jobs.abortAll();
      await jobs.settleAll();
      await rederive.idle();
      projects.closeAll();
    },
  };
}
