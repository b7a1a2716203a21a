// scene.pointCloud on any project: takes what an image's cloud is built from (stored depth,
// intrinsics, the gravity frame of the stored scene graph, object masks, the upright RGB), lifts it
// (lift-cloud.ts), packs it (contract/point-cloud.ts) and caches it (cloud-cache.ts). Where those
// come from is the caller's: a desktop project's folder (desktop-cloud.ts) or a team project's
// stores and shared blob folder (engine/team/team-scene.ts).
import sharp from 'sharp';
import type { ImageRow } from '../../db/store/rows';
import { packPointCloud, type PointCloudInfo } from '../../contract/point-cloud';
import { rlePixelIndices, type CocoRle } from '../../spatial/geometry/mask-rle';
import { rotationForUp } from '../../spatial/scene/gravity-frame';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { decodeDepthFile } from '../import/depth';
import { cloudStamp, type CloudCache } from './cloud-cache';
import { liftCloud, type ObjectPixels } from './lift-cloud';

/** Without a stored graph: camera axes levelled by nothing (y flipped to up, camera at the origin). */
const CAMERA_AXES = rotationForUp([0, -1, 0]);

/** What one image's cloud is built from, however its project stores it. */
export interface CloudInputs {
  image: ImageRow;
  graph: SceneGraph | undefined;
  /** The image's live objects in id order, with their stored masks. */
  objects: ReadonlyArray<{ id: number; label: string; maskRle: string | null }>;
  /** The bytes of the stored depth file (`image.depthBlob`, when there is one). */
  depthFile(): Promise<Buffer>;
  /** The upright colour image, encoded: its upright copy, else its source. */
  colourFile(): Promise<Buffer>;
}

export async function buildPointCloud(
  inputs: CloudInputs,
  cache: CloudCache,
  maxPoints: number,
): Promise<PointCloudInfo> {
  const { image, graph, objects } = inputs;
  const imageId = image.id;
  const frame = graph
    ? {
        rotation: graph.frame.rotation,
        translation: graph.frame.translation,
        floorY: graph.frame.floorY,
        gravitySource: graph.frame.gravitySource,
        aligned: graph.frame.aligned,
        fromGraph: true,
      }
    : {
        rotation: CAMERA_AXES,
        translation: [0, 0, 0] as [number, number, number],
        floorY: null,
        gravitySource: 'camera-axes',
        aligned: false,
        fromGraph: false,
      };
  const stamp = cloudStamp([
    maxPoints,
    image.sha256,
    image.depthBlob ?? '',
    image.uprightBlob ?? image.sourcePath,
    [image.fx, image.fy, image.cx, image.cy, image.width, image.height],
    frame,
    objects.map((o) => [o.id, o.label, o.maskRle]),
  ]);
  const cached = await cache.read(imageId, stamp);
  if (cached) return { ...cached, cached: true };

  const notes: string[] = [];
  if (!graph) notes.push('No scene graph yet: camera axes are shown, not levelled to gravity.');
  const base = {
    stamp,
    width: image.width,
    height: image.height,
    intrinsics: { fx: image.fx, fy: image.fy, cx: image.cx, cy: image.cy },
    frame,
    cached: false,
  };
  let depth: Float32Array;
  try {
    depth = await loadDepthMeters(inputs);
  } catch (err) {
    notes.push((err as Error).message);
    const info: PointCloudInfo = {
      ...base,
      pointCount: 0,
      validPixels: 0,
      stride: 1,
      bytes: 0,
      bounds: null,
      depthRange: null,
      objects: [],
      hasColor: false,
      notes,
    };
    // Nothing to lift: an empty blob still answers the viewer's fetch.
    const packed = packPointCloud(
      {
        positions: new Float32Array(0),
        depth: new Float32Array(0),
        objectIds: new Int32Array(0),
        colors: new Uint8Array(0),
      },
      stamp,
    );
    info.bytes = packed.byteLength;
    await cache.write(imageId, packed, info);
    return info;
  }

  const rgb = await loadRgb(inputs).catch((err: unknown) => {
    notes.push(`Colours unavailable (${(err as Error).message}); points are grey.`);
    return null;
  });
  const masks: ObjectPixels[] = [];
  for (const o of objects) {
    if (!o.maskRle) continue;
    try {
      const rle = JSON.parse(o.maskRle) as CocoRle;
      if (rle.size[0] !== image.height || rle.size[1] !== image.width) {
        notes.push(`Mask of object ${o.id} is ${rle.size[1]}x${rle.size[0]}, not the image size.`);
        continue;
      }
      masks.push({ id: o.id, pixels: rlePixelIndices(rle) });
    } catch (err) {
      notes.push(`Mask of object ${o.id} is unreadable: ${(err as Error).message}`);
    }
  }
  const cloud = liftCloud({
    depth,
    width: image.width,
    height: image.height,
    intrinsics: base.intrinsics,
    rotation: frame.rotation,
    translation: frame.translation,
    rgb,
    objects: masks,
    maxPoints,
  });
  const packed = packPointCloud(cloud, stamp);
  const info: PointCloudInfo = {
    ...base,
    pointCount: cloud.count,
    validPixels: cloud.validPixels,
    stride: cloud.stride,
    bytes: packed.byteLength,
    bounds: cloud.bounds,
    depthRange: cloud.depthRange,
    objects: objects.map((o) => ({
      id: o.id,
      label: o.label,
      points: cloud.pointsPerObject.get(o.id) ?? 0,
    })),
    hasColor: rgb !== null,
    notes,
  };
  await cache.write(imageId, packed, info);
  return info;
}

/** Canonical depth blobs are 16-bit PNG in millimetres (engine/import), 0 = missing. */
async function loadDepthMeters({ image, depthFile }: CloudInputs): Promise<Float32Array> {
  if (!image.depthBlob) throw new Error('No depth map for this image: nothing to lift to 3D.');
  const raw = await decodeDepthFile(await depthFile(), image.depthBlob);
  if (typeof raw === 'string') throw new Error(raw);
  if (raw.width !== image.width || raw.height !== image.height)
    throw new Error(
      `Stored depth is ${raw.width}x${raw.height}, the image is ${image.width}x${image.height}.`,
    );
  const metres = new Float32Array(raw.data.length);
  for (let i = 0; i < raw.data.length; i++) metres[i] = raw.data[i]! / 1000;
  return metres;
}

/** The upright image as interleaved RGB at the image's size. */
async function loadRgb({ image, colourFile }: CloudInputs): Promise<Uint8Array> {
  const { data, info } = await sharp(await colourFile(), { failOn: 'error' })
    .removeAlpha()
    .toColourspace('srgb')
    .resize(image.width, image.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
