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

export function createEngine(opts: {
  transport: 'ipc' | 'http';
  projectFolders?: string[];
}): Engine {
  const events = new EventBus();
  const projects = new ProjectRegistry();
  const jobs = new JobRunner(events);
  const rederive = new RederiveQueue(events);
  for (const folder of opts.projectFolders ?? []) projects.openOrCreate(folder);
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
