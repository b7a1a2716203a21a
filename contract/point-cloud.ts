// An image's lifted point cloud as the 3D viewer receives it: a small JSON description
// (scene.pointCloud) plus one binary blob (BlobKind 'point-cloud') holding the typed arrays.
//
// Why a blob and not base64 inside the JSON answer: a 300k-point cloud is ~6.9 MB of arrays. As
// base64 it becomes 9.2 MB of JSON that both sides parse and validate as text, and the renderer
// then decodes it byte by byte into a fresh buffer. Served as a blob it streams as-is and the
// renderer views the fetched ArrayBuffer in place (no copy); bench/UI-RESULTS.md has the numbers.
//
// Points are in a shuffled order, so any prefix is an even subsample (the viewer's level of detail).
// Layout (little-endian, every section 4-byte aligned):
//   header  32 bytes: 'SQPC' | u32 version | u32 count | u32 reserved | 16 ASCII bytes stamp
//   positions  Float32 x 3 x count   world frame (x right, y up, z forward; see DEFINITIONS.md)
//   depth      Float32 x count       camera-frame z (metres), for depth colouring
//   objectIds  Int32 x count         object id whose mask holds the pixel, 0 for none
//   colors     Uint8 x 3 x count     RGB of the pixel
import { z } from 'zod';

export const POINT_CLOUD_MAGIC = 0x43505153; // 'SQPC' read as a little-endian u32
export const POINT_CLOUD_VERSION = 1;
export const POINT_CLOUD_HEADER_BYTES = 32;
const STAMP_BYTES = 16;

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const PointCloudInfo = z.object({
  /** Points in the blob (0 when nothing could be lifted; `notes` says why). */
  pointCount: z.number().int().nonnegative(),
  /** Valid depth pixels before subsampling. */
  validPixels: z.number().int().nonnegative(),
  /** Pixel stride of the subsampling grid (1 = every valid pixel). */
  stride: z.number().int().positive(),
  /** Identifies this build; the blob's header carries it too, so a stale blob is detected. */
  stamp: z.string().regex(/^[0-9a-f]{16}$/),
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  intrinsics: z.object({ fx: z.number(), fy: z.number(), cx: z.number(), cy: z.number() }),
  /** Camera -> world: p_w = R p_c + t (R row-major, det -1: the world frame is y-up). */
  frame: z.object({
    rotation: z.array(z.number()).length(9),
    translation: Vec3,
    floorY: z.number().nullable(),
    gravitySource: z.string(),
    aligned: z.boolean(),
    /** False when no scene graph is stored: camera axes are used and nothing is levelled. */
    fromGraph: z.boolean(),
  }),
  bounds: z.object({ min: Vec3, max: Vec3 }).nullable(),
  depthRange: z.object({ min: z.number(), max: z.number() }).nullable(),
  /** Points per object id in the cloud (objects with a mask). */
  objects: z.array(
    z.object({ id: z.number().int(), label: z.string(), points: z.number().int().nonnegative() }),
  ),
  /** Whether the RGB came from the image (false: a neutral grey, `notes` says why). */
  hasColor: z.boolean(),
  notes: z.array(z.string()),
  cached: z.boolean(),
});
export type PointCloudInfo = z.infer<typeof PointCloudInfo>;

export interface PointCloudArrays {
  positions: Float32Array;
  depth: Float32Array;
  objectIds: Int32Array;
  colors: Uint8Array;
}

export class PointCloudFormatError extends Error {}

export function pointCloudByteLength(count: number): number {
  return POINT_CLOUD_HEADER_BYTES + count * (12 + 4 + 4) + align4(count * 3);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Packs the arrays (all of `count` points) behind the header into one buffer. */
export function packPointCloud(arrays: PointCloudArrays, stamp: string): Uint8Array {
  const count = arrays.depth.length;
  if (
    arrays.positions.length !== count * 3 ||
    arrays.objectIds.length !== count ||
    arrays.colors.length !== count * 3
  )
    throw new PointCloudFormatError('point cloud arrays disagree on the point count');
  if (!/^[0-9a-f]{16}$/.test(stamp)) throw new PointCloudFormatError('stamp must be 16 hex digits');
  const out = new Uint8Array(pointCloudByteLength(count));
  const view = new DataView(out.buffer);
  view.setUint32(0, POINT_CLOUD_MAGIC, true);
  view.setUint32(4, POINT_CLOUD_VERSION, true);
  view.setUint32(8, count, true);
  for (let i = 0; i < STAMP_BYTES; i++) out[16 + i] = stamp.charCodeAt(i);
  let o = POINT_CLOUD_HEADER_BYTES;
  // Typed-array copies are byte copies, so this is little-endian only where the platform is:
  // every platform the workstation ships on (x64, arm64) is.
  out.set(new Uint8Array(arrays.positions.buffer, arrays.positions.byteOffset, count * 12), o);
  o += count * 12;
  out.set(new Uint8Array(arrays.depth.buffer, arrays.depth.byteOffset, count * 4), o);
  o += count * 4;
  out.set(new Uint8Array(arrays.objectIds.buffer, arrays.objectIds.byteOffset, count * 4), o);
  o += count * 4;
  out.set(arrays.colors.subarray(0, count * 3), o);
  return out;
}

/**
 * Views a packed cloud in place (no copy when `buffer` is a fresh ArrayBuffer). Throws
 * PointCloudFormatError for a wrong magic, version, size or (when given) stamp.
 */
export function unpackPointCloud(
  buffer: ArrayBuffer,
  expectedStamp?: string,
): PointCloudArrays & { count: number; stamp: string } {
  if (buffer.byteLength < POINT_CLOUD_HEADER_BYTES)
    throw new PointCloudFormatError('point cloud blob is shorter than its header');
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== POINT_CLOUD_MAGIC)
    throw new PointCloudFormatError('not a point cloud blob (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== POINT_CLOUD_VERSION)
    throw new PointCloudFormatError(`point cloud blob version ${version} is not supported`);
  const count = view.getUint32(8, true);
  if (buffer.byteLength !== pointCloudByteLength(count))
    throw new PointCloudFormatError(
      `point cloud blob is ${buffer.byteLength} bytes, expected ${pointCloudByteLength(count)} for ${count} points`,
    );
  const stamp = String.fromCharCode(...new Uint8Array(buffer, 16, STAMP_BYTES));
  if (expectedStamp !== undefined && stamp !== expectedStamp)
    throw new PointCloudFormatError('point cloud blob is stale (stamp differs)');
  let o = POINT_CLOUD_HEADER_BYTES;
  const positions = new Float32Array(buffer, o, count * 3);
  o += count * 12;
  const depth = new Float32Array(buffer, o, count);
  o += count * 4;
  const objectIds = new Int32Array(buffer, o, count);
  o += count * 4;
  const colors = new Uint8Array(buffer, o, count * 3);
  return { positions, depth, objectIds, colors, count, stamp };
}
