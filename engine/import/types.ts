// The import's interface, shared by the CLI, the service (UI imports) and the benchmark.
import type { ImportResult } from '../../contract/api';
import type { ScanFs } from './scan';

export interface ImportProgress {
  total: number;
  done: number;
  imported: number;
  duplicates: number;
  /** Files neither imported nor duplicates: empty, unreadable, corrupt or too large (see `failed`). */
  skipped: number;
  /** Of `skipped`, the files that failed (kind 'failed' issues). */
  failed: number;
  current: string | null;
}

export interface ImportOptions {
  /** Folder searched recursively for jpg, jpeg, png, webp, ppm, pgm. */
  folder: string;
  /** Optional sensor depth folder, paired by file name. */
  depthFolder?: string;
  /** mm | tum | sun | nyu | scale:K (metres = raw / K). Default mm. */
  depthEncoding?: string;
  /**
   * Range-noise preset of the depth maps (spatial/depth-error.ts: kinect-v1, realsense-d435, tum,
   * redwood, or a depth model's), stored with each image's depth; absent: the scene build
   * estimates the noise from the map.
   */
  depthSensor?: string;
  /** Given intrinsics in pixels of the upright image; else EXIF, else a default field of view. */
  intrinsics?: { fx: number; fy: number; cx: number; cy: number };
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Files decoded at once; default 2 (this machine has 2 cores). */
  concurrency?: number;
  /** File-system facade for folder scanning (tests inject failures). */
  fs?: ScanFs;
}

export type { ImportResult };
