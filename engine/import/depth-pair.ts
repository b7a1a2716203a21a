// Pairs colour images with depth files by name: the same relative path without extension first
// (color/a/00001.jpg <-> depth/a/00001.png), else the same file stem anywhere in the depth folder.
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

export class DepthIndex {
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
