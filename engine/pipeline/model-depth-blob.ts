// Model depth is stored like sensor depth (16-bit PNG in millimetres + colour preview), under its own
// name so it never overwrites a sensor map; depth_json says source 'model'. Encoding is apart from
// writing: a desktop run writes the files into its project folder, a team worker through its blob
// store, and both store the same bytes under the same names.
import sharp from 'sharp';
import { depthToRgba } from '../../spatial/colormap';
import { accumulateHistogram, robustRange, statsFromHistogram } from '../../spatial/depth-stats';
import { blobRelPath, writeBlobAtomic, type PendingBlob } from '../import/blobs';

export interface StoredModelDepth {
  /**
   * The depth as stored (whole millimetres), in metres: what later stages must use, so a run that
   * resumes from the stored map, or a re-derivation, gives exactly the same graph.
   */
  metres: Float32Array;
  depth: string;
  preview: string;
  info: {
    source: 'model';
    encoding: 'mm';
    width: number;
    height: number;
    validRatio: number;
    minMeters: number | null;
    maxMeters: number | null;
    /** The model's range-noise preset (depthErrorPresetForModel), when it has one. */
    noisePreset?: string;
  };
}

/** The depth map and its preview as files to write, and what the database stores of them. */
export async function encodeModelDepth(
  sha: string,
  metres: Float32Array,
  width: number,
  height: number,
  noisePreset: string | null = null,
): Promise<StoredModelDepth & { files: PendingBlob[] }> {
  const mm = new Uint16Array(metres.length);
  for (let i = 0; i < metres.length; i++) {
    const v = metres[i]!;
    // Missing or beyond 65.535 m: 0 (the canonical "no reading").
    mm[i] = Number.isFinite(v) && v > 0 && v < 65.535 ? Math.round(v * 1000) : 0;
  }
  const stats = statsFromHistogram(accumulateHistogram(mm));
  const preview = depthToRgba(mm, robustRange(stats));
  const [depthPng, previewPng] = await Promise.all([
    sharp(mm, { raw: { width, height, channels: 1 } })
      .toColourspace('grey16')
      .png({ compressionLevel: 6 })
      .toBuffer(),
    sharp(preview, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer(),
  ]);
  const depth = blobRelPath('depth', `${sha}.model`, 'png');
  const previewPath = blobRelPath('depth-preview', `${sha}.model`, 'png');
  const stored = new Float32Array(mm.length);
  for (let i = 0; i < mm.length; i++) stored[i] = mm[i]! / 1000;
  return {
    files: [
      { relPath: depth, data: depthPng },
      { relPath: previewPath, data: previewPng },
    ],
    metres: stored,
    depth,
    preview: previewPath,
    info: {
      source: 'model',
      encoding: 'mm',
      width,
      height,
      validRatio: stats.validRatio,
      minMeters: stats.minMm === null ? null : stats.minMm / 1000,
      maxMeters: stats.maxMm === null ? null : stats.maxMm / 1000,
      ...(noisePreset ? { noisePreset } : {}),
    },
  };
}

/** A desktop run's model depth, written into its project folder. */
export async function writeModelDepth(
  projectFolder: string,
  sha: string,
  metres: Float32Array,
  width: number,
  height: number,
  noisePreset: string | null = null,
): Promise<StoredModelDepth> {
  const { files, ...stored } = await encodeModelDepth(sha, metres, width, height, noisePreset);
  for (const f of files) await writeBlobAtomic(projectFolder, f);
  return stored;
}
