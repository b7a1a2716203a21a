// Binary resources (images, thumbnails, depth previews) are not JSON calls: each transport maps a
// BlobRef to a URL it can serve (HTTP route with the token, or the Electron `sqw-blob:` protocol).
import { z } from 'zod';

/** 'point-cloud': the arrays described by scene.pointCloud (contract/point-cloud.ts). */
export const BlobKind = z.enum(['image', 'thumb', 'depth-preview', 'point-cloud']);
export type BlobKind = z.infer<typeof BlobKind>;

export interface BlobRef {
  projectId: string;
  imageId: number;
  kind: BlobKind;
}

/** Path part shared by both transports: `<projectId>/<imageId>/<kind>`. */
export function blobPath(ref: BlobRef): string {
  return `${encodeURIComponent(ref.projectId)}/${ref.imageId}/${ref.kind}`;
}

export function parseBlobPath(path: string): BlobRef | undefined {
  const parts = path.replace(/^\/+/, '').split('/');
  if (parts.length !== 3) return undefined;
  const [rawProject, rawImage, rawKind] = parts as [string, string, string];
  let projectId: string;
  try {
    projectId = decodeURIComponent(rawProject);
  } catch {
    return undefined;
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(projectId)) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(rawImage)) return undefined;
  const kind = BlobKind.safeParse(rawKind);
  if (!kind.success) return undefined;
  return { projectId, imageId: Number(rawImage), kind: kind.data };
}
