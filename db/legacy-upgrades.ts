// FROZEN. The desktop's schema steps from before the two-database layer, tracked in SQLite's
// user_version (1–15). They now only bring desktop project files made by earlier versions of the
// workstation up to version 15, which db/store/sqlite-migrations.ts then adopts into the layer's
// bookkeeping. New schema goes ONLY into db/store/migrations.ts (run on SQLite and PostgreSQL
// alike); never add or change a step here. Each step runs in its own IMMEDIATE transaction, so a
// crash mid-upgrade leaves the previous version intact and two processes never both run one.
import type { Database } from 'better-sqlite3';
import { groupDecisionsByFact } from './fact-migration';

export interface LegacyUpgrade {
  version: number;
  description: string;
  up: string;
  /** Data steps SQL cannot express, run after `up` in the same transaction. */
  run?: (db: Database) => void;
}

export const legacyUpgrades: LegacyUpgrade[] = [
  {
    version: 1,
    description: 'projects, batches, images, import issues, jobs',
    up: `
      CREATE TABLE project (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        settings_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        source_folder TEXT NOT NULL,
        depth_folder TEXT,
        depth_encoding TEXT,
        intrinsics_json TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        source_path TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        bytes INTEGER NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        orientation INTEGER NOT NULL DEFAULT 1,
        exif_json TEXT,
        fx REAL NOT NULL,
        fy REAL NOT NULL,
        cx REAL NOT NULL,
        cy REAL NOT NULL,
        intrinsics_source TEXT NOT NULL,
        upright_blob TEXT,
        thumb_blob TEXT NOT NULL,
        depth_blob TEXT,
        depth_preview_blob TEXT,
        depth_json TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        created_at TEXT NOT NULL
      );
      CREATE INDEX images_batch ON images(batch_id);
      CREATE INDEX images_status ON images(status);
      CREATE TABLE import_issues (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batches(id),
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX import_issues_batch ON import_issues(batch_id);
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        params_json TEXT NOT NULL,
        result_json TEXT,
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'objects, scene graphs, QA pairs, review decisions, audit log',
    up: `
      CREATE TABLE objects (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        score REAL,
        x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
        mask_rle TEXT,
        provenance TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX objects_image ON objects(image_id);
      CREATE TABLE scene_graphs (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        graph_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE qa_pairs (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        family TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        value_json TEXT,
        status TEXT NOT NULL DEFAULT 'proposed',
        created_at TEXT NOT NULL
      );
      CREATE INDEX qa_image ON qa_pairs(image_id);
      CREATE TABLE review_decisions (
        id INTEGER PRIMARY KEY,
        qa_id INTEGER NOT NULL REFERENCES qa_pairs(id) ON DELETE CASCADE,
        decision TEXT NOT NULL,
        reason TEXT,
        edited_answer TEXT,
        reviewer TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX reviews_qa ON review_decisions(qa_id);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        actor TEXT NOT NULL,
        command TEXT NOT NULL,
        target TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'object mask provenance and the id an object had in the file it was imported from',
    up: `
      ALTER TABLE objects ADD COLUMN mask_provenance TEXT;
      ALTER TABLE objects ADD COLUMN external_id TEXT;
      CREATE INDEX objects_external ON objects(image_id, external_id);
    `,
  },
  {
    version: 4,
    description: 'per-image stage results, scene-graph notes, stable QA keys, ambiguous objects',
    up: `
      CREATE TABLE stage_runs (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        provenance_json TEXT,
        took_ms REAL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (image_id, stage)
      );
      ALTER TABLE scene_graphs ADD COLUMN notes_json TEXT;
      ALTER TABLE qa_pairs ADD COLUMN qa_key TEXT;
      ALTER TABLE qa_pairs ADD COLUMN kind TEXT;
      ALTER TABLE qa_pairs ADD COLUMN fact_hash TEXT;
      ALTER TABLE qa_pairs ADD COLUMN record_json TEXT;
      CREATE UNIQUE INDEX qa_pairs_key ON qa_pairs(image_id, qa_key);
      CREATE TABLE ambiguities (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        node_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        group_json TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (image_id, node_id)
      );
      CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        format TEXT NOT NULL,
        out_dir TEXT NOT NULL,
        options_json TEXT NOT NULL,
        counts_json TEXT NOT NULL,
        checksum TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description:
      'resumable pipeline jobs: per-job image queue, job progress and owner, stage runs by job',
    up: `
      ALTER TABLE jobs ADD COLUMN progress_json TEXT;
      ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
      CREATE TABLE job_items (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        status TEXT NOT NULL DEFAULT 'pending',
        stage TEXT,
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT,
        PRIMARY KEY (job_id, image_id)
      ) WITHOUT ROWID;
      CREATE INDEX job_items_status ON job_items(job_id, status, image_id);
      ALTER TABLE stage_runs ADD COLUMN job_id TEXT;
      CREATE INDEX stage_runs_job ON stage_runs(job_id, stage, status);
    `,
  },
  {
    version: 6,
    description: 'review edits: object versions and soft delete, undoable audit entries',
    up: `
      ALTER TABLE objects ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE objects ADD COLUMN updated_at TEXT;
      ALTER TABLE objects ADD COLUMN deleted_at TEXT;
      ALTER TABLE audit_log ADD COLUMN op TEXT;
      ALTER TABLE audit_log ADD COLUMN ref_id INTEGER;
      ALTER TABLE audit_log ADD COLUMN image_ids_json TEXT;
      CREATE INDEX audit_op ON audit_log(op, id);
    `,
  },
  {
    version: 8,
    description: 'derived image status kept by triggers; indexes for the batch view filters',
    // An image's review status follows from its job queue, stage results and QA decisions; the
    // triggers keep images.status equal to it, so filtering and counting by status is one index
    // lookup even at 100k images. 'processing' = queued in a running job.
    up: `
      CREATE VIEW image_derived_status AS
      SELECT i.id AS id,
        CASE
          WHEN EXISTS (SELECT 1 FROM job_items ji JOIN jobs j ON j.id = ji.job_id
                       WHERE ji.image_id = i.id AND ji.status = 'pending' AND j.status IN ('queued', 'running'))
            THEN 'processing'
          WHEN EXISTS (SELECT 1 FROM stage_runs s WHERE s.image_id = i.id AND s.status = 'failed') THEN 'failed'
          WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id) THEN 'pending'
          WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id
                           AND q.status IN ('approved', 'rejected', 'edited')) THEN 'needs-review'
          WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id AND q.status IN ('proposed', 'changed'))
            THEN 'in-review'
          WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id AND q.status IN ('approved', 'edited'))
            THEN 'approved'
          ELSE 'rejected'
        END AS status
      FROM images i;

      CREATE INDEX job_items_image ON job_items(image_id, status);
      CREATE INDEX stage_runs_failed ON stage_runs(image_id) WHERE status = 'failed';
      CREATE INDEX qa_image_status ON qa_pairs(image_id, status);
      CREATE INDEX qa_family ON qa_pairs(family, image_id);
      CREATE INDEX qa_status_image ON qa_pairs(status, image_id);
      CREATE INDEX objects_label ON objects(label, image_id);
      CREATE INDEX reviews_reviewer ON review_decisions(reviewer, qa_id);
      CREATE INDEX images_batch_status ON images(batch_id, status);

      CREATE TRIGGER image_status_qa_ins AFTER INSERT ON qa_pairs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_qa_upd AFTER UPDATE OF status ON qa_pairs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_qa_del AFTER DELETE ON qa_pairs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = OLD.image_id)
          WHERE id = OLD.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = OLD.image_id);
      END;
      CREATE TRIGGER image_status_stage_ins AFTER INSERT ON stage_runs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_stage_upd AFTER UPDATE OF status ON stage_runs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_stage_del AFTER DELETE ON stage_runs BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = OLD.image_id)
          WHERE id = OLD.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = OLD.image_id);
      END;
      CREATE TRIGGER image_status_item_ins AFTER INSERT ON job_items BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_item_upd AFTER UPDATE OF status ON job_items BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.image_id)
          WHERE id = NEW.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.image_id);
      END;
      CREATE TRIGGER image_status_item_del AFTER DELETE ON job_items BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = OLD.image_id)
          WHERE id = OLD.image_id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = OLD.image_id);
      END;
      -- Only a move between active (queued, running) and inactive changes 'processing'.
      CREATE TRIGGER image_status_job AFTER UPDATE OF status ON jobs
      WHEN (OLD.status IN ('queued', 'running')) IS NOT (NEW.status IN ('queued', 'running')) BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status d WHERE d.id = images.id)
          WHERE id IN (SELECT image_id FROM job_items WHERE job_id = NEW.id AND status = 'pending');
      END;
      -- Whoever writes images.status directly (older code paths), the derived value wins.
      CREATE TRIGGER image_status_direct AFTER UPDATE OF status ON images BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.id)
          WHERE id = NEW.id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.id);
      END;

      UPDATE images SET status = (SELECT status FROM image_derived_status d WHERE d.id = images.id);
    `,
  },
  {
    version: 9,
    description: 'QA naming mode as a column, indexed for export',
    // Exports read one naming mode; filtering by json_extract parsed every record of the project
    // (both modes) on each page, and the progress count scanned the table.
    up: `
      ALTER TABLE qa_pairs ADD COLUMN naming TEXT;
      UPDATE qa_pairs SET naming = json_extract(record_json, '$.naming') WHERE record_json IS NOT NULL;
      CREATE INDEX qa_export ON qa_pairs(naming, status, image_id);
    `,
  },
  {
    version: 10,
    description:
      'QA decisions held across re-derivation; orphaned QA do not count for image status',
    // A re-derivation that changes or drops a reviewed QA keeps its decision in held_json (status,
    // answer, the facts it was made on) so it can be restored when the facts come back. QA whose
    // facts vanished stay as 'orphaned' and count for an image's status as if they were gone.
    up: `
      ALTER TABLE qa_pairs ADD COLUMN held_json TEXT;
      DROP VIEW image_derived_status;
      CREATE VIEW image_derived_status AS
      SELECT i.id AS id,
        CASE
          WHEN EXISTS (SELECT 1 FROM job_items ji JOIN jobs j ON j.id = ji.job_id
                       WHERE ji.image_id = i.id AND ji.status = 'pending' AND j.status IN ('queued', 'running'))
            THEN 'processing'
          WHEN EXISTS (SELECT 1 FROM stage_runs s WHERE s.image_id = i.id AND s.status = 'failed') THEN 'failed'
          WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id AND q.status <> 'orphaned')
            THEN 'pending'
          WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id
                           AND q.status IN ('approved', 'rejected', 'edited')) THEN 'needs-review'
          WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id AND q.status IN ('proposed', 'changed'))
            THEN 'in-review'
          WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = i.id AND q.status IN ('approved', 'edited'))
            THEN 'approved'
          ELSE 'rejected'
        END AS status
      FROM images i;
      UPDATE images SET status = (SELECT status FROM image_derived_status d WHERE d.id = images.id);
    `,
  },
  {
    version: 11,
    description: 'job leases renewed by the running process; undo history per reviewer',
    // A job is alive while its lease is renewed (a heartbeat in the database), not while some
    // process has its old PID: a killed run is resumable once its lease expires, even if the PID
    // was reused. owner_pid stays unused. Undo stacks are rebuilt per reviewer from the audit log.
    up: `
      ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
      ALTER TABLE jobs ADD COLUMN lease_expires_at INTEGER;
      CREATE INDEX jobs_live ON jobs(kind, status, lease_expires_at);
      CREATE INDEX audit_actor ON audit_log(actor, op, id);
    `,
  },
  {
    version: 12,
    description: 'QA grouped by fact: one review decision per fact, earlier decisions merged',
    // Every phrasing of one fact (spatial/qa/fact-id.ts) carries its id; a reviewer decides the
    // fact once. Facts whose phrasings were decided differently take the most recent decision
    // (fact-migration.ts); the ones it replaced stay in review_decisions and the audit log.
    up: `
      ALTER TABLE qa_pairs ADD COLUMN fact_id TEXT;
      CREATE INDEX qa_fact ON qa_pairs(image_id, fact_id);
    `,
    run: groupDecisionsByFact,
  },
  {
    version: 13,
    description: 'reviewer attributes on objects and exclusion from QA',
    // A reviewer resolves an ambiguous name by adding a distinguishing attribute ("red", "on the
    // left") or by excluding an object from QA ("background", "unsure"); both are object state, so
    // they are versioned, undoable and carried into the scene graph on re-derivation.
    up: `
      ALTER TABLE objects ADD COLUMN attributes_json TEXT;
      ALTER TABLE objects ADD COLUMN excluded TEXT;
    `,
  },
  {
    version: 14,
    description:
      'reviewer accounts with roles and hashed API tokens; claims on slices of the queue',
    // Accounts are never deleted (a revoked one keeps its name in the audit log). A token is stored
    // only as its HMAC-SHA-256 under a per-account salt, found by its public id. A claim holds a
    // slice of the review queue (batch, QA family and/or object label: every one given must match)
    // for one reviewer until expires_at (ms since the epoch) or until released.
    up: `
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'viewer')),
        token_id TEXT NOT NULL UNIQUE,
        token_salt TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE review_claims (
        id INTEGER PRIMARY KEY,
        holder TEXT NOT NULL,
        batch_id INTEGER,
        family TEXT,
        label TEXT,
        expires_at INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        released_at TEXT,
        CHECK (batch_id IS NOT NULL OR family IS NOT NULL OR label IS NOT NULL)
      );
      CREATE INDEX review_claims_live ON review_claims(released_at, expires_at);
    `,
  },
  {
    version: 15,
    description: 'object ids reserved per image for a run that detects',
    // A run that detects reserves, in image order, a block of object ids for each queued image
    // without objects (db/store/object-id-blocks.ts): detected objects take first_object_id +
    // their ordinal, so their ids do not depend on the order images finish in. Objects added
    // otherwise take ids above every reserved block (the index makes that one lookup).
    up: `
      ALTER TABLE job_items ADD COLUMN first_object_id INTEGER;
      CREATE INDEX job_items_object_ids ON job_items(first_object_id);
    `,
  },
];

/** The last legacy version: a file here has exactly the schema of the layer's adopted migrations. */
export const LEGACY_FINAL_VERSION = legacyUpgrades.reduce((v, m) => Math.max(v, m.version), 0);

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs the steps of `list` above the file's user_version, each with its version in one
 * transaction; the versions it ran (none where another process had already run them).
 */
export function runLegacyUpgrades(db: Database, list: LegacyUpgrade[] = legacyUpgrades): number[] {
  const ran: number[] = [];
  const from = userVersion(db);
  const pending = [...list].sort((a, b) => a.version - b.version).filter((m) => m.version > from);
  for (const m of pending) {
    db.transaction(() => {
      // Another process opening the project at the same moment may have applied it already.
      if (userVersion(db) >= m.version) return;
      db.exec(m.up);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
      ran.push(m.version);
    }).immediate();
  }
  return ran;
}
