// Click-to-refine as a desktop and a team project serve it: one handler pair over the project's
// async stores (the object and its image row) and the side's own reader of the image's pixels
// (a desktop project's files, a team project's shared blob folder), running one MaskRefiner.
// It stores nothing: the reviewer applies the proposal with objects.setMask (tool 'refine').
import type { ApiHandlers } from '../../contract/api';
import type { ProjectStore } from '../../db/project-store';
import type { ImageRow } from '../../db/store/rows';
import { decodeImage } from '../pipeline/image-run';
import type { DecodedImage } from '../pipeline/model-stage';
import type { MaskRefiner, RefineSource } from '../review/mask-refiner';
import { desktopReviewSource, type ReviewSource } from './review-context';

export interface RefineProject {
  source: ReviewSource;
  /** The image's upright RGB. */
  rgb(image: ImageRow): Promise<DecodedImage>;
}

export type RefineHandlers = Pick<ApiHandlers['objects'], 'segmenter' | 'refineMask'>;

/** `projectOf` throws not-found for a project that is not open. */
export function createRefineHandlers(
  refiner: MaskRefiner,
  projectOf: (projectId: string) => RefineProject,
): RefineHandlers {
  return {
    segmenter: async ({ projectId }) => {
      projectOf(projectId);
      return refiner.status();
    },
    refineMask: async ({ projectId, objectId, points }) =>
      refiner.refine(refineSource(projectOf(projectId)), objectId, points),
  };
}

/** The refiner's reads over a project's stores. */
export function refineSource(p: RefineProject): RefineSource {
  return {
    object: (id) => p.source.browse.objectState(id),
    image: (id) => p.source.catalog.image(id),
    rgb: (image) => p.rgb(image),
  };
}

/** A desktop project's: its stores on project.sqlite, the pixels from its upright copy or source. */
export function desktopRefineProject(store: ProjectStore): RefineProject {
  return { source: desktopReviewSource(store.db), rgb: (image) => decodeImage(store, image) };
}
