// One model's catalogue entry joined with what the models folder holds: the shape `sqw models list`
// and the engine's models.list report. Plain data, no I/O beyond the store.
import { existsSync } from 'node:fs';
import type { ModelManifest } from './manifest';
import type { Device } from './providers';
import type { LoadReport } from './session-pool';
import type { ModelStore, StatusRecord } from './store';
import type { ModelVerification } from './verify';

export interface ModelFileInfo {
  path: string;
  /** Exact size the manifest pins; null when no source gave it. */
  size: number | null;
  /** The hub's rounded size ("151 MB"), for people, when the exact one is unknown. */
  approxSize: string | null;
  /** Commit the URL is pinned to; null = unpinned (follows a branch, or import only). */
  revision: string | null;
  /** sha256 the manifest pins; null when unknown. */
  sha256: string | null;
  /** sha256 and size recorded when the file was downloaded or imported. */
  installedSha256: string | null;
  installedSize: number | null;
  license: string;
  present: boolean;
  partial: boolean;
}

export interface ModelInfo {
  id: string;
  task: ModelManifest['task'];
  displayName: string;
  source: string;
  licenses: string[];
  downloadable: boolean;
  verifiedChecksum: boolean;
  /** Every file's URL names a commit (see ModelFileInfo.revision). */
  pinned: boolean;
  files: ModelFileInfo[];
  installed: boolean;
  installedAt: string | null;
  installedHow: 'download' | 'import' | null;
  bytesOnDisk: number;
  verification: StatusRecord['verification'];
  provider: string | null;
  lastError: StatusRecord['lastError'];
}

export function modelInfo(manifest: ModelManifest, store: ModelStore): ModelInfo {
  const state = store.state(manifest);
  const status = store.readStatus(manifest.id);
  return {
    id: manifest.id,
    task: manifest.task,
    displayName: manifest.displayName,
    source: manifest.source,
    licenses: [...new Set(manifest.files.map((f) => f.license))],
    downloadable: manifest.files.every((f) => f.url !== null),
    verifiedChecksum: manifest.verifiedChecksum,
    pinned: manifest.files.every((f) => f.revision !== null),
    files: manifest.files.map((f) => {
      const p = store.filePath(manifest, f.path);
      const rec = state.record?.files.find((r) => r.path === f.path) ?? null;
      return {
        path: f.path,
        size: f.size,
        approxSize: f.approxSize,
        revision: f.revision,
        sha256: f.sha256,
        installedSha256: rec?.sha256 ?? null,
        installedSize: rec?.size ?? null,
        license: f.license,
        present: existsSync(p),
        partial: existsSync(`${p}.part`),
      };
    }),
    installed: state.installed,
    installedAt: state.record?.installedAt ?? null,
    installedHow: state.record?.how ?? null,
    bytesOnDisk: store.bytesOnDisk(manifest.id),
    verification: status.verification,
    provider: status.provider,
    lastError: status.lastError,
  };
}

/** Persist a verification: its per-graph result, the provider that loaded it, and any failure. */
export function recordVerification(
  store: ModelStore,
  v: ModelVerification,
  device: Device,
): StatusRecord {
  const at = new Date().toISOString();
  const graphs = v.graphs.map((g) => ({
    graph: g.graph,
    file: g.file,
    ok: g.ok,
    error: g.error,
    problems: g.contract?.problems ?? [],
    provider: g.load?.provider ?? null,
    attempts: (g.load?.attempts ?? []).map((a) => ({
      provider: a.provider,
      ok: a.ok,
      error: a.error,
    })),
  }));
  const failed = graphs.find((g) => !g.ok);
  const badFile = v.files.find((f) => !f.ok);
  const provider = graphs.find((g) => g.provider)?.provider ?? null;
  return store.updateStatus(v.id, {
    verification: { ok: v.ok, at, device, graphs, files: v.files },
    provider,
    lastError: failed
      ? {
          operation: 'verify',
          message: `${failed.graph}: ${failed.error ?? failed.problems.join('; ')}`,
          at,
        }
      : badFile
        ? { operation: 'verify', message: `${badFile.path}: ${badFile.problem}`, at }
        : null,
  });
}

/** Persist an in-process load (a pipeline run): the provider it got, or why none loaded it. */
export function recordLoad(store: ModelStore, report: LoadReport): void {
  if (!existsSync(store.modelDir(report.modelId))) return;
  const failure = report.attempts.filter((a) => !a.ok).at(-1);
  store.updateStatus(report.modelId, {
    provider: report.provider,
    ...(report.provider === null && failure
      ? {
          lastError: {
            operation: 'load',
            message: `${failure.provider}: ${failure.error ?? 'failed'}`,
            at: new Date().toISOString(),
          },
        }
      : {}),
  });
}

/** Persist a failure of a download or import. */
export function recordFailure(
  store: ModelStore,
  id: string,
  operation: string,
  message: string,
): void {
  store.updateStatus(id, { lastError: { operation, message, at: new Date().toISOString() } });
}
