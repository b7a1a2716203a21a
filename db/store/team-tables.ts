// Tables a served team project reads and writes beyond schema.ts's: reviewer accounts, claims on
// the review queue (both migrated by this layer, 0005) and the columns of project that reviewing
// reads (that table comes with `sqw project copy` until it moves to this layer). Stores reach them
// through `db.withTables<TeamTables>()`.
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

export type TeamTables = {
  accounts: AccountsTable;
  review_claims: ReviewClaimsTable;
  project: ProjectTable;
};
