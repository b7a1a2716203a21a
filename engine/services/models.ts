// The `models` namespace: catalogue + installed state, download (a job in the caller's project),
// import, verify (child process) and remove. Models live in the per-user folder resolved by
// native-models/store.ts ($SQW_MODELS_DIR overrides it, which the tests use).
import type { ApiHandlers } from '../../contract/api';
import { CATALOGUE, findManifest } from '../../native-models/catalogue';
import { downloadModel, downloadModels } from '../../native-models/download';
import { recommendForPhotos } from '../../native-models/recommend';
import { importModel } from '../../native-models/import-local';
import { modelInfo, recordFailure, recordVerification } from '../../native-models/model-info';
import { ModelStore } from '../../native-models/store';
import { verifyModel } from '../../native-models/verify';
import { NotFoundError, UserInputError } from '../errors';
import type { ServiceContext } from '../service';

export function createModelsHandlers(ctx: ServiceContext): ApiHandlers['models'] {
  // Resolved per call so a changed $SQW_MODELS_DIR (tests, a settings change) is honoured.
  const store = () => new ModelStore();
  const manifest = (id: string) => {
    try {
      return findManifest(id);
    } catch (err) {
      throw new NotFoundError((err as Error).message);
    }
  };

  return {
    list: async () => {
      const s = store();
      return { modelsDir: s.dir, models: CATALOGUE.map((m) => modelInfo(m, s)) };
    },

    download: async ({ projectId, id }) => {
      const man = manifest(id);
      const s = store();
      const project = ctx.projects.get(projectId);
      const row = await ctx.jobs.start(
        project,
        'model-download',
        { id },
        async ({ signal, progress }) => {
          try {
            const record = await downloadModel(man, s, {
              signal,
              // Progress in whole megabytes of the current file: the job counters are integers.
              onProgress: (p) =>
                progress({
                  total: Math.max(1, Math.round((p.total ?? p.received) / 1e6)),
                  done: Math.round(p.received / 1e6),
                  current: `${p.fileIndex + 1}/${p.fileCount} ${p.file}`,
                }),
            });
            const bytes = record.files.reduce((n, f) => n + f.size, 0);
            return {
              result: record,
              message: `${id}: ${record.files.length} files, ${(bytes / 1e6).toFixed(1)} MB`,
            };
          } catch (err) {
            if (!signal.aborted) recordFailure(s, id, 'download', (err as Error).message);
            throw err;
          }
        },
      );
      return { jobId: row.id };
    },

    import: async ({ id, path }) => {
      const man = manifest(id);
      const s = store();
      try {
        const r = await importModel(man, path, s);
        return { model: modelInfo(man, s), copied: r.copied, skipped: r.skipped };
      } catch (err) {
        const message = (err as Error).message;
        recordFailure(s, id, 'import', message);
        throw new UserInputError(message);
      }
    },

    verify: async ({ id, device, timeoutS }) => {
      const man = manifest(id);
      const s = store();
      const v = await verifyModel(man, s, { device, timeoutMs: timeoutS * 1000 });
      const status = recordVerification(s, v, device);
      return { model: modelInfo(man, s), verification: status.verification! };
    },

    remove: async ({ id }) => {
      manifest(id);
      return store().remove(id);
    },

    photoPlan: async () => recommendForPhotos(CATALOGUE, store()),

    getForPhotos: async ({ projectId }) => {
      const s = store();
      const plan = recommendForPhotos(CATALOGUE, s);
      const ids = plan.missingModels.map((m) => m.id);
      if (ids.length === 0) return { jobId: null, ids };
      const project = ctx.projects.get(projectId);
      const row = await ctx.jobs.start(
        project,
        'model-download',
        { ids },
        async ({ signal, progress }) => {
          let current = ids[0]!;
          try {
            const records = await downloadModels(ids.map(manifest), s, {
              signal,
              onProgress: (p) => {
                current = p.id;
                progress({
                  total: Math.max(1, Math.round((p.total ?? p.received) / 1e6)),
                  done: Math.round(p.received / 1e6),
                  current: `model ${p.modelIndex + 1}/${p.modelCount} ${p.id}: file ${p.fileIndex + 1}/${p.fileCount} ${p.file}`,
                });
              },
            });
            const bytes = records.flatMap((r) => r.files).reduce((n, f) => n + f.size, 0);
            return {
              result: records,
              message: `${records.map((r) => r.id).join(', ') || 'nothing new'}: ${(bytes / 1e6).toFixed(1)} MB`,
            };
          } catch (err) {
            if (!signal.aborted) recordFailure(s, current, 'download', (err as Error).message);
            throw err;
          }
        },
      );
      return { jobId: row.id, ids };
    },
  };
}
