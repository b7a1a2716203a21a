// The engine's open projects: one store per folder, also when two opens of it overlap, and the
// jobs a dead process left running marked once, when the folder opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectStore } from '../db/project-store';
import { JobStore } from '../db/store/job-store';
import { jobStore } from './jobs/job-runner';
import { ProjectRegistry } from './project-registry';

describe('ProjectRegistry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqw-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('two opens of one folder at once give one store and mark the dead jobs once', async () => {
    const folder = join(dir, 'p-twice');
    const store = ProjectStore.openOrCreate(folder);
    await jobStore(store).createRunning(
      { id: 'dead', kind: 'pipeline', params: {} },
      { owner: 'gone', expiresAt: Date.now() - 1 },
    );
    store.close();
    const projects = new ProjectRegistry();
    const marks = vi.spyOn(JobStore.prototype, 'markAbandoned');
    try {
      const [a, b] = await Promise.all([projects.open(folder), projects.openOrCreate(folder)]);
      expect(a).toBe(b);
      expect(projects.list()).toEqual([a]);
      expect(marks).toHaveBeenCalledTimes(1);
      await expect(marks.mock.results[0]!.value).resolves.toBe(1);
      // Open already: the same store, nothing marked again.
      expect(await projects.open(join(folder, '.'))).toBe(a);
      expect(marks).toHaveBeenCalledTimes(1);
    } finally {
      marks.mockRestore();
      projects.closeAll();
    }
  });

  it('an open that fails is not remembered: the folder can be opened once it is a project', async () => {
    const folder = join(dir, 'p-later');
    const projects = new ProjectRegistry();
    try {
      await expect(projects.open(folder)).rejects.toThrow(/not a project folder/);
      const made = await projects.openOrCreate(folder, 'Later');
      expect(await projects.open(folder)).toBe(made);
    } finally {
      projects.closeAll();
    }
  });

  it('an open still in progress when the engine closes is closed, not listed', async () => {
    const folder = join(dir, 'p-closing');
    ProjectStore.openOrCreate(folder).close();
    const projects = new ProjectRegistry();
    const opening = projects.open(folder);
    projects.closeAll();
    await expect(opening).rejects.toThrow(/closed while the project opened/);
    expect(projects.list()).toEqual([]);
    // Opened again afterwards: a fresh store, listed.
    const again = await projects.open(folder);
    expect(projects.list()).toEqual([again]);
    expect(again.db.open).toBe(true);
    projects.closeAll();
  });
});
