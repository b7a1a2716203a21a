// The `exports` namespace: an export runs as a job of the project (progress as `job` events,
// cancel with jobs.cancel); a bad target folder or a read-only project is refused before the job
// starts.
import type { ApiHandlers } from '../../contract/api';
import type { ExportResult } from '../../contract/exports';
import { ExportRowsRepository } from '../../db/repositories/export-rows';
import { NotFoundError, UserInputError } from '../errors';
import { EvalInputError, loadBench, loadPredictions } from '../eval/load';
import { scoreBench } from '../eval/score';
import {
  checkProjectWritable,
  exportProject,
  protectedFolders,
  resolveExportOptions,
} from '../export/export';
import { checkExportTarget, ExportError } from '../export/safe-output';
import type { ServiceContext } from '../service';

export function createExportsHandlers(ctx: ServiceContext): ApiHandlers['exports'] {
  return {
    start: async ({ projectId, options }) => {
      const store = ctx.projects.get(projectId);
      try {
        resolveExportOptions(options);
        checkProjectWritable(store);
        checkExportTarget(options.outDir, {
          force: options.force,
          protect: protectedFolders(store),
        });
      } catch (err) {
        if (err instanceof ExportError) throw new UserInputError(err.message);
        throw err;
      }
      const row = ctx.jobs.start(store, 'export', options, async ({ signal, progress }) => {
        const result = await exportProject(store, options, {
          signal,
          onProgress: (done, total, current) => progress({ total, done, current }),
        });
        const skipped = Object.values(result.skipped).reduce((a, b) => a + b, 0);
        return {
          result,
          message: `${result.format}: ${result.records} records, ${result.qa} QA, ${result.objects} objects from ${result.images} images in ${result.outDir}${skipped ? `; ${skipped} QA skipped` : ''}`,
        };
      });
      return { jobId: row.id };
    },
    result: async ({ projectId, jobId }) => {
      const store = ctx.projects.get(projectId);
      if (!store.jobs.get(jobId)) throw new NotFoundError(`job not found: ${jobId}`);
      return (store.jobs.result(jobId) as ExportResult | null) ?? null;
    },
    list: async ({ projectId }) =>
      new ExportRowsRepository(ctx.projects.get(projectId).db).exports().map((e) => ({
        id: e.id,
        format: e.format,
        outDir: e.outDir,
        options: JSON.parse(e.optionsJson) as unknown,
        counts: JSON.parse(e.countsJson) as unknown,
        checksum: e.checksum,
        createdAt: e.createdAt,
      })),
    evaluate: async ({ benchPath, predictionsPath }) => {
      try {
        return scoreBench(await loadBench(benchPath), await loadPredictions(predictionsPath));
      } catch (err) {
        if (err instanceof EvalInputError) throw new UserInputError(err.message);
        throw err;
      }
    },
  };
}
