// The `scenegraph` export record (one JSON file per image), documented in engine/export/FORMATS.md.
// snake_case field names, metres, world frame (y up, viewer-centric heading), 2D boxes in
// original-image pixels.
import type { ExportImageRow as ImageRow } from '../../db/store/export-store';
import { heightReferenceOf } from '../../spatial/scene/gravity-frame';
import type { SceneGraph } from '../../spatial/scene/scene-graph';

/**
 * Version of this record's meaning. 4 (issue 20): `hidden_ends` says which ends of the bounded
 * extents are not seen (null where `extent_status` is). 3 (issue 20): with a given or model gravity vector and no
 * floor seen, `camera_height` is the height above the support plane the camera looks at (before:
 * null); `frame.height_above` says whether it is above the floor or a support plane, and `notes`
 * carries the image-level notes of the build (e.g. `no-support-plane: …`). 2 (issue 20): `extent`, `aabb`, `obb` and
 * `distance_from_camera` are measured on points whose range noise was reduced (before: min/max of
 * the raw points, inflated along the viewing direction), and `extent_status` says which extents
 * were observed; 1 = records without this field.
 */
export const SCENEGRAPH_FORMAT_VERSION = 4;

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;
const vec = (v: readonly number[]) => v.map((x) => round(x));

export function sceneGraphRecord(
  image: ImageRow,
  graph: SceneGraph,
  notes: readonly string[] = [],
) {
  return {
    format_version: SCENEGRAPH_FORMAT_VERSION,
    image: image.fileName,
    image_path: image.relPath,
    width: image.width,
    height: image.height,
    intrinsics: {
      fx: image.fx,
      fy: image.fy,
      cx: image.cx,
      cy: image.cy,
      source: image.intrinsicsSource,
    },
    frame: {
      gravity_source: graph.frame.gravitySource,
      aligned: graph.frame.aligned,
      camera_height: graph.frame.cameraHeight === null ? null : round(graph.frame.cameraHeight),
      height_above: heightReferenceOf(graph.frame),
      rotation: vec(graph.frame.rotation),
      translation: vec(graph.frame.translation),
    },
    notes: [...notes],
    objects: graph.nodes.map((n) => ({
      id: n.id,
      label: n.label,
      bbox_2d: vec(n.bbox2d),
      centroid: vec(n.centroid),
      extent: {
        width: round(n.extent.width),
        height: round(n.extent.height),
        depth: round(n.extent.depth),
      },
      // null for graphs stored before issue 20 (not rebuilt since).
      extent_status: n.extentStatus ?? null,
      // null for graphs stored before version 4.
      hidden_ends: n.hiddenEnds ?? null,
      aabb: { min: vec(n.aabb.min), max: vec(n.aabb.max) },
      obb: { center: vec(n.obb.center), extent: vec(n.obb.extent), yaw: round(n.obb.yaw) },
      num_points: n.numPoints,
      elevation: n.elevation === null ? null : round(n.elevation),
      distance_from_camera: round(n.distanceFromCamera),
      mask_provenance: n.maskProvenance,
      quality: n.quality,
    })),
    relations: graph.edges.map((e) => ({
      subject: e.subject,
      object: e.object,
      predicate: e.predicate,
      ...(e.value === undefined ? {} : { value: round(e.value) }),
      ...(e.unit === undefined ? {} : { unit: e.unit }),
    })),
  };
}
