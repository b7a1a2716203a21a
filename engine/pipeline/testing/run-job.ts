// Test helper: a pipeline job run to the end through the same JobRunner path the service uses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProjectStore } from '../../../db/project-store';
import type { Job } from '../../../contract/entities';
import { EventBus } from '../../event-bus';
import { JobRunner } from '../../jobs/job-runner';
import {
  jobStore,
  startPipelineJob,
  type PipelineJobParams,
  type PipelineRunEnv,
} from '../pipeline-jobs';
import type { RunSummary } from '../run';
import { ALL_STAGES } from '../stages';

/** An empty models folder, so a developer's installed models never leak into a test. */
export const NO_MODELS = mkdtempSync(join(tmpdir(), 'sqw-no-models-'));

export async function runJob(
  store: ProjectStore,
  params: Partial<PipelineJobParams> = {},
  env: PipelineRunEnv = {},
): Promise<{ job: Job; summary: RunSummary; runner: JobRunner; events: EventBus }> {
  const events = new EventBus();
  const runner = new JobRunner(events);
  const row = await startPipelineJob(
    runner,
    store,
    {
      stages: params.stages ?? [...ALL_STAGES],
      onlyPending: params.onlyPending ?? false,
      seed: params.seed ?? '1',
      device: params.device ?? 'cpu',
      labels: params.labels ?? [],
    },
    { modelsDir: NO_MODELS, workers: 0, ...env },
  );
  await runner.settled(row.id);
  const jobs = jobStore(store);
  const job = (await jobs.get(row.id))!;
  return { job, summary: (await jobs.result(row.id)) as RunSummary, runner, events };
}

/** A temp folder (own helper: engine/test/helpers starts a whole engine, which these tests need not). */
export function tempFolder(prefix = 'sqw-pipeline-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
