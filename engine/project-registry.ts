// The projects this engine has open, by id. A project is a folder (db/project-store.ts); the same
// folder opened twice gives the same store, also when the two opens overlap.
import { resolve } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { NotFoundError } from './errors';
import { jobStore } from './jobs/job-runner';

export class ProjectRegistry {
  private readonly byId = new Map<string, ProjectStore>();
  /** Opens still in progress, by resolved folder: a second open of one folder waits for the first. */
  private readonly opening = new Map<string, Promise<ProjectStore>>();
  /** Counts closeAll calls: an open that began before one must not list its store after it. */
  private closings = 0;

  open(folder: string): Promise<ProjectStore> {
    return this.openOnce(folder, () => ProjectStore.open(folder));
  }

  openOrCreate(folder: string, name?: string): Promise<ProjectStore> {
    return this.openOnce(folder, () => ProjectStore.openOrCreate(folder, name));
  }

  get(projectId: string): ProjectStore {
    const store = this.byId.get(projectId);
    if (!store) throw new NotFoundError(`project not open: ${projectId}`);
    return store;
  }

  list(): ProjectStore[] {
    return [...this.byId.values()];
  }

  closeAll(): void {
    for (const store of this.byId.values()) store.close();
    this.byId.clear();
    this.opening.clear();
    this.closings++;
  }

  private openOnce(folder: string, connect: () => ProjectStore): Promise<ProjectStore> {
    const dir = resolve(folder);
    const existing = this.list().find((s) => s.folder === dir);
    if (existing) return Promise.resolve(existing);
    let pending = this.opening.get(dir);
    if (!pending) {
      pending = this.add(connect).finally(() => this.opening.delete(dir));
      this.opening.set(dir, pending);
    }
    return pending;
  }

  /**
   * Connects and, before the project is listed, marks the jobs a process that is gone left
   * running (db/store/job-store.ts markAbandoned).
   */
  private async add(connect: () => ProjectStore): Promise<ProjectStore> {
    const closings = this.closings;
    const store = connect();
    try {
      await jobStore(store).markAbandoned();
      if (this.closings !== closings)
        throw new Error(`the engine closed while the project opened: ${store.folder}`);
    } catch (err) {
      store.close();
      throw err;
    }
    this.byId.set(store.id, store);
    return store;
  }
}
