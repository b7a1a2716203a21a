// The typed shape of the project tables the two-database layer covers so far (SQLite and
// PostgreSQL alike). Column names are the database's; rows are mapped to domain names by the stores.
// Tables not listed here are still reached only through the synchronous SQLite repositories.
import type { Generated } from 'kysely';

export interface BatchesTable {
  id: Generated<number>;
  source_folder: string;
  depth_folder: string | null;
  depth_encoding: string | null;
  intrinsics_json: string | null;
  created_at: string;
}

export interface ImagesTable {
  id: Generated<number>;
  batch_id: number;
  source_path: string;
  rel_path: string;
  file_name: string;
  sha256: string;
  bytes: number;
  format: string;
  width: number;
  height: number;
  orientation: Generated<number>;
  exif_json: string | null;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
  intrinsics_source: string;
  upright_blob: string | null;
  thumb_blob: string;
  depth_blob: string | null;
  depth_preview_blob: string | null;
  depth_json: string | null;
  status: Generated<string>;
  created_at: string;
}

export interface ImportIssuesTable {
  id: Generated<number>;
  batch_id: number;
  path: string;
  kind: string;
  reason: string;
  created_at: string;
}

export interface QaPairsTable {
  id: Generated<number>;
  image_id: number;
  family: string;
  question: string;
  answer: string;
  value_json: string | null;
  status: Generated<string>;
  created_at: string;
  qa_key: string | null;
  kind: string | null;
  fact_hash: string | null;
  record_json: string | null;
  naming: string | null;
  held_json: string | null;
  fact_id: string | null;
}

export interface ReviewDecisionsTable {
  id: Generated<number>;
  qa_id: number;
  decision: string;
  reason: string | null;
  edited_answer: string | null;
  reviewer: string;
  created_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor: string;
  command: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
  created_at: string;
  op: string | null;
  ref_id: number | null;
  image_ids_json: string | null;
}

export interface ExportsTable {
  id: Generated<number>;
  format: string;
  out_dir: string;
  options_json: string;
  counts_json: string;
  checksum: string;
  created_at: string;
}

export interface StageRunsTable {
  image_id: number;
  stage: string;
  status: string;
  reason: string | null;
  provenance_json: string | null;
  took_ms: number | null;
  updated_at: string;
  job_id: string | null;
}

export interface JobsTable {
  id: string;
  kind: string;
  status: string;
  params_json: string;
  result_json: string | null;
  total: Generated<number>;
  done: Generated<number>;
  failed: Generated<number>;
  skipped: Generated<number>;
  message: string | null;
  created_at: string;
  updated_at: string;
  progress_json: string | null;
  owner_pid: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

export interface ObjectsTable {
  id: Generated<number>;
  image_id: number;
  label: string;
  score: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  mask_rle: string | null;
  provenance: string;
  created_at: string;
  mask_provenance: string | null;
  external_id: string | null;
  version: Generated<number>;
  updated_at: string | null;
  deleted_at: string | null;
  attributes_json: string | null;
  excluded: string | null;
}

export interface SceneGraphsTable {
  image_id: number;
  graph_json: string;
  created_at: string;
  notes_json: string | null;
}

export interface AmbiguitiesTable {
  image_id: number;
  node_id: number;
  label: string;
  group_json: string;
  reason: string;
}

export interface JobItemsTable {
  job_id: string;
  image_id: number;
  status: Generated<string>;
  stage: string | null;
  reason: string | null;
  attempts: Generated<number>;
  updated_at: string | null;
  first_object_id: number | null;
}

export interface ProjectTables {
  jobs: JobsTable;
  objects: ObjectsTable;
  scene_graphs: SceneGraphsTable;
  ambiguities: AmbiguitiesTable;
  job_items: JobItemsTable;
  stage_runs: StageRunsTable;
  batches: BatchesTable;
  images: ImagesTable;
  import_issues: ImportIssuesTable;
  qa_pairs: QaPairsTable;
  review_decisions: ReviewDecisionsTable;
  audit_log: AuditLogTable;
  exports: ExportsTable;
}

export type DialectName = 'sqlite' | 'postgres';
