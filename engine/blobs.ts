// Maps a BlobRef to the file that holds it. Paths come only from the database (blob columns are
// relative to the project folder and checked to stay inside it), never from the request.
import { extname, resolve, sep } from 'node:path';
import type { BlobRef } from '../contract/blobs';
import { CatalogStore } from '../db/store/catalog-store';
import { sqliteHandle } from '../db/store/connect';
import type { ProjectRegistry } from './project-registry';
import { pointCloudBlobPath } from './scene-view/cloud-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.bin': 'application/octet-stream',
};

export interface BlobFile {
  path: string;
  contentType: string;
}

export async function resolveBlob(
  projects: ProjectRegistry,
  ref: BlobRef,
): Promise<BlobFile | undefined> {
  let store;
  try {
    store = projects.get(ref.projectId);
  } catch {
    return undefined;
  }
  const image = await new CatalogStore(sqliteHandle(store.db)).image(ref.imageId);
  if (!image) return undefined;
  let path: string | null;
  switch (ref.kind) {
    case 'image':
      path = image.uprightBlob ? insideProject(store.folder, image.uprightBlob) : image.sourcePath;
      break;
    case 'thumb':
      path = insideProject(store.folder, image.thumbBlob);
      break;
    case 'depth-preview':
      path = image.depthPreviewBlob ? insideProject(store.folder, image.depthPreviewBlob) : null;
      break;
    case 'point-cloud':
      // Written by scene.pointCloud (engine/scene-view); absent until it has run for the image.
      path = insideProject(store.folder, pointCloudBlobPath(image.id));
      break;
  }
  if (!path) return undefined;
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (!contentType) return undefined;
  return { path, contentType };
}

function insideProject(folder: string, rel: string): string | null {
  const full = resolve(folder, rel);
  return full.startsWith(folder + sep) ? full : null;
}
