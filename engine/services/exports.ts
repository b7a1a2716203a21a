// The `exports` namespace: an export runs as a job of the project (progress as `job` events,
// cancel with jobs.cancel); a bad target folder or a read-only project is refused before the job
// starts.
import type { ApiHandlers } from '../../contract/api';
import type { ExportOptionsInput, ExportResult } from '../../contract/exports';
import { sqliteHandle } from '../../db/store/connect';
import { JobStore } from '../../db/store/job-store';
import { NotFoundError, UserInputError } from '../errors';
import { EvalInputError, loadBench, loadPredictions } from '../eval/load';
import { scoreBench } from '../eval/score';
import { exportProject, refuseUnlinkable, resolveExportOptions } from '../export/export';
import { desktopExportProject, type ExportProject } from '../export/export-project';
import { checkExportTarget, ExportError } from '../export/safe-output';
import type { ServiceContext } from '../service';

/** Bad options, a read-only project or a bad target folder: refused before the export starts. */
export async function refuseBadExport(
  project: ExportProject,
  options: ExportOptionsInput,
): Promise<void> {
  try {
    refuseUnlinkable(project, resolveExportOptions(options));
    project.checkWritable();
    checkExportTarget(options.outDir, {
      force: options.force ?? false,
      protect: await project.protectedPlaces(),
    });
  } catch (err) {
    if (err instanceof ExportError) throw new UserInputError(err.message);
    throw err;
  }
}

/** The one-line summary of a finished export (the job's message). */
export function exportMessage(result: ExportResult): string {
  const skipped = Object.values(result.skipped).reduce((a, b) => a + b, 0);
  return `${result.format}: ${result.records} records, ${result.qa} QA, ${result.objects} objects from ${result.images} images in ${result.outDir}${skipped ? `; ${skipped} QA skipped` : ''}`;
}

/** The project's recorded exports, newest first (exports.list). */
export async function listExports(project: ExportProject) {
  return (await project.rows.exports()).map((e) => ({
    id: e.id,
    format: e.format,
    outDir: e.outDir,
    options: JSON.parse(e.optionsJson) as unknown,
    counts: JSON.parse(e.countsJson) as unknown,
    checksum: e.checksum,
    createdAt: e.createdAt,
  }));
}

export function createExportsHandlers(ctx: ServiceContext): ApiHandlers['exports'] {
  return {
    start: async ({ projectId, options }) => {
      const store = ctx.projects.get(projectId);
      const project = desktopExportProject(store);
      await refuseBadExport(project, options);
      const row = await ctx.jobs.start(store, 'export', options, async ({ signal, progress }) => {
        const result = await exportProject(project, options, {
          signal,
          onProgress: (done, total, current) => progress({ total, done, current }),
        });
        return { result, message: exportMessage(result) };
      });
      return { jobId: row.id };
    },
    result: async ({ projectId, jobId }) => {
      const jobs = new JobStore(sqliteHandle(ctx.projects.get(projectId).db), 'sqlite');
      if (!(await jobs.get(jobId))) throw new NotFoundError(`job not found: ${jobId}`);
      return ((await jobs.result(jobId)) as ExportResult | null) ?? null;
    },
    list: async ({ projectId }) => listExports(desktopExportProject(ctx.projects.get(projectId))),
    evaluate: evaluateBench,
  };
}

/**
 * Scores a predictions file against a spatialrgpt-bench export (exports.evaluate): both files on
 * the engine's machine, read by `sqw eval`'s own code; the project is not read, so a desktop and a
 * team server answer alike. Bad input is the caller's to fix.
 */
export const evaluateBench: ApiHandlers['exports']['evaluate'] = async ({
  benchPath,
  predictionsPath,
}) => {
  try {
    return scoreBench(await loadBench(benchPath), await loadPredictions(predictionsPath));
  } catch (err) {
    if (err instanceof EvalInputError) throw new UserInputError(err.message);
    throw err;
  }
};
