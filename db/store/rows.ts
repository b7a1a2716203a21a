// Row shapes of the project tables as the two-database layer (db/store/*) hands them out, and
// the pure helpers that derive values from a row (a QA pair's revision, an object's attributes).
// No SQL here: engine/ and renderer-facing mappers import these types without a database.
import { createHash } from 'node:crypto';

export interface NewImage {
  batchId: number;
  sourcePath: string;
  relPath: string;
  fileName: string;
  sha256: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  orientation: number;
  exif: Record<string, unknown> | null;
  intrinsics: { fx: number; fy: number; cx: number; cy: number; source: string };
  uprightBlob: string | null;
  thumbBlob: string;
  depthBlob: string | null;
  depthPreviewBlob: string | null;
  depth: Record<string, unknown> | null;
}

export interface ImageRow {
  id: number;
  batchId: number;
  sourcePath: string;
  relPath: string;
  fileName: string;
  sha256: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  orientation: number;
  exifJson: string | null;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  intrinsicsSource: string;
  uprightBlob: string | null;
  thumbBlob: string;
  depthBlob: string | null;
  depthPreviewBlob: string | null;
  depthJson: string | null;
  status: string;
  createdAt: string;
}

export interface ObjectRow {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  provenance: 'model' | 'human' | 'imported';
  maskProvenance: 'model' | 'depth-cluster' | 'imported' | 'human' | null;
}

export interface NewObject extends Omit<ObjectRow, 'id' | 'maskProvenance'> {
  /** COCO RLE as JSON ({size, counts}), original-image pixels. */
  maskRle?: string | null;
  maskProvenance?: 'model' | 'depth-cluster' | 'imported' | 'human' | null;
  /** Where the object came from, e.g. `coco:<file sha>:<annotation id>`, so re-imports add nothing twice. */
  externalId?: string | null;
  /** A detected object's id from its image's reserved block; absent: the next free id. */
  id?: number;
}

export interface QaRow {
  id: number;
  imageId: number;
  family: string;
  question: string;
  answer: string;
  /** 'orphaned': its facts vanished (an object deleted); kept with its decision, never exported. */
  status: 'proposed' | 'approved' | 'rejected' | 'edited' | 'changed' | 'orphaned';
}

export type QaKind = 'qualitative' | 'quantitative' | 'multi-hop';

export interface ReviewRow {
  id: number;
  qaId: number;
  decision: 'approve' | 'reject' | 'edit' | 'skip';
  reason: string | null;
  editedAnswer: string | null;
  reviewer: string;
  createdAt: string;
}

/** Why a reviewer took an object out of QA: background clutter, or not sure what it is. */
export type ObjectExclusion = 'background' | 'unsure';

/** Everything needed to put an object back exactly as it was (undo/redo restore these). */
export interface ObjectState {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  box: [number, number, number, number];
  provenance: ObjectRow['provenance'];
  maskRle: string | null;
  maskProvenance: ObjectRow['maskProvenance'];
  /** Distinguishing attributes a reviewer added ("red", "on the left"), used in referring expressions. */
  attributes: string[];
  /** Excluded from QA by a reviewer, with why; null = in QA. */
  excluded: ObjectExclusion | null;
  deleted: boolean;
  /** Bumped by every edit; an edit made against an older version is stale. */
  version: number;
}

/** A QA pair's reviewable state; `revision` changes whenever status, answer or facts change. */
export interface QaState {
  id: number;
  imageId: number;
  status: QaRow['status'];
  answer: string;
  revision: string;
}

/** What the review UI and the approval checks read of a QA pair. */
export interface QaReviewRow extends QaRow {
  kind: QaKind | null;
  key: string | null;
  factHash: string | null;
  value: unknown;
  record: Record<string, unknown> | null;
  revision: string;
  batchId: number;
  fileName: string;
  /** The fact this QA phrases (null for pairs stored without a generated record). */
  factId: string | null;
  /** How many live phrasings the fact has (this one included); a decision applies to all. */
  phrasings: number;
}

export interface AuditEntryRow {
  id: number;
  actor: string;
  command: string;
  target: string;
  before: unknown;
  after: unknown;
  createdAt: string;
  /** 'do' | 'undo' | 'redo' for undoable commands, 'log' for decisions with nothing to undo, null for legacy rows. */
  op: 'do' | 'undo' | 'redo' | 'log' | null;
  refId: number | null;
  imageIds: number[];
}

export function parseAttributes(json: string | null): string[] {
  if (!json) return [];
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

export function qaRevision(status: string, answer: string, factHash: string | null): string {
  return createHash('sha1')
    .update(`${status}\0${answer}\0${factHash ?? ''}`)
    .digest('hex')
    .slice(0, 12);
}

// A stage's record for one image, tagged with the run that produced it (null: a re-derivation
// after an edit). Read and written through db/store/scene-store.ts (recordStages, stageRecords,
// runStageCounts) by the desktop and team pipelines alike.
export interface StageRecord {
  imageId: number;
  stage: string;
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
  tookMs: number | null;
  jobId: string | null;
}

/** A stage's record as the image view lists it (without the run). */
export type StageRunRow = Omit<StageRecord, 'jobId'>;

export interface QueueSlice {
  batchId: number | null;
  family: string | null;
  label: string | null;
}

export interface ClaimRow extends QueueSlice {
  id: number;
  holder: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  createdAt: string;
}
