// A stage's record for one image, tagged with the run that produced it (null: a re-derivation
// after an edit). Read and written through the two-database layer (db/store/scene-store.ts
// recordStages, stageRecords, runStageCounts) by the desktop and team pipelines alike.
export interface StageRecord {
  imageId: number;
  stage: string;
  status: 'done' | 'skipped' | 'failed';
  reason: string | null;
  provenance: Record<string, unknown> | null;
  tookMs: number | null;
  jobId: string | null;
}
