// The 3D scene graph of one image: the contract between the spatial engine (which builds it from
// depth, intrinsics and object masks) and QA synthesis, review and export (which read it).
//
// Frames (see README "Frames and definitions"):
// - camera frame: x right, y down, z forward (OpenCV), metres;
// - world frame: gravity-aligned, y up; heading follows the camera, so -x is the viewer's left and
//   +z points away from the viewer in the ground plane; origin on the ground plane below the camera
//   when the floor is known, else at the camera centre.

export type Vec3 = [number, number, number];

/**
 * How "up" was found, in order of trust. `support-plane`: from a plane seen steeply from above (a
 * table top or the floor, not known which): floorY and cameraHeight refer to that plane, and
 * elevations are null (not known to be heights above the floor). `camera-axes` means not aligned:
 * no elevation facts.
 */
export type GravitySource = 'given' | 'model' | 'floor-plane' | 'support-plane' | 'camera-axes';

export interface WorldFrame {
  gravitySource: GravitySource;
  /** False when gravity is unknown (camera axes used): above/below, elevation, vertical facts are unreliable. */
  aligned: boolean;
  /** Row-major 3x3 rotation and translation taking camera-frame points to the world: p_w = R p_c + t. */
  rotation: number[];
  translation: Vec3;
  /** Floor plane in the world frame (y = floorY); null when no floor was found. */
  floorY: number | null;
  /** Camera height above the floor in metres, when the floor is known. */
  cameraHeight: number | null;
  /**
   * What cameraHeight and floorY refer to: the floor, or a support plane seen from above (a table
   * top or the floor, not known which; elevations are then null); null when neither was found.
   * Absent in graphs built before it was added (read as: the floor when cameraHeight is set).
   */
  heightAbove?: HeightReference | null;
}

export type HeightReference = 'floor' | 'support-plane';

export interface Aabb {
  min: Vec3;
  max: Vec3;
}

/** Box with yaw about gravity: extent = [width along its own x, height along y (up), depth along its own z]. */
export interface Obb {
  center: Vec3;
  extent: Vec3;
  /** Radians about world +y, 0 = aligned with the viewer's left-right axis. */
  yaw: number;
}

/** Metres: width along the viewer's left-right axis, height along gravity, depth along the viewing direction (ground plane). */
export interface Extent {
  width: number;
  height: number;
  depth: number;
}

/**
 * How an extent's ends were seen: 'observed' = both ends visible; 'occluded' = an end is hidden
 * by a nearer surface (or, for depth, by the object itself: its back is not seen unless the camera
 * looks down on its top), so the value is a lower bound; 'image-border' = cut by the image edge.
 */
export type ExtentStatus = 'observed' | 'occluded' | 'image-border';

export interface ExtentStatuses {
  width: ExtentStatus;
  height: ExtentStatus;
  depth: ExtentStatus;
}

/**
 * Which ends of each extent are not seen (empty: both seen). Width: the viewer's left / right end
 * (the left / right side of the object's image outline); height: top / bottom (outline top /
 * bottom); depth: the far end whenever depth is not observed (one view misses the back), and the
 * near end as well when an occluder or the image border cuts the outline's left, right or bottom
 * side (what hides part of the object may hide its nearest part). A bounded extent is at least
 * its stated value, and only its hidden ends may lie further out.
 */
export interface HiddenEnds {
  width: ('left' | 'right')[];
  height: ('top' | 'bottom')[];
  depth: ('near' | 'far')[];
}

export type MaskProvenance = 'model' | 'depth-cluster' | 'imported' | 'human';

export interface SceneNode {
  id: number;
  label: string;
  /** Optional attributes usable in referring expressions ("red", "wooden"). */
  attributes: string[];
  /**
   * Set when a reviewer took the object out of QA ('background', 'unsure'): no QA is about it and
   * it does not count when naming the others. Absent in graphs built before review existed.
   */
  excluded?: 'background' | 'unsure' | null;
  /** 2D box in original-image pixels [x0, y0, x1, y1]. */
  bbox2d: [number, number, number, number];
  maskRef: string | null;
  maskProvenance: MaskProvenance | null;
  /** World-frame centroid of the cleaned points. */
  centroid: Vec3;
  aabb: Aabb;
  obb: Obb;
  extent: Extent;
  /** Which extents were observed and which are bounded (absent in graphs built before issue 20). */
  extentStatus?: ExtentStatuses;
  /** Where the bounded extents are cut: set exactly where `extentStatus` is. */
  hiddenEnds?: HiddenEnds;
  numPoints: number;
  /** Height of the box bottom above the floor (m); null when the frame is unaligned or no floor. */
  elevation: number | null;
  /** Distance from the camera centre to the closest point of the object (m). */
  distanceFromCamera: number;
  /** ok = usable for facts; otherwise flags say why (e.g. 'too-few-points', 'no-valid-depth'). */
  quality: { ok: boolean; flags: string[] };
}

/**
 * Relations between two nodes. Qualitative predicates read "subject <predicate> object"
 * (e.g. subject left_of object). Each carries the signed margin it was decided with.
 */
export type QualitativePredicate =
  | 'left_of' // seen further left from the camera (azimuth of the centre), value in degrees
  | 'right_of'
  | 'above'
  | 'below'
  | 'in_front_of' // closer to the viewer along the viewing direction in the ground plane
  | 'behind'
  | 'bigger_than' // volume
  | 'smaller_than'
  | 'taller_than' // extent along gravity
  | 'shorter_than'
  | 'wider_than' // extent along the viewer's left-right axis
  | 'thinner_than'
  | 'on_top_of' // subject rests on object (support)
  | 'same_height' // near-ties: |difference| under the margin
  | 'same_size'
  | 'same_width';

/** Metric relations between two nodes, value in `unit`. */
export type MetricPredicate =
  | 'direct_distance' // centre to centre, m
  | 'closest_distance' // closest points (gap), m; 0 when touching
  | 'horizontal_distance' // centres in the ground plane, m
  | 'vertical_distance' // centres along gravity, m, absolute
  | 'direction'; // clock position of the object as seen from the subject, viewer-facing 12 o'clock, unit 'oclock'

export interface SceneEdge {
  subject: number;
  object: number;
  predicate: QualitativePredicate | MetricPredicate;
  value?: number;
  unit?: 'm' | 'm3' | 'oclock' | 'deg';
  /** The tie margin this decision used (same unit as the compared quantity). */
  margin?: number;
}

export interface SceneGraph {
  width: number;
  height: number;
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
  frame: WorldFrame;
  nodes: SceneNode[];
  edges: SceneEdge[];
}
