// Database rows -> contract entities. Kept apart from the service so both HTTP/IPC handlers and the
// CLI's --json output print the same shapes.
import type {
  BatchSummary,
  ImageDetail,
  ImageSummary,
  ProjectSummary,
  SceneGraphView,
} from '../contract/entities';
import type { SceneGraph } from '../spatial/scene/scene-graph';
import { heightReferenceOf } from '../spatial/scene/gravity-frame';
import type { ProjectStore } from '../db/project-store';
import { BrowseStore } from '../db/store/browse-store';
import type { BatchRow } from '../db/store/catalog-store';
import { sqliteHandle } from '../db/store/connect';
import type { ImageRow } from '../db/store/rows';
import { obbCorners } from './scene-view/scene-boxes';

/** An open desktop project as the project list shows it, read through the two-database layer. */
export async function toProjectSummary(store: ProjectStore): Promise<ProjectSummary> {
  const browse = new BrowseStore(sqliteHandle(store.db));
  const [p, counts] = await Promise.all([browse.project(), browse.counts()]);
  return {
    id: p.id,
    name: p.name,
    path: store.folder,
    createdAt: p.createdAt,
    imageCount: counts.images,
    batchCount: counts.batches,
  };
}

export function toBatchSummary(b: BatchRow): BatchSummary {
  return {
    id: b.id,
    sourceFolder: b.sourceFolder,
    depthFolder: b.depthFolder,
    depthEncoding: b.depthEncoding,
    createdAt: b.createdAt,
    imported: b.imageCount,
    imageCount: b.imageCount,
    withDepth: b.withDepth,
    skipped: b.skipped,
    failed: b.failed,
  };
}

export function toImageSummary(r: ImageRow): ImageSummary {
  return {
    id: r.id,
    batchId: r.batchId,
    fileName: r.fileName,
    relPath: r.relPath,
    width: r.width,
    height: r.height,
    status: r.status as ImageSummary['status'],
    hasDepth: r.depthBlob !== null,
  };
}

export function toImageDetail(r: ImageRow): ImageDetail {
  return {
    ...toImageSummary(r),
    sourcePath: r.sourcePath,
    sha256: r.sha256,
    bytes: r.bytes,
    format: r.format,
    orientation: r.orientation,
    exif: r.exifJson ? (JSON.parse(r.exifJson) as Record<string, unknown>) : null,
    intrinsics: {
      fx: r.fx,
      fy: r.fy,
      cx: r.cx,
      cy: r.cy,
      source: r.intrinsicsSource as ImageDetail['intrinsics']['source'],
    },
    depth: r.depthJson ? (JSON.parse(r.depthJson) as ImageDetail['depth']) : null,
    createdAt: r.createdAt,
  };
}

export function toSceneGraphView(
  graph: SceneGraph,
  notes: string[],
  ambiguities: SceneGraphView['ambiguities'],
): SceneGraphView {
  return {
    frame: {
      gravitySource: graph.frame.gravitySource,
      aligned: graph.frame.aligned,
      cameraHeight: graph.frame.cameraHeight,
      heightAbove: heightReferenceOf(graph.frame),
      rotation: graph.frame.rotation,
      translation: graph.frame.translation,
      floorY: graph.frame.floorY,
    },
    nodes: graph.nodes.map((n) => ({
      id: n.id,
      label: n.label,
      centroid: n.centroid,
      extent: n.extent,
      elevation: n.elevation,
      distanceFromCamera: n.distanceFromCamera,
      numPoints: n.numPoints,
      quality: n.quality,
      aabb: n.aabb,
      obb: { ...n.obb, corners: obbCorners(n.obb) },
    })),
    relationCount: graph.edges.length,
    notes,
    ambiguities,
  };
}
