// One import as `sqw import` and the UI's `imports.start` ask for it: a folder of images (with
// their depth) into a project as a new batch, then the boxes and masks of a COCO file. Everything
// the request names is checked before anything is written, so a missing folder or an unreadable
// COCO file leaves the project as it was. `sqw import --database` and imports.start on
// `sqw serve --database` run this over a team project's targets (engine/team/team-import.ts).
import { resolve } from 'node:path';
import {
  importCocoSource,
  readCocoFile,
  type AnnotationImportResult,
  type AnnotationTarget,
  type CocoSource,
} from '../annotations/coco-import';
import { UserInputError } from '../errors';
import { checkImportOptions, importInto } from './importer';
import type { ImportTarget } from './process-file';
import type { ImportOptions, ImportResult } from './types';

export type ImportRequestOptions = Partial<
  Pick<ImportOptions, 'folder' | 'depthFolder' | 'depthEncoding' | 'depthSensor' | 'intrinsics'>
> & {
  /** A COCO instances file, matched to the project's images by file name. */
  annotations?: string;
};

/** A request whose folders were found and whose COCO file was read and checked. */
export interface CheckedImport {
  images: ImportOptions | null;
  boxes: CocoSource | null;
}

/**
 * Checks the request as the importer does (folders exist and are folders, resolved against this
 * process's folder; encoding, sensor and intrinsics valid) and reads the COCO file, writing
 * nothing; throws a UserInputError saying what is wrong.
 */
export async function checkImportRequest(request: ImportRequestOptions): Promise<CheckedImport> {
  if (!request.folder && !request.annotations)
    throw new UserInputError('give an image folder, an annotations file, or both');
  let images: CheckedImport['images'] = null;
  if (request.folder) {
    const { depthEncoding, depthSensor, intrinsics } = request;
    const checked = await asUserInput(() =>
      checkImportOptions({ ...request, folder: request.folder! }),
    );
    images = {
      folder: checked.folder,
      depthFolder: checked.depthFolder ?? undefined,
      depthEncoding,
      depthSensor,
      intrinsics,
    };
  }
  const annotations = request.annotations;
  const boxes = annotations ? await asUserInput(() => readCocoFile(resolve(annotations))) : null;
  return { images, boxes };
}

/** The importer's refusals and readCocoFile's reasons (missing, not JSON, not COCO) are the caller's. */
async function asUserInput<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof Error && !(err instanceof UserInputError))
      throw new UserInputError(err.message);
    throw err;
  }
}

export interface ImportRun {
  /** The images' batch; null when the request named only a COCO file. */
  images: ImportResult | null;
  /** The COCO file's boxes; null when none was named or the import was cancelled first. */
  annotations: AnnotationImportResult | null;
}

/** Runs a checked request: the images into `images`, then the boxes into `boxes`. */
export async function runImport(
  targets: { images: ImportTarget; boxes: AnnotationTarget },
  request: CheckedImport,
  opts: Pick<ImportOptions, 'signal' | 'onProgress'> = {},
): Promise<ImportRun> {
  const images = request.images
    ? await importInto(targets.images, { ...request.images, ...opts })
    : null;
  const annotations =
    request.boxes && !opts.signal?.aborted
      ? await importCocoSource(targets.boxes, request.boxes)
      : null;
  return { images, annotations };
}

/** checkImportRequest(), then runImport(). */
export async function importRequest(
  targets: { images: ImportTarget; boxes: AnnotationTarget },
  request: ImportRequestOptions,
  opts: Pick<ImportOptions, 'signal' | 'onProgress'> = {},
): Promise<ImportRun> {
  return runImport(targets, await checkImportRequest(request), opts);
}
