// scene.pointCloud on a desktop project: the cloud's inputs read through the two-database layer's
// stores (as a team project's, engine/team/team-scene.ts) and from its folder (depth and upright copies under blobs/, the imported source file), the cache kept in
// the folder; the cloud itself is built by point-cloud.ts.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ProjectStore } from '../../db/project-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle } from '../../db/store/connect';
import { SceneStore } from '../../db/store/scene-store';
import type { PointCloudInfo } from '../../contract/point-cloud';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { NotFoundError } from '../errors';
import { cloudCache, folderCloudFiles } from './cloud-cache';
import { buildPointCloud } from './point-cloud';

export async function loadPointCloud(
  store: ProjectStore,
  imageId: number,
  maxPoints: number,
): Promise<PointCloudInfo> {
  const db = sqliteHandle(store.db);
  const image = await new CatalogStore(db).image(imageId);
  if (!image) throw new NotFoundError(`image not found: ${imageId}`);
  const scene = new SceneStore(db);
  const [stored, objects] = [await scene.graph(imageId), await scene.objectsWithMasks(imageId)];
  return buildPointCloud(
    {
      image,
      graph: stored?.graph as SceneGraph | undefined,
      objects,
      depthFile: async () => readFile(insideProject(store.folder, image.depthBlob!)),
      colourFile: async () =>
        readFile(
          image.uprightBlob ? insideProject(store.folder, image.uprightBlob) : image.sourcePath,
        ),
    },
    cloudCache(folderCloudFiles(store.folder)),
    maxPoints,
  );
}

function insideProject(folder: string, rel: string): string {
  const full = resolve(folder, rel);
  if (!full.startsWith(folder + sep)) throw new Error(`blob path leaves the project: ${rel}`);
  return full;
}
