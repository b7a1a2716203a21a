// scene.pointCloud on a desktop project: the cloud's inputs read from its SQLite repositories and
// its folder (depth and upright copies under blobs/, the imported source file), the cache kept in
// the folder; the cloud itself is built by point-cloud.ts.
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { ProjectStore } from '../../db/project-store';
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
  const image = store.images.get(imageId);
  if (!image) throw new NotFoundError(`image not found: ${imageId}`);
  return buildPointCloud(
    {
      image,
      graph: store.scene.graph(imageId)?.graph as SceneGraph | undefined,
      objects: store.annotations.objectsWithMasks(imageId),
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
