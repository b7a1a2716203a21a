// Tables a served team project reads and writes beyond schema.ts's: reviewer accounts, claims on
// the review queue (both migrated by this layer, 0003) and the few columns of project and objects
// that reviewing reads (those two tables come with `sqw project copy` until they move to this
// layer). Stores reach them through `db.withTables<TeamTables>()`.
import type { Generated } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  name: string;
  role: string;
  token_id: string;
  token_salt: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ReviewClaimsTable {
  id: Generated<number>;
  holder: string;
  batch_id: number | null;
  family: string | null;
  label: string | null;
  /** Milliseconds since the epoch. */
  expires_at: number;
  created_at: string;
  released_at: string | null;
}

export interface ProjectTable {
  id: string;
  name: string;
  created_at: string;
}

/** What reviewing reads of an object (edits are not on this layer yet). */
export interface ObjectsReadTable {
  id: number;
  image_id: number;
  label: string;
  score: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  mask_rle: string | null;
  provenance: string;
  mask_provenance: string | null;
  attributes_json: string | null;
  excluded: string | null;
  deleted_at: string | null;
  updated_at: string | null;
  version: number;
}

export interface SceneGraphsReadTable {
  image_id: number;
  created_at: string;
}

export type TeamTables = {
  accounts: AccountsTable;
  review_claims: ReviewClaimsTable;
  project: ProjectTable;
  objects: ObjectsReadTable;
  scene_graphs: SceneGraphsReadTable;
};
