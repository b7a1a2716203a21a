// The scene panel and the 3D view on a team project: scene.get, scene.relations and
// scene.pointCloud answered by the desktop's code (engine/scene-view) over the two-database
// stores, with the depth, upright and colour files read from the shared blob folder, where the
// point-cloud cache is kept too (served as the image's 'point-cloud' blob).
import type { ApiHandlers } from '../../contract/api';
import { SceneStore } from '../../db/store/scene-store';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { NotFoundError } from '../errors';
import { cloudCache, type CloudFiles } from '../scene-view/cloud-cache';
import { buildPointCloud } from '../scene-view/point-cloud';
import { relationsAnswer, sceneAnswer } from '../scene-view/scene-answers';
import { blobKeyOf, sourceBlobKey, type BlobStore } from './blob-store';
import type { TeamProject } from './team-project';

/** The point-cloud cache's files (`blobs/point-clouds/…`) in the shared blob folder. */
function sharedCloudFiles(blobs: BlobStore): CloudFiles {
  return {
    read: (path) => blobs.read(blobKeyOf(path)),
    size: (path) => blobs.size(blobKeyOf(path)),
    write: (path, data) => blobs.write(blobKeyOf(path), Buffer.from(data)),
  };
}

export function createTeamSceneHandlers(
  project: TeamProject,
  check: (projectId: string) => void,
): ApiHandlers['scene'] {
  const scene = new SceneStore(project.db.db);
  return {
    get: async ({ projectId, imageId }) => {
      check(projectId);
      const [stored, ambiguities] = await Promise.all([
        scene.graph(imageId),
        scene.ambiguities(imageId),
      ]);
      return sceneAnswer(stored, ambiguities);
    },
    relations: async ({ projectId, imageId, objectIds }) => {
      check(projectId);
      return relationsAnswer(await scene.graph(imageId), objectIds);
    },
    pointCloud: async ({ projectId, imageId, maxPoints }) => {
      check(projectId);
      const image = await project.catalog.image(imageId);
      if (!image) throw new NotFoundError(`image not found: ${imageId}`);
      const [stored, objects] = await Promise.all([
        scene.graph(imageId),
        scene.objectsWithMasks(imageId),
      ]);
      return buildPointCloud(
        {
          image,
          graph: stored?.graph as SceneGraph | undefined,
          objects,
          depthFile: () => project.blobs.read(blobKeyOf(image.depthBlob!)),
          // The source on the importing machine is not ours to read: `sqw project copy` shared it.
          colourFile: () =>
            project.blobs.read(
              image.uprightBlob ? blobKeyOf(image.uprightBlob) : sourceBlobKey(image),
            ),
        },
        cloudCache(sharedCloudFiles(project.blobs)),
        maxPoints,
      );
    },
  };
}
