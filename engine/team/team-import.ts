// Where an image import writes for a team project: its database through the two-database layer
// and its shared blob store, where the model stages of workers on other machines read each
// colour source (sources/<sha256>.<format>) as `sqw project copy` would have put it.
import type { ProjectDb } from '../../db/store/connect';
import { ImportStore } from '../../db/store/import-store';
import type { AnnotationTarget } from '../annotations/coco-import';
import type { ImportTarget } from '../import/index';
import { blobKeyOf, sourceBlobKey, type BlobStore } from './blob-store';

export function teamImportTarget(project: ProjectDb, blobs: BlobStore): ImportTarget {
  const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    imports: new ImportStore(project.db),
    blobs: {
      async write(files) {
        for (const f of files) await blobs.write(blobKeyOf(f.relPath), bytes(f.data));
      },
      keepSource: (image, data) => blobs.write(sourceBlobKey(image), data),
    },
  };
}

/**
 * Where `sqw import --database` and imports.start on `sqw serve --database` import (both through
 * runImport, engine/import/import-request.ts): the images and the COCO boxes.
 */
export function teamImportTargets(
  project: ProjectDb,
  blobs: BlobStore,
): { images: ImportTarget; boxes: AnnotationTarget } {
  return { images: teamImportTarget(project, blobs), boxes: project };
}
