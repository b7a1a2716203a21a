// What every export format implements: it receives the project one image at a time (from
// project-source.ts) and writes through the safe writer; counts are shared with the export record.
import type { ExportCounts, ExportOptions } from '../../../contract/exports';
import type { ExportStore } from '../../../db/store/export-store';
import type { MediaWriter } from '../media';
import type { ExportItem, ExportObject } from '../project-source';
import type { ExportWriter } from '../safe-output';

export interface FormatContext {
  w: ExportWriter;
  media: MediaWriter;
  opts: ExportOptions;
  counts: ExportCounts;
  /** The project's rows (the format's own reads: the project name, dataset statistics). */
  rows: ExportStore;
  /** Set when this writer runs in an export shard (a worker thread writing a range of images). */
  shard?: number;
}

/** What a shard hands back to the main thread's writer: its part files and its own state. */
export interface ShardResult {
  /** Index of the shard (0 = the first range of images). */
  shard: number;
  /** Final path -> the shard's part file for it (what its sinks appended). */
  parts: Record<string, string>;
  /** The format's own state (sink counts, statistics); structured-cloneable. */
  state: unknown;
}

export interface FormatWriter {
  /** Which images the format receives: those with exported QA, with objects, or with a scene graph. */
  source: 'qa' | 'objects' | 'graphs';
  /** QA formats that use one naming only (the other is not read at all). */
  naming?: 'region' | 'expression';
  /** False when the format never writes masks (they are then not read). */
  masks?: boolean;
  add(item: ExportItem): Promise<void>;
  finish(): Promise<void>;
  /**
   * Formats that can be written by several threads, each over a range of images: `snapshot`
   * ends a shard (flushes its sinks, returns its state); `merge` runs on the main thread, once
   * per shard in image order (a shard as soon as it and those before it are done), then `finish`.
   */
  shards?: {
    snapshot(): Promise<unknown>;
    merge(result: ShardResult): Promise<void>;
  };
}

export function skip(counts: ExportCounts, reason: string, n = 1): void {
  counts.skipped[reason] = (counts.skipped[reason] ?? 0) + n;
}

/**
 * Hands one image to the writer, counting the decided phrasings that were withheld (a fact that
 * changed since its review); an image whose reviewed QA were all withheld is not written.
 */
export async function writeItem(
  writer: FormatWriter,
  item: ExportItem,
  counts: ExportCounts,
): Promise<void> {
  for (const [reason, n] of Object.entries(item.withheld ?? {}))
    skip(counts, `withheld:${reason}`, n);
  if (item.qa.length > 0 || writer.source !== 'qa') await writer.add(item);
}

/** COCO-style [x, y, w, h] of an [x0, y0, x1, y1] box. */
export function xywh(box: readonly number[]): [number, number, number, number] {
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Machine answer of a QA as exported everywhere: value, unit and what the value is. */
export function machineAnswer(q: ExportItem['qa'][number]) {
  return { value: q.value ?? null, unit: q.record.unit ?? null, value_type: q.record.valueType };
}

export function objectsOf(item: ExportItem, ids: Iterable<number>): ExportObject[] {
  const out: ExportObject[] = [];
  for (const id of ids) {
    const o = item.objects.get(id);
    if (o) out.push(o);
  }
  return out;
}
