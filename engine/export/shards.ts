// Large QA exports run in shards: worker threads that each write a range of image ids, so record
// building (SQLite reads, JSON parse and stringify: the CPU cost of an export) uses every core.
// The main thread merges the shards' parts in image order, so the output is byte for byte what a
// single thread writes (export.test.ts checks it).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExportCounts, ExportOptions } from '../../contract/exports';
import type { ShardResult } from './formats/types';
import type { SourceFilter } from './project-source';
import { ExportError } from './safe-output';

const WORKER_URL = new URL('./workers/shard-worker.mjs', import.meta.url);

/** Below this many images a shard's start-up (a thread, its module loading) costs more than it saves. */
export const SHARD_MIN_IMAGES = 4000;

export function defaultShardCount(images: number): number {
  return images < SHARD_MIN_IMAGES ? 1 : Math.max(1, Math.min(4, availableParallelism()));
}

export interface ShardInput {
  projectFolder: string;
  /** The export's temporary folder. */
  root: string;
  shard: number;
  opts: ExportOptions;
  media: Pick<ExportOptions, 'images' | 'depth'>;
  filter: SourceFilter;
}

export interface ShardOutput extends ShardResult {
  /** Images and depth maps the shard wrote, with their sha256. */
  files: Array<[string, string]>;
  counts: ExportCounts;
}

export type ShardMessage =
  | { progress: number; current: string | null }
  | { links: Array<[string, string]> }
  | { result: ShardOutput }
  | { error: string };

/**
 * Splits [first, last] into up to `n` contiguous ranges of image ids. The first range is a tenth
 * smaller than the others: it finishes first, and the main thread merges its part (reads it for
 * the checksum) while the others still run.
 */
export function shardRanges(bounds: [number, number], n: number): Array<[number, number]> {
  const [first, last] = bounds;
  const span = last - first + 1;
  const count = Math.max(1, Math.min(n, span));
  const weights = Array.from({ length: count }, (_, k) => (k === 0 && count > 1 ? 0.9 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Array<[number, number]> = [];
  let lo = first;
  let acc = 0;
  for (let k = 0; k < count; k++) {
    acc += weights[k]!;
    const hi = k === count - 1 ? last : first + Math.round((span * acc) / total) - 1;
    out.push([lo, Math.max(lo, hi)]);
    lo = Math.max(lo, hi) + 1;
  }
  return out;
}

/**
 * Runs one shard per range and hands each result to `merge` in range order, as soon as it and
 * every earlier one are done (merging overlaps the later shards). Any failure stops every shard.
 */
export async function runShards(
  base: Omit<ShardInput, 'shard' | 'filter'> & { filter: SourceFilter },
  ranges: Array<[number, number]>,
  run: {
    signal?: AbortSignal;
    onProgress(images: number, current: string | null): void;
    merge(result: ShardOutput): Promise<void>;
    /** Makes a link a shard asked for (relative path in the export, absolute target). */
    link(relPath: string, target: string): Promise<void>;
  },
): Promise<void> {
  run.signal?.throwIfAborted();
  const workers: Worker[] = [];
  const stopAll = () => Promise.all(workers.map((w) => w.terminate()));
  const onAbort = () => void stopAll();
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const finished: Array<ShardOutput | undefined> = [];
  let next = 0;
  let merging: Promise<void> = Promise.resolve();
  // Links in arrival order on the main thread's one link worker; a failure fails the export.
  let linking: Promise<void> = Promise.resolve();
  const queueLinks = (links: Array<[string, string]>) => {
    linking = linking.then(async () => {
      for (const [relPath, target] of links) await run.link(relPath, target);
    });
  };
  const settle = (shard: number, result: ShardOutput) => {
    finished[shard] = result;
    while (finished[next]) {
      const r = finished[next]!;
      finished[next++] = undefined;
      merging = merging.then(() => run.merge(r));
    }
    return merging;
  };
  try {
    await Promise.all(
      ranges.map(
        (range, shard) =>
          new Promise<void>((resolve, reject) => {
            const input: ShardInput = {
              ...base,
              shard,
              filter: { ...base.filter, imageRange: range },
            };
            const worker = new Worker(WORKER_URL, { workerData: input });
            workers.push(worker);
            let settled = false;
            worker.on('message', (msg: ShardMessage) => {
              if ('progress' in msg) run.onProgress(msg.progress, msg.current);
              else if ('links' in msg) queueLinks(msg.links);
              else if ('result' in msg) {
                settled = true;
                // Its links came before its result (message order) and are queued; merging does
                // not wait for them, the end of the run does.
                settle(shard, msg.result).then(() => resolve(), reject);
              } else {
                settled = true;
                reject(new ExportError(`export shard ${shard + 1}: ${msg.error}`));
              }
            });
            worker.on('error', (err) => {
              settled = true;
              reject(new ExportError(`export shard ${shard + 1}: ${err.message}`));
            });
            worker.on('exit', (code) => {
              if (!settled)
                reject(
                  run.signal?.aborted
                    ? run.signal.reason
                    : new ExportError(`export shard ${shard + 1} stopped (exit code ${code})`),
                );
            });
          }),
      ),
    );
    await merging;
    await linking;
    run.signal?.throwIfAborted();
  } catch (err) {
    // Nothing may still be writing when the caller deletes the temporary folder.
    await stopAll();
    await merging.catch(() => undefined);
    await linking.catch(() => undefined);
    throw err;
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
  }
}

/** Adds a shard's counts to the export's. */
export function addCounts(into: ExportCounts, from: ExportCounts): void {
  into.images += from.images;
  into.records += from.records;
  into.qa += from.qa;
  into.objects += from.objects;
  for (const [reason, n] of Object.entries(from.skipped))
    into.skipped[reason] = (into.skipped[reason] ?? 0) + n;
}
