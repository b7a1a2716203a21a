// HTTP(S) download of model files: to `<file>.part`, resumed with a Range header (a server that
// answers 200 instead of 206 restarts the file), retried after a cut connection, bounded by an idle
// timeout, cancellable with an AbortSignal, checked against size and sha256, then renamed in place.
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  renameSync,
  rmSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import type { ModelManifest } from './manifest';
import type { InstallRecord, ModelStore } from './store';

export interface DownloadProgress {
  /** Bytes on disk for this file (including resumed bytes). */
  received: number;
  /** Expected total for this file, when the server or the manifest says. */
  total: number | null;
  file: string;
}

export interface DownloadFileOptions {
  /** For error messages: "model <label>". */
  label: string;
  sha256?: string | null;
  size?: number | null;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** No bytes for this long → the attempt fails (and is retried). Default 30 s. */
  idleTimeoutMs?: number;
  /** Attempts after a network error (cut connection, idle timeout). Default 3. */
  retries?: number;
  /** Delay between attempts; default 500 ms. */
  retryDelayMs?: number;
  /** Redirects to follow (Hugging Face / GitHub redirect to CDNs). Default 5. */
  maxRedirects?: number;
  /** How to install without the network, appended when a host cannot be reached. */
  offlineHint?: string;
}

export class DownloadError extends Error {
  constructor(
    message: string,
    /** false: retrying cannot help (HTTP 4xx, checksum mismatch, cancelled). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface DownloadFileResult {
  path: string;
  size: number;
  sha256: string;
  /** Bytes that were already in .part and kept. */
  resumedFrom: number;
  attempts: number;
}

export async function downloadFile(
  url: string,
  dest: string,
  opts: DownloadFileOptions,
): Promise<DownloadFileResult> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const retries = opts.retries ?? 3;
  const resumedFrom = existsSync(part) ? statSync(part).size : 0;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      await attempt(url, part, opts, opts.maxRedirects ?? 5);
      break;
    } catch (err) {
      const e = err instanceof DownloadError ? err : new DownloadError(String(err), true);
      if (!e.retryable || attempts > retries || opts.signal?.aborted) throw e;
      await sleep(opts.retryDelayMs ?? 500, opts.signal);
    }
  }
  const size = statSync(part).size;
  if (opts.size != null && size !== opts.size) {
    rmSync(part, { force: true });
    throw new DownloadError(
      `model ${opts.label}: ${url} gave ${size} bytes, the manifest expects ${opts.size}; partial file deleted`,
      false,
    );
  }
  const sha256 = await hashFile(part);
  if (opts.sha256 && sha256 !== opts.sha256.toLowerCase()) {
    rmSync(part, { force: true });
    throw new DownloadError(
      `model ${opts.label}: checksum mismatch for ${url}: expected sha256 ${opts.sha256}, got ${sha256}; partial file deleted`,
      false,
    );
  }
  renameSync(part, dest);
  return { path: dest, size, sha256, resumedFrom, attempts };
}

function attempt(
  url: string,
  part: string,
  opts: DownloadFileOptions,
  redirectsLeft: number,
): Promise<void> {
  return new Promise<void>((resolvePromise, rejectPromise) => {
    if (opts.signal?.aborted) {
      rejectPromise(cancelled(opts.label, url));
      return;
    }
    const have = existsSync(part) ? statSync(part).size : 0;
    const u = new URL(url);
    const client = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!client) {
      rejectPromise(new DownloadError(`model ${opts.label}: unsupported URL ${url}`, false));
      return;
    }
    const idleMs = opts.idleTimeoutMs ?? 30_000;
    let settled = false;
    let idleTimer: ReturnType<typeof setTimeout> | null = null;
    let out: WriteStream | null = null;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (idleTimer) clearTimeout(idleTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const done = () => (err ? rejectPromise(err) : resolvePromise());
      // Wait until the .part file is closed, so a retry sees its final size.
      if (out && !out.closed) {
        if (!out.writableEnded) out.end();
        out.once('close', done);
      } else done();
    };
    const armIdle = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        req.destroy(
          new DownloadError(
            `model ${opts.label}: no data from ${u.host} for ${Math.round(idleMs / 100) / 10} s`,
            true,
          ),
        );
      }, idleMs);
    };
    const onAbort = () => req.destroy(cancelled(opts.label, url));

    const headers: Record<string, string> = { 'user-agent': 'sqw-model-manager' };
    if (have > 0) headers.range = `bytes=${have}-`;
    const req = client.get(u, { headers }, (res) => {
      armIdle();
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirectsLeft <= 0) {
          finish(new DownloadError(`model ${opts.label}: too many redirects from ${url}`, false));
          return;
        }
        const next = new URL(res.headers.location, u).toString();
        if (idleTimer) clearTimeout(idleTimer);
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        attempt(next, part, opts, redirectsLeft - 1).then(resolvePromise, rejectPromise);
        return;
      }
      if (status === 416 && have > 0) {
        // Our .part is not a prefix the server can continue: start over.
        res.resume();
        rmSync(part, { force: true });
        finish(new DownloadError(`model ${opts.label}: server refused the resume range`, true));
        return;
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        const retryable = status >= 500 || status === 429;
        finish(
          new DownloadError(
            `model ${opts.label}: download of ${url} failed: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd(),
            retryable,
          ),
        );
        return;
      }
      let append = status === 206;
      if (append) {
        const start = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
        if (start !== undefined && Number(start) !== have) append = false;
      }
      const offset = append ? have : 0;
      const length = Number(res.headers['content-length']);
      const total = Number.isFinite(length) ? offset + length : (opts.size ?? null);
      let received = offset;
      const stream = createWriteStream(part, { flags: append ? 'a' : 'w' });
      out = stream;
      opts.onProgress?.({ received, total, file: part });
      res.on('data', (chunk: Buffer) => {
        armIdle();
        received += chunk.length;
        opts.onProgress?.({ received, total, file: part });
      });
      res.on('aborted', () =>
        req.destroy(
          new DownloadError(`model ${opts.label}: connection cut at ${received} bytes`, true),
        ),
      );
      res.on('error', (err) => finish(asDownloadError(err, opts, u.host)));
      res.pipe(stream);
      stream.on('error', (err) =>
        finish(new DownloadError(`model ${opts.label}: ${err.message}`, false)),
      );
      stream.on('finish', () => {
        if (settled) return;
        if (!res.complete || (Number.isFinite(length) && received !== offset + length)) {
          finish(
            new DownloadError(`model ${opts.label}: connection cut at ${received} bytes`, true),
          );
        } else {
          finish();
        }
      });
    });
    req.on('error', (err) => finish(asDownloadError(err, opts, u.host)));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    armIdle();
  });
}

/** Errors that mean the host was not reached at all (offline, DNS, firewall), not a bad reply. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);

function asDownloadError(
  err: Error,
  opts: Pick<DownloadFileOptions, 'label' | 'offlineHint'>,
  host: string,
): DownloadError {
  if (err instanceof DownloadError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE.has(code)) {
    const hint = opts.offlineHint ? `; ${opts.offlineHint}` : '';
    return new DownloadError(
      `model ${opts.label}: could not reach ${host} (${code}) — no network, or the host is blocked${hint}`,
      true,
    );
  }
  return new DownloadError(`model ${opts.label}: ${err.message}`, true);
}

function cancelled(label: string, url: string): DownloadError {
  return new DownloadError(
    `model ${label}: download of ${url} cancelled (partial file kept for resume)`,
    false,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, rejectPromise) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', rejectPromise)
      .on('end', () => resolvePromise(h.digest('hex')));
  });
}

export interface ModelDownloadProgress extends DownloadProgress {
  fileIndex: number;
  fileCount: number;
}

export interface DownloadModelOptions extends Omit<
  DownloadFileOptions,
  'label' | 'onProgress' | 'sha256' | 'size'
> {
  onProgress?: (p: ModelDownloadProgress) => void;
  /**
   * A Hugging Face mirror to fetch hub files from (default $HF_ENDPOINT, the variable
   * huggingface_hub reads): same paths, same pins, another host.
   */
  hubEndpoint?: string | null;
}

const HUB = 'https://huggingface.co/';

/** The URL to fetch: a hub URL moved to the mirror's origin, other URLs as they are. */
export function mirrored(url: string, endpoint: string | null | undefined): string {
  if (!endpoint || !url.startsWith(HUB)) return url;
  return `${endpoint.replace(/\/+$/, '')}/${url.slice(HUB.length)}`;
}

/** Download every file of a model that is not already in place, then write its install record. */
export async function downloadModel(
  manifest: ModelManifest,
  store: ModelStore,
  opts: DownloadModelOptions = {},
): Promise<InstallRecord> {
  const noUrl = manifest.files.filter((f) => f.url === null);
  if (noUrl.length > 0) {
    throw new DownloadError(
      `model ${manifest.id}: no download URL for ${noUrl.map((f) => f.path).join(', ')}; import a local export with "sqw models import ${manifest.id} <path>"`,
      false,
    );
  }
  store.ensureModelDir(manifest.id);
  const files: InstallRecord['files'] = [];
  for (const [i, f] of manifest.files.entries()) {
    const dest = store.filePath(manifest, f.path);
    if (existsSync(dest) && (f.size == null || statSync(dest).size === f.size)) {
      const sha256 = await hashFile(dest);
      if (!f.sha256 || f.sha256 === sha256) {
        files.push({ path: f.path, size: statSync(dest).size, sha256, revision: f.revision });
        continue;
      }
      rmSync(dest);
    }
    const url = mirrored(f.url as string, opts.hubEndpoint ?? process.env.HF_ENDPOINT);
    const r = await downloadFile(url, dest, {
      ...opts,
      label: `${manifest.id} (${f.path})`,
      offlineHint:
        opts.offlineHint ??
        `to install without this host, fetch ${url} elsewhere and import the model's folder or .onnx file: sqw models import ${manifest.id} <path> (or "Import local copy" in the Models panel)`,
      sha256: f.sha256,
      size: f.size,
      onProgress: (p) =>
        opts.onProgress?.({ ...p, file: f.path, fileIndex: i, fileCount: manifest.files.length }),
    });
    files.push({ path: f.path, size: r.size, sha256: r.sha256, revision: f.revision });
  }
  const record: InstallRecord = {
    id: manifest.id,
    installedAt: new Date().toISOString(),
    how: 'download',
    source: manifest.source,
    files,
  };
  store.writeRecord(record);
  return record;
}

export interface ModelsDownloadProgress extends ModelDownloadProgress {
  id: string;
  modelIndex: number;
  modelCount: number;
}

/**
 * Download several models one after another (the "get models" step): one cancel stops the lot,
 * finished models stay installed and a partial file resumes next time. Stops at the first failure
 * and says which models it had installed.
 */
export async function downloadModels(
  manifests: readonly ModelManifest[],
  store: ModelStore,
  opts: Omit<DownloadModelOptions, 'onProgress'> & {
    onProgress?: (p: ModelsDownloadProgress) => void;
  } = {},
): Promise<InstallRecord[]> {
  const records: InstallRecord[] = [];
  for (const [i, m] of manifests.entries()) {
    if (store.state(m).installed) continue;
    try {
      records.push(
        await downloadModel(m, store, {
          ...opts,
          onProgress: (p) =>
            opts.onProgress?.({ ...p, id: m.id, modelIndex: i, modelCount: manifests.length }),
        }),
      );
    } catch (err) {
      const done = records.map((r) => r.id);
      const e = err instanceof DownloadError ? err : new DownloadError(String(err), false);
      throw new DownloadError(
        `${e.message}${done.length ? ` (installed before it: ${done.join(', ')})` : ''}`,
        e.retryable,
      );
    }
  }
  return records;
}
