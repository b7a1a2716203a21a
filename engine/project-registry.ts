// The projects this engine has open, by id. A project is a folder (db/project-store.ts); the same
// folder opened twice gives the same store.
import { resolve } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { NotFoundError } from './errors';

export class ProjectRegistry {
  private readonly byId = new Map<string, ProjectStore>();

  open(folder: string): ProjectStore {
    const existing = this.findByFolder(folder);
    if (existing) return existing;
    return this.add(ProjectStore.open(folder));
  }

  openOrCreate(folder: string, name?: string): ProjectStore {
    const existing = this.findByFolder(folder);
    if (existing) return existing;
    return this.add(ProjectStore.openOrCreate(folder, name));
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
  }

  private findByFolder(folder: string): ProjectStore | undefined {
    const dir = resolve(folder);
    return this.list().find((s) => s.folder === dir);
  }

  private add(store: ProjectStore): ProjectStore {
    store.jobs.markInterrupted();
    this.byId.set(store.id, store);
    return store;
  }
}
