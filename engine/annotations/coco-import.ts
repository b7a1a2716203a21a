// Attaches 2D boxes and masks from a COCO instances file to the project's images, matched by file
// path or name. Every annotation that can't be used is reported with its reason; the usable ones are
// written in short transactions, and a re-import adds nothing twice. Reads and writes go through
// the two-database layer, so a desktop project and a team project import the same way.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ImportIssue } from '../../contract/entities';
import type { ProjectStore } from '../../db/project-store';
import type { ImageRow } from '../../db/store/rows';
import { AnnotationImportStore, type ImportedObject } from '../../db/store/annotation-import-store';
import { CatalogStore } from '../../db/store/catalog-store';
import { sqliteHandle, type ProjectDb } from '../../db/store/connect';
import { decodeRle, encodeRle, MaskError } from '../../spatial/geometry/mask-rle';
import { rasterizePolygons } from '../../spatial/geometry/polygon-mask';
import { CocoFileSchema, type CocoFile } from './coco-schema';

export interface AnnotationImportResult {
  imagesMatched: number;
  objectsAdded: number;
  alreadyPresent: number;
  issues: ImportIssue[];
}

const MAX_LABEL_LENGTH = 200;
/** Objects written per transaction: milliseconds of write lock each, even with large masks. */
const OBJECTS_PER_TRANSACTION = 500;

/** Where annotations are imported: a project's database through the layer. */
export type AnnotationTarget = Pick<ProjectDb, 'db' | 'dialect'>;

/** A desktop project's database, on the store's connection. */
export function desktopAnnotationTarget(store: ProjectStore): AnnotationTarget {
  return { db: sqliteHandle(store.db), dialect: 'sqlite' };
}

/** importCocoFileInto() a desktop project. */
export function importCocoFile(store: ProjectStore, path: string): Promise<AnnotationImportResult> {
  return importCocoFileInto(desktopAnnotationTarget(store), path);
}

export async function importCocoFileInto(
  target: AnnotationTarget,
  path: string,
): Promise<AnnotationImportResult> {
  return importCocoSource(target, await readCocoFile(path));
}

/** A COCO instances file read and checked, not yet imported; `fileKey` names it in objects' ids. */
export interface CocoSource {
  coco: CocoFile;
  fileKey: string;
}

/** Reads and checks a COCO instances file; throws saying why it cannot be used. */
export async function readCocoFile(path: string): Promise<CocoSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read annotations ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`annotations ${path} are not valid JSON: ${(err as Error).message}`);
  }
  const fileKey = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return { coco: checkCoco(json), fileKey };
}

function checkCoco(json: unknown): CocoFile {
  const parsed = CocoFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `not a COCO instances file: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

export async function importCocoAnnotations(
  target: AnnotationTarget,
  json: unknown,
  fileKey: string,
): Promise<AnnotationImportResult> {
  return importCocoSource(target, { coco: checkCoco(json), fileKey });
}

/** Attaches a checked COCO file's boxes and masks to the target's images. */
export async function importCocoSource(
  target: AnnotationTarget,
  { coco, fileKey }: CocoSource,
): Promise<AnnotationImportResult> {
  const issues: ImportIssue[] = [];
  const categories = new Map(
    coco.categories.map((c) => [String(c.id), c.name.trim().slice(0, MAX_LABEL_LENGTH)]),
  );
  const images = await matchImages(new CatalogStore(target.db), coco, issues);
  const objects = new AnnotationImportStore(target.db, target.dialect);
  const externalId = (ann: CocoFile['annotations'][number], index: number) =>
    `coco:${fileKey}:${ann.id ?? index}`;
  // Read before decoding masks, so a re-import costs no decoding; add() checks again.
  const present = await objects.present(
    coco.annotations.flatMap((ann, index) => {
      const image = images.get(String(ann.image_id));
      return image ? [{ imageId: image.id, externalId: externalId(ann, index) }] : [];
    }),
  );

  const pending: ImportedObject[] = [];
  let alreadyPresent = 0;
  coco.annotations.forEach((ann, index) => {
    const where = `annotation ${ann.id ?? `#${index}`}`;
    const image = images.get(String(ann.image_id));
    if (!image) return; // its image was reported once already
    const label = categories.get(String(ann.category_id));
    if (!label)
      return issues.push({
        path: where,
        kind: 'skipped',
        reason: `unknown category_id ${ann.category_id}`,
      });
    const id = externalId(ann, index);
    if (present.has(`${image.id} ${id}`)) {
      alreadyPresent++;
      return;
    }
    let mask: Uint8Array | null = null;
    try {
      // Our export writes a mask-less object's box as a polygon; it was never a mask.
      mask = ann.sqw_mask === false ? null : decodeSegmentation(ann.segmentation, image);
    } catch (err) {
      return issues.push({ path: where, kind: 'skipped', reason: (err as Error).message });
    }
    const box = ann.bbox
      ? boxFromXywh(ann.bbox, image)
      : mask
        ? boxOfMask(mask, image.width)
        : null;
    if (!box)
      return issues.push({
        path: where,
        kind: 'skipped',
        reason: 'zero-area or out-of-image box, and no mask',
      });
    pending.push({
      imageId: image.id,
      label,
      score: ann.score ?? null,
      box,
      provenance: 'imported',
      maskRle: mask ? JSON.stringify(encodeRle(mask, image.width, image.height)) : null,
      maskProvenance: mask ? 'imported' : null,
      externalId: id,
    });
  });

  // Small transactions, so reviewers and other processes are never locked out for a whole file;
  // an import stopped half-way is finished by running it again (objects already present are skipped).
  let added = 0;
  for (let i = 0; i < pending.length; i += OBJECTS_PER_TRANSACTION)
    added += await objects.add(pending.slice(i, i + OBJECTS_PER_TRANSACTION));
  return {
    imagesMatched: images.size,
    objectsAdded: added,
    alreadyPresent: alreadyPresent + pending.length - added,
    issues,
  };
}

async function matchImages(
  catalog: CatalogStore,
  coco: CocoFile,
  issues: ImportIssue[],
): Promise<Map<string, ImageRow>> {
  const out = new Map<string, ImageRow>();
  for (const img of coco.images) {
    const name = img.file_name.replace(/\\/g, '/');
    const bySha = img.sqw_sha256 ? await catalog.findBySha(img.sqw_sha256) : undefined;
    const same = bySha ? await catalog.image(bySha.id) : undefined;
    if (same) {
      out.set(String(img.id), same);
      continue;
    }
    let candidates = await catalog.imagesNamed(name);
    if (candidates.length === 0) candidates = await catalog.imagesNamed(name.split('/').pop()!);
    if (candidates.length === 0) {
      issues.push({
        path: img.file_name,
        kind: 'skipped',
        reason: 'no image with this path or name in the project',
      });
      continue;
    }
    if (candidates.length > 1) {
      issues.push({
        path: img.file_name,
        kind: 'skipped',
        reason: `${candidates.length} project images share this name; use the relative path`,
      });
      continue;
    }
    const row = candidates[0]!;
    if ((img.width && img.width !== row.width) || (img.height && img.height !== row.height)) {
      issues.push({
        path: img.file_name,
        kind: 'skipped',
        reason: `annotated at ${img.width}x${img.height} but the image is ${row.width}x${row.height}`,
      });
      continue;
    }
    out.set(String(img.id), row);
  }
  return out;
}

function decodeSegmentation(
  seg: CocoFile['annotations'][number]['segmentation'],
  image: ImageRow,
): Uint8Array | null {
  if (seg === undefined) return null;
  if (Array.isArray(seg)) {
    if (seg.length === 0) return null;
    if (seg.some((p) => p.length < 6 || p.length % 2 !== 0 || p.some((v) => !Number.isFinite(v)))) {
      throw new Error('polygon segmentation needs at least 3 finite x,y points per ring');
    }
    return rasterizePolygons(seg, image.width, image.height);
  }
  const [h, w] = seg.size;
  if (h !== image.height || w !== image.width) {
    throw new Error(`mask is ${w}x${h} but the image is ${image.width}x${image.height}`);
  }
  try {
    return decodeRle(seg).mask;
  } catch (err) {
    throw new Error(err instanceof MaskError ? `bad RLE mask: ${err.message}` : String(err));
  }
}

/** COCO [x, y, w, h] to [x0, y0, x1, y1], clipped to the image; null when nothing is left. */
function boxFromXywh(b: number[], image: ImageRow): [number, number, number, number] | null {
  const [x, y, w, h] = b as [number, number, number, number];
  if (![x, y, w, h].every(Number.isFinite)) return null;
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(image.width, x + w);
  const y1 = Math.min(image.height, y + h);
  return x1 - x0 > 0 && y1 - y0 > 0 ? [x0, y0, x1, y1] : null;
}

function boxOfMask(mask: Uint8Array, width: number): [number, number, number, number] | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const x = i % width;
    const y = (i - x) / width;
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x + 1 > x1) x1 = x + 1;
    if (y + 1 > y1) y1 = y + 1;
  }
  return x1 > x0 ? [x0, y0, x1, y1] : null;
}
