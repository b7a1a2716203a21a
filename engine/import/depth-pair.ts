// Pairs colour images with depth files by name. With a depth folder given: the same relative path
// without extension first (color/a/00001.jpg <-> depth/a/00001.png), else the same file stem anywhere
// in the depth folder. Depth maps found inside the image folder itself: by dataset layout (below).
import type { ImportIssue } from '../../contract/entities';
import { DEPTH_EXTENSIONS, scanFolder, type ScanFs, type ScannedFile } from './scan';

function stripExt(p: string): string {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  return dot > slash + 1 ? p.slice(0, dot) : p;
}

function stem(p: string): string {
  return stripExt(p.slice(p.lastIndexOf('/') + 1));
}

export type DepthMatch = { file: ScannedFile } | { ambiguous: string[] } | null;

export class DepthIndex implements DepthSource {
  readonly expectsDepthForEveryImage = true;
  private readonly byPath = new Map<string, ScannedFile[]>();
  private readonly byStem = new Map<string, ScannedFile[]>();

  constructor(files: ScannedFile[]) {
    for (const f of files) {
      push(this.byPath, stripExt(f.relPath), f);
      push(this.byStem, stem(f.relPath), f);
    }
  }

  static async scan(
    folder: string,
    fs?: ScanFs,
  ): Promise<{ index: DepthIndex; issues: ImportIssue[] }> {
    const { files, issues } = await scanFolder(folder, { extensions: DEPTH_EXTENSIONS, fs });
    return { index: new DepthIndex(files), issues };
  }

  /** The depth file for an image (relative path in the colour folder). */
  find(imageRelPath: string): DepthMatch {
    const exact = this.byPath.get(stripExt(imageRelPath));
    const candidates = exact ?? this.byStem.get(stem(imageRelPath));
    if (!candidates || candidates.length === 0) return null;
    // Two depth files of one name (00001.png and 00001.pgm, or one per sub-folder) cannot be told apart.
    if (candidates.length > 1) return { ambiguous: candidates.map((c) => c.relPath) };
    return { file: candidates[0]! };
  }
}

function push(map: Map<string, ScannedFile[]>, key: string, f: ScannedFile): void {
  const list = map.get(key);
  if (list) list.push(f);
  else map.set(key, [f]);
}

/** Where an image finds its depth: a given depth folder (DepthIndex) or the image folder's own maps. */
export interface DepthSource {
  find(imageRelPath: string): DepthMatch;
  /** Whether an image without depth is worth a warning (true when the user named a depth folder). */
  readonly expectsDepthForEveryImage: boolean;
}

const COLOUR_WORD = /^(colou?r|rgb|images?|img)$/i;
const LAYOUT_WORD = /^(colou?r|rgb|images?|img|depth)(\d*)$/i;
/** TUM RGB-D pairs colour and depth by nearest timestamp; associate.py's default tolerance. */
export const TIMESTAMP_TOLERANCE_S = 0.02;
const TIMESTAMP = /^\d+\.\d+$/;

/**
 * A path with the layout's words taken out, equal for an image and its depth map:
 * `color/00001.jpg`, `depth/00001.png` -> `00001` (Redwood; SUN's `image/`, TUM's `rgb/`);
 * `color.jpg`, `depth.png` -> `*` (side by side); `frame-7.color.png`, `frame-7.depth.png` ->
 * `frame-7.*` (7-Scenes); `rgb_0001.png`, `depth_0001.png` -> `*_0001`. Only a folder named exactly
 * `depth` is a layout word: SUN's `depth_bfx/` (filled depth) must not compete with its sensor depth.
 */
export function layoutKey(relPath: string): { folder: string; stem: string } {
  const parts = relPath.split('/');
  const stemName = stripExt(parts.pop()!);
  const folder = parts.filter((p) => !COLOUR_WORD.test(p) && p.toLowerCase() !== 'depth');
  const stemKey = stemName
    .split(/([._\-\s])/)
    .map((t) => t.replace(LAYOUT_WORD, '*$2'))
    .join('');
  return { folder: folder.join('/'), stem: stemKey };
}

/** Depth maps found in the image folder, matched to its images once, up front. */
export class FolderDepthPairs implements DepthSource {
  readonly expectsDepthForEveryImage = false;
  private readonly pairs = new Map<string, DepthMatch>();
  /** Depth maps no image pairs with (reported, never imported as photos). */
  readonly unpaired: ScannedFile[];

  constructor(photos: ScannedFile[], depth: ScannedFile[]) {
    const byKey = new Map<string, ScannedFile[]>();
    // folder key -> depth maps with timestamp names, sorted by time (TUM)
    const timed = new Map<string, { t: number; file: ScannedFile }[]>();
    for (const d of depth) {
      const k = layoutKey(d.relPath);
      push(byKey, `${k.folder}/${k.stem}`, d);
      if (TIMESTAMP.test(k.stem)) {
        const list = timed.get(k.folder) ?? [];
        list.push({ t: Number(k.stem), file: d });
        timed.set(k.folder, list);
      }
    }
    for (const list of timed.values()) list.sort((a, b) => a.t - b.t);
    const used = new Set<ScannedFile>();
    for (const p of photos) {
      const k = layoutKey(p.relPath);
      let candidates = byKey.get(`${k.folder}/${k.stem}`);
      if (!candidates && TIMESTAMP.test(k.stem)) {
        const near = nearestInTime(timed.get(k.folder) ?? [], Number(k.stem));
        if (near) candidates = [near];
      }
      if (!candidates) continue;
      if (candidates.length > 1) {
        this.pairs.set(p.relPath, { ambiguous: candidates.map((c) => c.relPath) });
      } else {
        this.pairs.set(p.relPath, { file: candidates[0]! });
      }
      for (const c of candidates) used.add(c);
    }
    this.unpaired = depth.filter((d) => !used.has(d));
  }

  get size(): number {
    return this.pairs.size;
  }

  find(imageRelPath: string): DepthMatch {
    return this.pairs.get(imageRelPath) ?? null;
  }
}

function nearestInTime(list: { t: number; file: ScannedFile }[], t: number): ScannedFile | null {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  let best: { t: number; file: ScannedFile } | null = null;
  for (const c of [list[lo - 1], list[lo]]) {
    if (
      c &&
      Math.abs(c.t - t) <= TIMESTAMP_TOLERANCE_S &&
      (!best || Math.abs(c.t - t) < Math.abs(best.t - t))
    )
      best = c;
  }
  return best?.file ?? null;
}

/** A given depth folder first; the image folder's own depth maps for images it has none for. */
export function combineDepthSources(first: DepthSource, then: DepthSource): DepthSource {
  return {
    expectsDepthForEveryImage: first.expectsDepthForEveryImage,
    find: (rel) => first.find(rel) ?? then.find(rel),
  };
}
