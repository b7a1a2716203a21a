// Loads what the 3D viewer shows for one image: the scene graph (boxes, frame), the cloud's
// description and its typed arrays (fetched as the 'point-cloud' blob and viewed in place).
import { useEffect, useState } from 'react';
import type { SceneGraphView } from '../../../contract/entities';
import {
  unpackPointCloud,
  type PointCloudArrays,
  type PointCloudInfo,
} from '../../../contract/point-cloud';
import { api, blobUrl, errorText } from '../api/client';

export type LoadedCloud = PointCloudArrays & { count: number };

export interface SceneData {
  state: 'loading' | 'ready' | 'error';
  error: string | null;
  scene: SceneGraphView | null;
  info: PointCloudInfo | null;
  cloud: LoadedCloud | null;
  /** Fetch + unpack time of the blob (ms), for the speed notes. */
  transferMs: number | null;
}

export async function fetchCloud(
  projectId: string,
  imageId: number,
  info: PointCloudInfo,
): Promise<LoadedCloud> {
  const res = await fetch(blobUrl({ projectId, imageId, kind: 'point-cloud' }), {
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`point cloud blob: HTTP ${res.status}`);
  return unpackPointCloud(await res.arrayBuffer(), info.stamp);
}

export function useSceneData(
  projectId: string,
  imageId: number,
  maxPoints: number,
  reloadTick: number,
): SceneData {
  const [data, setData] = useState<SceneData>({
    state: 'loading',
    error: null,
    scene: null,
    info: null,
    cloud: null,
    transferMs: null,
  });
  useEffect(() => {
    let live = true;
    setData((d) => ({ ...d, state: 'loading', error: null }));
    (async () => {
      const [scene, first] = await Promise.all([
        api.scene.get({ projectId, imageId }),
        api.scene.pointCloud({ projectId, imageId, maxPoints }),
      ]);
      const t0 = performance.now();
      let info = first;
      let cloud: LoadedCloud;
      try {
        cloud = await fetchCloud(projectId, imageId, info);
      } catch {
        // Another viewer rebuilt the cache with other settings in between: ask once more.
        info = await api.scene.pointCloud({ projectId, imageId, maxPoints });
        cloud = await fetchCloud(projectId, imageId, info);
      }
      if (!live) return;
      setData({
        state: 'ready',
        error: null,
        scene,
        info,
        cloud,
        transferMs: performance.now() - t0,
      });
    })().catch((err: unknown) => {
      if (live) setData((d) => ({ ...d, state: 'error', error: errorText(err) }));
    });
    return () => {
      live = false;
    };
  }, [projectId, imageId, maxPoints, reloadTick]);
  return data;
}
