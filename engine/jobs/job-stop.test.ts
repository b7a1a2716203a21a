// A job body that stops by throwing its signal's reason (the export calls signal.throwIfAborted())
// ends as what the reviewer asked for, not as a failure.
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../../db/project-store';
import { EventBus } from '../event-bus';
import { tempFolder } from '../pipeline/testing/run-job';
import { JobRunner, jobStore } from './job-runner';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function project(): ProjectStore {
  const folder = tempFolder('sqw-job-stop-');
  const store = ProjectStore.openOrCreate(folder.path, 'p');
  cleanups.push(() => {
    store.close();
    folder.remove();
  });
  return store;
}

/** A body that waits until it is stopped, then throws as throwIfAborted does. */
const untilStopped = async ({ signal }: { signal: AbortSignal }) => {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  signal.throwIfAborted();
  return { result: null };
};

describe('a job stopped by its own abort', () => {
  it('cancelled: ends cancelled with the message, not failed', async () => {
    const store = project();
    const runner = new JobRunner(new EventBus());
    const job = await runner.start(store, 'export', {}, untilStopped);
    await runner.cancel(store, job.id);
    await runner.settled(job.id);
    expect(await jobStore(store).get(job.id)).toMatchObject({
      status: 'cancelled',
      message: 'cancelled by the user',
    });
  });

  it('paused: ends paused', async () => {
    const store = project();
    const runner = new JobRunner(new EventBus());
    const job = await runner.start(store, 'pipeline', {}, untilStopped, { resumable: true });
    await runner.pause(store, job.id);
    await runner.settled(job.id);
    expect((await jobStore(store).get(job.id))!.status).toBe('paused');
  });

  it('a body that fails for its own reason still fails with its message', async () => {
    const store = project();
    const runner = new JobRunner(new EventBus());
    const job = await runner.start(store, 'export', {}, async () => {
      throw new Error('disk full');
    });
    await runner.settled(job.id);
    expect(await jobStore(store).get(job.id)).toMatchObject({
      status: 'failed',
      message: 'disk full',
    });
  });
});
