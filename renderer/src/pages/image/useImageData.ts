// What the image page loads besides the review itself: the image record, its batch's image ids (for
// prev/next), the scene graph (once the 3D view is wanted) and the project's label vocabulary; and
// when the 3D view may mount (after the 2D overlays are on screen), with the measured open time.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, blobUrl } from '../../api/client';
import { afterNextFrame, preloadImage, useEngineEvents, useLoad } from '../../app/hooks';
import { prefetch, prefetched } from '../../app/prefetch';
import { reviewerName } from '../../review/reviewer';

const ID_PAGE = 1000;
const NO_VOCABULARY: readonly { label: string; count: number }[] = [];

async function batchImageIds(projectId: string, batchId: number): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += ID_PAGE) {
    const page = await api.images.list({ projectId, batchId, offset, limit: ID_PAGE });
    ids.push(...page.items.map((i) => i.id));
    if (page.items.length < ID_PAGE || ids.length >= page.total) return ids;
  }
}

export function useImageData(projectId: string, imageId: number, sceneWanted: boolean) {
  // What the canvas needs goes out in this render, not after the commit: the image record, the
  // review (objects, masks, QA) and the image blob itself, whose URL needs only the ids (so it
  // loads and decodes in parallel with the RPCs instead of after `images.get` has answered).
  const openKey = `${projectId}:${imageId}`;
  const prefetchedFor = useRef<string | null>(null);
  if (prefetchedFor.current !== openKey) {
    prefetchedFor.current = openKey;
    prefetch(`images.get:${openKey}`, () => api.images.get({ projectId, imageId }));
    prefetch(`reviews.image:${openKey}`, () =>
      api.reviews.image({ projectId, imageId, reviewer: reviewerName() }),
    );
    preloadImage(blobUrl({ projectId, imageId, kind: 'image' }));
  }

  const [detail] = useLoad(
    () => prefetched(`images.get:${openKey}`, () => api.images.get({ projectId, imageId })),
    [projectId, imageId],
  );
  const image = detail.data && detail.data.id === imageId ? detail.data : null;
  const batchId = image?.batchId ?? null;
  const [siblings] = useLoad(
    () => (batchId === null ? Promise.resolve<number[]>([]) : batchImageIds(projectId, batchId)),
    [projectId, batchId],
  );
  // The scene panel sits below the fold: like the 3D view, its load waits for the overlays, so it
  // neither queues in the engine nor takes main-thread time ahead of them.
  const [scene, reloadScene] = useLoad(
    () =>
      sceneWanted
        ? api.scene.get({ projectId, imageId }).then((view) => ({ imageId, view }))
        : Promise.resolve(null),
    [projectId, imageId, sceneWanted],
  );
  const [vocabulary, reloadVocabulary] = useLoad(
    () => api.labels.vocabulary({ projectId }),
    [projectId],
  );
  useEngineEvents((e) => {
    if (e.projectId !== projectId) return;
    if (e.type === 'images-changed' || (e.type === 'job' && e.job.status === 'done')) {
      reloadScene();
      reloadVocabulary();
    }
  });

  const ids = siblings.data ?? [];
  const index = ids.indexOf(imageId);
  return {
    detail,
    image,
    batchId,
    /** Position in the batch: `index` is -1 until the ids are known. */
    batch: {
      index,
      count: ids.length,
      prevId: index > 0 ? ids[index - 1] : undefined,
      nextId: index >= 0 && index < ids.length - 1 ? ids[index + 1] : undefined,
    },
    sceneView: scene.data && scene.data.imageId === imageId ? scene.data.view : undefined,
    sceneError: scene.error,
    vocabulary: vocabulary.data ?? NO_VOCABULARY,
    reloadVocabulary,
  };
}

/**
 * The 3D view (point cloud from the engine, WebGL) loads after the 2D canvas shows its overlays, so
 * it never delays them; a fallback timer covers an image that cannot be drawn. `openMs` is the time
 * from opening the image to its overlays on screen.
 */
export function useViewerMount(imageId: number) {
  const openedAt = useRef({ imageId, t: performance.now(), ms: null as number | null });
  if (openedAt.current.imageId !== imageId)
    openedAt.current = { imageId, t: performance.now(), ms: null };
  const [openMs, setOpenMs] = useState<number | null>(null);
  // The image the 3D view shows; set once the 2D overlays are on screen (see onOverlaysReady).
  const [viewerImageId, setViewerImageId] = useState<number | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setViewerImageId(imageId), 1500);
    return () => clearTimeout(timer);
  }, [imageId]);
  // Once ready, it waits until the frame with the overlays has been presented: mounting it (WebGL
  // context, shaders) and the re-render it brings would otherwise hold that frame back.
  const cancelViewerMount = useRef<(() => void) | null>(null);
  useEffect(() => () => cancelViewerMount.current?.(), [imageId]);
  const onOverlaysReady = useCallback(() => {
    const o = openedAt.current;
    if (o.ms !== null || o.imageId !== imageId) return;
    const ms = (o.ms = performance.now() - o.t);
    cancelViewerMount.current?.();
    cancelViewerMount.current = afterNextFrame(() => {
      setOpenMs(ms);
      setViewerImageId(imageId);
    });
  }, [imageId]);
  return { viewerImageId, openMs, onOverlaysReady };
}
