// A team project of image rows only, for queue tests: the noop stage reads no file.
import { CatalogStore } from '../../../db/store/catalog-store';
import { openPostgresProject } from '../../../db/store/connect';

/** A team project with `n` images (rows only: the noop stage reads no file). */
export async function teamProject(url: string, n: number): Promise<number[]> {
  const project = await openPostgresProject(url);
  try {
    const catalog = new CatalogStore(project.db);
    const batch = await catalog.createBatch({
      sourceFolder: '/shared/in',
      depthFolder: null,
      depthEncoding: null,
      intrinsics: null,
    });
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(
        await catalog.insertImage({
          batchId: batch,
          sourcePath: `/shared/in/${i}.jpg`,
          relPath: `${i}.jpg`,
          fileName: `${i}.jpg`,
          sha256: `sha-${i}`,
          bytes: 100,
          format: 'jpeg',
          width: 8,
          height: 8,
          orientation: 1,
          exif: null,
          intrinsics: { fx: 1, fy: 1, cx: 4, cy: 4, source: 'given' },
          uprightBlob: null,
          thumbBlob: `blobs/thumbs/${i}.jpg`,
          depthBlob: null,
          depthPreviewBlob: null,
          depth: null,
        }),
      );
    }
    return ids;
  } finally {
    await project.close();
  }
}
