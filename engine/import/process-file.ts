// One source file through the import: checks, hash and duplicate test, decode, EXIF and intrinsics,
// optional depth, blobs; the database row is prepared here and inserted by commitImage() once all of
// the file's blobs are stored. Never throws: every problem becomes an issue.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportIssue } from '../../contract/entities';
import type { NewImage } from '../../db/store/rows';
import type { ImportStore } from '../../db/store/import-store';
import { resolveIntrinsics, type Pinhole } from '../../spatial/camera';
import type { ImportBlobs, PendingBlob } from './blobs';
import { ImageDecodeError, oneLine, openImage } from './decode';
import { loadDepth, type DepthInfoJson, type PreparedEncoding } from './depth';
import type { DepthSource } from './depth-pair';
import { readExif } from './exif';
import { sizeLimitReason, sniffImage } from './header';
import { renderImage } from './render';
import { specialKind, type ScannedFile } from './scan';
import { readHead, readWhole, sha256 } from './source';

/** Where an import writes: the project's database and its blob store. */
export interface ImportTarget {
  imports: ImportStore;
  blobs: ImportBlobs;
}

export interface FileContext {
  target: ImportTarget;
  batchId: number;
  given: Pinhole | null;
  depth: { source: DepthSource; encoding: PreparedEncoding; noisePreset: string | null } | null;
  /**
   * sha256 -> the earliest file (in scan order) of this run holding that content. Twins in flight
   * at once are settled by order, so the same file wins whatever the timing; a later twin that got
   * past this check still becomes a duplicate at commit (rows commit in scan order).
   */
  claims: Map<string, { path: string; order: number }>;
}

export type FileStatus = 'imported' | 'duplicate' | 'skipped' | 'failed';

export interface FileOutcome {
  status: FileStatus;
  withDepth: boolean;
  issues: ImportIssue[];
  /** For 'imported': the row to insert (its blobs are written). */
  row?: NewImage;
}

function outcome(status: FileStatus, issues: ImportIssue[] = [], withDepth = false): FileOutcome {
  return { status, withDepth, issues };
}

/**
 * Stores a file's outcome: a prepared row with its issues in one transaction, where a twin
 * committed first (by this import or another process) makes it a duplicate; a row the database
 * refuses becomes a 'failed' issue. Throws only when the issues themselves cannot be written.
 */
export async function commitImage(
  imports: ImportStore,
  batchId: number,
  out: FileOutcome,
): Promise<FileOutcome> {
  const row = out.row;
  if (!row) {
    await imports.addIssues(batchId, out.issues);
    return out;
  }
  const issue = (kind: ImportIssue['kind'], reason: string): ImportIssue => ({
    path: row.relPath,
    kind,
    reason,
  });
  try {
    const done = await imports.commitImage(row, out.issues, (of) => [
      issue('skipped', `duplicate of ${of}`),
    ]);
    return done.status === 'imported' ? out : outcome('duplicate', done.issues as ImportIssue[]);
  } catch (err) {
    const failed = outcome('failed', [issue('failed', `database insert failed: ${oneLine(err)}`)]);
    await imports.addIssues(batchId, failed.issues);
    return failed;
  }
}

export async function prepareFile(
  ctx: FileContext,
  file: ScannedFile,
  order: number,
): Promise<FileOutcome> {
  const issue = (kind: ImportIssue['kind'], reason: string): ImportIssue => ({
    path: file.relPath,
    kind,
    reason,
  });
  let claimed: string | null = null;
  try {
    const st = await stat(file.path);
    // Replaced since the scan by a FIFO or a device: reading it would block or never end.
    if (!st.isFile())
      return outcome('skipped', [
        issue('skipped', `not a regular file any more: a ${specialKind(st)}`),
      ]);
    const size = st.size;
    if (size === 0) return outcome('skipped', [issue('skipped', 'empty file (0 bytes)')]);

    let sniffed = sniffImage(await readHead(file.path));
    let buf: Buffer | null = null;
    if (sniffed.format !== null && sniffed.width === null) {
      // Header not in the first bytes (JPEG with huge APP segments): look at the whole file.
      buf = await readWhole(file.path);
      sniffed = sniffImage(buf);
    }
    if (sniffed.format === null) return outcome('failed', [issue('failed', sniffed.reason)]);
    if (sniffed.width !== null && sniffed.height !== null) {
      const tooBig = sizeLimitReason(sniffed.width, sniffed.height);
      if (tooBig) return outcome('failed', [issue('failed', tooBig)]);
    }

    buf ??= await readWhole(file.path);
    const sha = await sha256(buf);
    const earlier = ctx.claims.get(sha);
    const existing =
      (await ctx.target.imports.sourceOf(sha)) ??
      (earlier && earlier.order < order ? earlier.path : undefined);
    if (existing !== undefined)
      return outcome('duplicate', [issue('skipped', `duplicate of ${existing}`)]);
    ctx.claims.set(sha, { path: file.path, order });
    claimed = sha;

    const img = await openImage(buf, sniffed.format);
    const exif = await readExif(buf, sniffed.format);
    const intrinsics = resolveIntrinsics({
      given: ctx.given,
      exif,
      width: img.width,
      height: img.height,
      rawWidth: img.rawWidth,
    });
    const rendered = await renderImage(img, sha);
    if (!rendered.upright && ctx.target.blobs.keepSource)
      await ctx.target.blobs.keepSource({ sha256: sha, format: img.format }, buf);
    buf = null; // the source bytes are not needed any more; let them go before depth work

    const issues: ImportIssue[] = [];
    const blobs: PendingBlob[] = [rendered.thumb];
    if (rendered.upright) blobs.push(rendered.upright);
    let depthInfo: DepthInfoJson | null = null;
    let depthBlob: string | null = null;
    let depthPreviewBlob: string | null = null;
    if (ctx.depth) {
      const match = ctx.depth.source.find(file.relPath);
      if (match === null) {
        if (ctx.depth.source.expectsDepthForEveryImage)
          issues.push(issue('warning', 'no depth file found for this image'));
      } else if ('ambiguous' in match) {
        issues.push(issue('warning', `ambiguous depth pairing: ${match.ambiguous.join(', ')}`));
      } else {
        const d = await loadDepth(
          match.file.path,
          match.file.relPath,
          { sha, rawWidth: img.rawWidth, rawHeight: img.rawHeight, orientation: img.orientation },
          ctx.depth.encoding,
        );
        if (!d.ok) {
          issues.push(issue('warning', `${d.reason}; imported without depth`));
        } else {
          blobs.push(...d.blobs);
          depthInfo = ctx.depth.noisePreset
            ? { ...d.info, noisePreset: ctx.depth.noisePreset }
            : d.info;
          depthBlob = d.blobs[0]!.relPath;
          depthPreviewBlob = d.blobs[1]!.relPath;
          for (const w of d.warnings) issues.push(issue('warning', w));
        }
      }
    }

    await ctx.target.blobs.write(blobs);

    const row: NewImage = {
      batchId: ctx.batchId,
      sourcePath: file.path,
      relPath: file.relPath,
      fileName: basename(file.path),
      sha256: sha,
      bytes: size,
      format: img.format,
      width: img.width,
      height: img.height,
      orientation: img.orientation,
      exif,
      intrinsics,
      uprightBlob: rendered.upright?.relPath ?? null,
      thumbBlob: rendered.thumb.relPath,
      depthBlob,
      depthPreviewBlob,
      depth: depthInfo ? { ...depthInfo } : null,
    };
    return { ...outcome('imported', issues, depthInfo !== null), row };
  } catch (err) {
    if (claimed !== null && ctx.claims.get(claimed)?.order === order) ctx.claims.delete(claimed);
    const reason = err instanceof ImageDecodeError ? err.message : `import failed: ${oneLine(err)}`;
    return outcome('failed', [issue('failed', reason)]);
  }
}
