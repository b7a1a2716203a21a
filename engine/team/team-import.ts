// Where an image import writes for a team project: its database through the two-database layer
// and its shared blob store, where the model stages of workers on other machines read each
// colour source (sources/<sha256>.<format>) as `sqw project copy` would have put it.
import type { ProjectDb } from '../../db/store/connect';
import { ImportStore } from '../../db/store/import-store';
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
