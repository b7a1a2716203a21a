// A team project of image rows only, for queue tests: the noop stage reads no file.
import { CatalogStore } from '../../../db/store/catalog-store';
import { openPostgresProject } from '../../../db/store/connect';
import { testBatch, testImage } from '../../../db/store/test-targets';

/** A team project with `n` images (rows only: the noop stage reads no file). */
export async function teamProject(url: string, n: number): Promise<number[]> {
  const project = await openPostgresProject(url);
  try {
    const catalog = new CatalogStore(project.db);
    const batch = await testBatch(catalog, '/shared/in');
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(
        await catalog.insertImage(
          testImage(batch, `${i}.jpg`, {
            sourcePath: `/shared/in/${i}.jpg`,
            thumbBlob: `blobs/thumbs/${i}.jpg`,
          }),
        ),
      );
    }
    return ids;
  } finally {
    await project.close();
  }
}
