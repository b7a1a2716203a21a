// The schema of every project database, written once here and run on both: team projects on
// PostgreSQL through Kysely's Migrator (migrateStore), desktop project files on SQLite
// synchronously inside ProjectStore.open (sqlite-migrations.ts). Both keep the same bookkeeping
// (Kysely's kysely_migration table, same names). A migration is a list of Kysely schema builders
// and `sql` statements for a dialect, so the same definition compiles for either database. New
// schema goes only here: db/legacy-upgrades.ts is frozen (it upgrades pre-layer desktop files).
import {
  sql,
  type Compilable,
  type ColumnDefinitionBuilder,
  type Kysely,
  type RawBuilder,
} from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import type { DialectName } from './schema';

/** One statement of a migration; compiled for the dialect of the Kysely instance that built it. */
export type MigrationStep = Compilable;

export interface LayerMigration {
  /** Kysely applies and records migrations by name, in name order. */
  name: string;
  steps(db: Kysely<unknown>, dialect: DialectName): MigrationStep[];
}

function statement(db: Kysely<unknown>, query: RawBuilder<unknown>): MigrationStep {
  return { compile: () => query.compile(db) };
}

type Column = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** The few column types the two databases spell differently. */
function typesFor(dialect: DialectName) {
  const pg = dialect === 'postgres';
  return {
    // SQLite: INTEGER PRIMARY KEY is the rowid. PostgreSQL: an identity column that still takes
    // explicit ids, so a project copied in keeps its ids.
    id: ((c) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey())) as Column,
    // PostgreSQL's `real` is 4 bytes; SQLite's REAL is 8.
    real: pg ? ('double precision' as const) : ('real' as const),
    // File sizes pass 2^31 on PostgreSQL's 4-byte integer; SQLite integers are 8 bytes already.
    bigint: pg ? ('bigint' as const) : ('integer' as const),
  };
}

/**
 * Batches, images, QA and their review, the audit log and exports. A desktop file also holds its
 * one project row here; a team database gets it from `sqw project copy` (the desktop's table).
 */
function reviewAndCatalog(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const t = typesFor(dialect);
  const steps: MigrationStep[] = [];
  if (dialect === 'sqlite')
    steps.push(
      db.schema
        .createTable('project')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('settings_json', 'text', (c) => c.notNull().defaultTo('{}')),
    );
  steps.push(
    db.schema
      .createTable('batches')
      .addColumn('id', 'integer', t.id)
      .addColumn('source_folder', 'text', (c) => c.notNull())
      .addColumn('depth_folder', 'text')
      .addColumn('depth_encoding', 'text')
      .addColumn('intrinsics_json', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull()),
  );
  steps.push(
    db.schema
      .createTable('images')
      .addColumn('id', 'integer', t.id)
      .addColumn('batch_id', 'integer', (c) => c.notNull().references('batches.id'))
      .addColumn('source_path', 'text', (c) => c.notNull())
      .addColumn('rel_path', 'text', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull().unique())
      .addColumn('bytes', t.bigint, (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('orientation', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('exif_json', 'text')
      .addColumn('fx', t.real, (c) => c.notNull())
      .addColumn('fy', t.real, (c) => c.notNull())
      .addColumn('cx', t.real, (c) => c.notNull())
      .addColumn('cy', t.real, (c) => c.notNull())
      .addColumn('intrinsics_source', 'text', (c) => c.notNull())
      .addColumn('upright_blob', 'text')
      .addColumn('thumb_blob', 'text', (c) => c.notNull())
      .addColumn('depth_blob', 'text')
      .addColumn('depth_preview_blob', 'text')
      .addColumn('depth_json', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .addColumn('created_at', 'text', (c) => c.notNull()),
  );
  steps.push(db.schema.createIndex('images_batch').on('images').column('batch_id'));
  steps.push(db.schema.createIndex('images_status').on('images').column('status'));
  steps.push(
    db.schema.createIndex('images_batch_status').on('images').columns(['batch_id', 'status']),
  );
  steps.push(
    db.schema
      .createTable('import_issues')
      .addColumn('id', 'integer', t.id)
      .addColumn('batch_id', 'integer', (c) => c.notNull().references('batches.id'))
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull()),
  );
  steps.push(db.schema.createIndex('import_issues_batch').on('import_issues').column('batch_id'));
  steps.push(
    db.schema
      .createTable('qa_pairs')
      .addColumn('id', 'integer', t.id)
      .addColumn('image_id', 'integer', (c) =>
        c.notNull().references('images.id').onDelete('cascade'),
      )
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('question', 'text', (c) => c.notNull())
      .addColumn('answer', 'text', (c) => c.notNull())
      .addColumn('value_json', 'text')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('proposed'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('qa_key', 'text')
      .addColumn('kind', 'text')
      .addColumn('fact_hash', 'text')
      .addColumn('record_json', 'text')
      .addColumn('naming', 'text')
      .addColumn('held_json', 'text')
      .addColumn('fact_id', 'text'),
  );
  const qaIndexes: Array<[string, string[], boolean?]> = [
    ['qa_image', ['image_id']],
    ['qa_pairs_key', ['image_id', 'qa_key'], true],
    ['qa_image_status', ['image_id', 'status']],
    ['qa_family', ['family', 'image_id']],
    ['qa_status_image', ['status', 'image_id']],
    ['qa_export', ['naming', 'status', 'image_id']],
    ['qa_fact', ['image_id', 'fact_id']],
  ];
  for (const [name, columns, unique] of qaIndexes) {
    const index = db.schema.createIndex(name).on('qa_pairs').columns(columns);
    steps.push(unique ? index.unique() : index);
  }
  steps.push(
    db.schema
      .createTable('review_decisions')
      .addColumn('id', 'integer', t.id)
      .addColumn('qa_id', 'integer', (c) =>
        c.notNull().references('qa_pairs.id').onDelete('cascade'),
      )
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('edited_answer', 'text')
      .addColumn('reviewer', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull()),
  );
  steps.push(db.schema.createIndex('reviews_qa').on('review_decisions').column('qa_id'));
  steps.push(
    db.schema.createIndex('reviews_reviewer').on('review_decisions').columns(['reviewer', 'qa_id']),
  );
  steps.push(
    db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', t.id)
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('before_json', 'text')
      .addColumn('after_json', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('op', 'text')
      .addColumn('ref_id', 'integer')
      .addColumn('image_ids_json', 'text'),
  );
  steps.push(db.schema.createIndex('audit_op').on('audit_log').columns(['op', 'id']));
  steps.push(db.schema.createIndex('audit_actor').on('audit_log').columns(['actor', 'op', 'id']));
  steps.push(
    db.schema
      .createTable('exports')
      .addColumn('id', 'integer', t.id)
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('out_dir', 'text', (c) => c.notNull())
      .addColumn('options_json', 'text', (c) => c.notNull())
      .addColumn('counts_json', 'text', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull()),
  );
  return steps;
}

/** Per-image stage results: what pipeline workers write (legacy steps 4, 5 and 8). */
function stageRuns(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const t = typesFor(dialect);
  const steps: MigrationStep[] = [];
  steps.push(
    db.schema
      .createTable('stage_runs')
      .addColumn('image_id', 'integer', (c) =>
        c.notNull().references('images.id').onDelete('cascade'),
      )
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('provenance_json', 'text')
      .addColumn('took_ms', t.real)
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('job_id', 'text')
      .addPrimaryKeyConstraint('stage_runs_pk', ['image_id', 'stage']),
  );
  steps.push(
    db.schema.createIndex('stage_runs_job').on('stage_runs').columns(['job_id', 'stage', 'status']),
  );
  steps.push(
    db.schema
      .createIndex('stage_runs_failed')
      .on('stage_runs')
      .column('image_id')
      .where(sql.ref('status'), '=', 'failed'),
  );
  return steps;
}

/**
 * Objects, scene graphs, ambiguities and the desktop's job tables (legacy steps 1–13): what
 * pipeline workers read and write, with their keys, foreign keys and indexes.
 */
function sceneAndJobs(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const t = typesFor(dialect);
  const steps: MigrationStep[] = [];
  steps.push(
    db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('params_json', 'text', (c) => c.notNull())
      .addColumn('result_json', 'text')
      .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('progress_json', 'text')
      .addColumn('owner_pid', 'integer')
      .addColumn('lease_owner', 'text')
      // Milliseconds since the epoch: past 2^31.
      .addColumn('lease_expires_at', t.bigint),
  );
  steps.push(
    db.schema.createIndex('jobs_live').on('jobs').columns(['kind', 'status', 'lease_expires_at']),
  );
  steps.push(
    db.schema
      .createTable('objects')
      .addColumn('id', 'integer', t.id)
      .addColumn('image_id', 'integer', (c) =>
        c.notNull().references('images.id').onDelete('cascade'),
      )
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('score', t.real)
      .addColumn('x0', t.real, (c) => c.notNull())
      .addColumn('y0', t.real, (c) => c.notNull())
      .addColumn('x1', t.real, (c) => c.notNull())
      .addColumn('y1', t.real, (c) => c.notNull())
      .addColumn('mask_rle', 'text')
      .addColumn('provenance', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('mask_provenance', 'text')
      .addColumn('external_id', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('updated_at', 'text')
      .addColumn('deleted_at', 'text')
      .addColumn('attributes_json', 'text')
      .addColumn('excluded', 'text'),
  );
  const objectIndexes: Array<[string, string[]]> = [
    ['objects_image', ['image_id']],
    ['objects_external', ['image_id', 'external_id']],
    ['objects_label', ['label', 'image_id']],
  ];
  for (const [name, columns] of objectIndexes)
    steps.push(db.schema.createIndex(name).on('objects').columns(columns));
  steps.push(
    db.schema
      .createTable('scene_graphs')
      .addColumn('image_id', 'integer', (c) =>
        c.primaryKey().references('images.id').onDelete('cascade'),
      )
      .addColumn('graph_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('notes_json', 'text'),
  );
  steps.push(
    db.schema
      .createTable('ambiguities')
      .addColumn('image_id', 'integer', (c) =>
        c.notNull().references('images.id').onDelete('cascade'),
      )
      .addColumn('node_id', 'integer', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('group_json', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ambiguities_pk', ['image_id', 'node_id']),
  );
  let items = db.schema
    .createTable('job_items')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('image_id', 'integer', (c) =>
      c.notNull().references('images.id').onDelete('cascade'),
    )
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('stage', 'text')
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text')
    .addPrimaryKeyConstraint('job_items_pk', ['job_id', 'image_id']);
  if (dialect === 'sqlite') items = items.modifyEnd(sql`WITHOUT ROWID`);
  steps.push(items);
  steps.push(
    db.schema
      .createIndex('job_items_status')
      .on('job_items')
      .columns(['job_id', 'status', 'image_id']),
  );
  steps.push(
    db.schema.createIndex('job_items_image').on('job_items').columns(['image_id', 'status']),
  );
  return steps;
}

/** A trigger that re-derives one image's status: the image `row`.image_id of `table`. */
function sqliteStatusTrigger(
  db: Kysely<unknown>,
  name: string,
  event: string,
  table: string,
  row: 'NEW' | 'OLD',
  when?: string,
): MigrationStep {
  const image = `${row}.image_id`;
  const condition = when === undefined ? '' : ` WHEN ${when}`;
  return statement(
    db,
    sql.raw(`CREATE TRIGGER ${name} AFTER ${event} ON ${table}${condition} BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = ${image})
          WHERE id = ${image} AND status IS NOT (SELECT status FROM image_derived_status WHERE id = ${image});
      END`),
  );
}

function sqliteDerivedImageStatus(db: Kysely<unknown>): MigrationStep[] {
  const steps: MigrationStep[] = [
    statement(
      db,
      sql`CREATE VIEW image_derived_status AS
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
      FROM images i`,
    ),
  ];
  const tables: Array<[string, string]> = [
    ['qa', 'qa_pairs'],
    ['stage', 'stage_runs'],
    ['item', 'job_items'],
  ];
  for (const [short, table] of tables) {
    steps.push(sqliteStatusTrigger(db, `image_status_${short}_ins`, 'INSERT', table, 'NEW'));
    steps.push(
      sqliteStatusTrigger(db, `image_status_${short}_upd`, 'UPDATE OF status', table, 'NEW'),
    );
    steps.push(sqliteStatusTrigger(db, `image_status_${short}_del`, 'DELETE', table, 'OLD'));
  }
  // Only a move between active (queued, running) and inactive changes 'processing'.
  steps.push(
    statement(
      db,
      sql`CREATE TRIGGER image_status_job AFTER UPDATE OF status ON jobs
      WHEN (OLD.status IN ('queued', 'running')) IS NOT (NEW.status IN ('queued', 'running')) BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status d WHERE d.id = images.id)
          WHERE id IN (SELECT image_id FROM job_items WHERE job_id = NEW.id AND status = 'pending');
      END`,
    ),
  );
  // Whoever writes images.status directly (older code paths), the derived value wins.
  steps.push(
    statement(
      db,
      sql`CREATE TRIGGER image_status_direct AFTER UPDATE OF status ON images BEGIN
        UPDATE images SET status = (SELECT status FROM image_derived_status WHERE id = NEW.id)
          WHERE id = NEW.id AND status IS NOT (SELECT status FROM image_derived_status WHERE id = NEW.id);
      END`,
    ),
  );
  return steps;
}

/**
 * images.status derived from the job queue, stage results and QA decisions, kept by triggers, so a
 * status filter or count is one index lookup even at 100k images. 'processing' = queued in a
 * running job; QA orphaned by a re-derivation count as gone. Same rules, same order on both
 * databases: a view and row triggers on SQLite (as the desktop's legacy steps 8 and 10 made them),
 * a plpgsql function and triggers on PostgreSQL.
 */
function derivedImageStatus(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  if (dialect === 'sqlite') return sqliteDerivedImageStatus(db);
  const steps: MigrationStep[] = [];
  steps.push(
    statement(
      db,
      sql`
        CREATE FUNCTION image_derived_status(image bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
        BEGIN
          -- plpgsql, not sql: its plan is cached per session (a sql function is planned per call).
          RETURN CASE
            WHEN EXISTS (SELECT 1 FROM job_items ji JOIN jobs j ON j.id = ji.job_id
                         WHERE ji.image_id = image AND ji.status = 'pending' AND j.status IN ('queued', 'running'))
              THEN 'processing'
            WHEN EXISTS (SELECT 1 FROM stage_runs s WHERE s.image_id = image AND s.status = 'failed') THEN 'failed'
            WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = image AND q.status <> 'orphaned')
              THEN 'pending'
            WHEN NOT EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = image
                             AND q.status IN ('approved', 'rejected', 'edited')) THEN 'needs-review'
            WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = image AND q.status IN ('proposed', 'changed'))
              THEN 'in-review'
            WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.image_id = image AND q.status IN ('approved', 'edited'))
              THEN 'approved'
            ELSE 'rejected'
          END;
        END $$`,
    ),
  );
  steps.push(
    statement(
      db,
      sql`
        CREATE FUNCTION image_status_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE image bigint; derived text;
        BEGIN
          IF TG_TABLE_NAME = 'images' THEN image := NEW.id;
          ELSIF TG_OP = 'DELETE' THEN image := OLD.image_id;
          ELSE image := NEW.image_id;
          END IF;
          derived := image_derived_status(image);
          UPDATE images SET status = derived WHERE id = image AND status IS DISTINCT FROM derived;
          RETURN NULL;
        END $$`,
    ),
  );
  for (const table of ['qa_pairs', 'stage_runs', 'job_items'])
    steps.push(
      statement(
        db,
        sql`
          CREATE TRIGGER ${sql.id(`image_status_${table}`)}
          AFTER INSERT OR DELETE OR UPDATE OF status ON ${sql.id(table)}
          FOR EACH ROW EXECUTE FUNCTION image_status_refresh()`,
      ),
    );
  // Whoever writes images.status directly, the derived value wins (the inner update changes
  // nothing the second time round, so this stops).
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_direct AFTER UPDATE OF status ON images
        FOR EACH ROW EXECUTE FUNCTION image_status_refresh()`,
    ),
  );
  // Only a move between active (queued, running) and inactive changes 'processing'.
  steps.push(
    statement(
      db,
      sql`
        CREATE FUNCTION image_status_job() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (OLD.status IN ('queued', 'running')) IS DISTINCT FROM (NEW.status IN ('queued', 'running')) THEN
            UPDATE images SET status = image_derived_status(images.id)
              WHERE id IN (SELECT image_id FROM job_items WHERE job_id = NEW.id AND status = 'pending')
                AND status IS DISTINCT FROM image_derived_status(images.id);
          END IF;
          RETURN NULL;
        END $$`,
    ),
  );
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_job AFTER UPDATE OF status ON jobs
        FOR EACH ROW EXECUTE FUNCTION image_status_job()`,
    ),
  );
  return steps;
}

/**
 * The derived status reads stage_runs only for failed records, so its trigger there runs only when
 * a failed record comes or goes: a worker's done or skipped records (most of them) cost the
 * derivation's subqueries nothing. The other triggers of 0004 are unchanged. PostgreSQL only: a
 * desktop file's legacy triggers are narrowed the same way by 0008.
 */
function stageStatusOnFailedOnly(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const steps: MigrationStep[] = [];
  if (dialect !== 'postgres') return steps;
  steps.push(statement(db, sql`DROP TRIGGER image_status_stage_runs ON stage_runs`));
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_stage_runs_ins AFTER INSERT ON stage_runs
        FOR EACH ROW WHEN (NEW.status = 'failed') EXECUTE FUNCTION image_status_refresh()`,
    ),
  );
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_stage_runs_upd AFTER UPDATE OF status ON stage_runs
        FOR EACH ROW WHEN ((OLD.status = 'failed') IS DISTINCT FROM (NEW.status = 'failed'))
        EXECUTE FUNCTION image_status_refresh()`,
    ),
  );
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_stage_runs_del AFTER DELETE ON stage_runs
        FOR EACH ROW WHEN (OLD.status = 'failed') EXECUTE FUNCTION image_status_refresh()`,
    ),
  );
  return steps;
}

/**
 * Reviewer accounts and claims on slices of the review queue (legacy step 14): a served team
 * project signs reviewers in and refuses decisions inside someone else's claim.
 */
function reviewAccess(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const t = typesFor(dialect);
  const steps: MigrationStep[] = [];
  steps.push(
    db.schema
      .createTable('accounts')
      .addColumn('id', 'integer', t.id)
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('role', 'text', (c) =>
        c.notNull().check(sql`role IN ('admin', 'reviewer', 'viewer')`),
      )
      .addColumn('token_id', 'text', (c) => c.notNull().unique())
      .addColumn('token_salt', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text'),
  );
  steps.push(
    db.schema
      .createTable('review_claims')
      .addColumn('id', 'integer', t.id)
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('batch_id', 'integer')
      .addColumn('family', 'text')
      .addColumn('label', 'text')
      // Milliseconds since the epoch: past 2^31, so 8 bytes on PostgreSQL.
      .addColumn('expires_at', t.bigint, (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('released_at', 'text')
      .addCheckConstraint(
        'review_claims_slice',
        sql`batch_id IS NOT NULL OR family IS NOT NULL OR label IS NOT NULL`,
      ),
  );
  steps.push(
    db.schema
      .createIndex('review_claims_live')
      .on('review_claims')
      .columns(['released_at', 'expires_at']),
  );
  return steps;
}

/**
 * The object-id block a run reserved for each queued image it detects on (legacy step 15,
 * db/store/object-id-blocks.ts). Team runs keep theirs in the queue's job data; the column keeps
 * the two schemas alike.
 */
function reservedObjectIds(db: Kysely<unknown>): MigrationStep[] {
  const steps: MigrationStep[] = [];
  steps.push(db.schema.alterTable('job_items').addColumn('first_object_id', 'integer'));
  steps.push(
    db.schema.createIndex('job_items_object_ids').on('job_items').column('first_object_id'),
  );
  return steps;
}

/**
 * The image status triggers fire on the same row changes on both databases (schema-parity.test.ts
 * compares their events and WHEN clauses, and their effect on one sequence of writes):
 * - SQLite: the stage_runs triggers run only when a failed record comes or goes, as 0006 made them
 *   on PostgreSQL. Desktop files, fresh (0004) or adopted from legacy step 8, had triggers that
 *   re-derived on every stage record. images.status needs no re-derivation here: the broader
 *   triggers kept it exact, and the narrower ones skip only writes that cannot change it.
 * - PostgreSQL: the jobs trigger's test (a move between active and inactive) moves from the
 *   function's body into the trigger's WHEN, as SQLite has it, so other job updates (progress,
 *   heartbeat) do not call the function at all.
 */
function imageStatusTriggersAlike(db: Kysely<unknown>, dialect: DialectName): MigrationStep[] {
  const steps: MigrationStep[] = [];
  if (dialect === 'sqlite') {
    const narrowed: Array<[string, string, 'NEW' | 'OLD', string]> = [
      ['image_status_stage_ins', 'INSERT', 'NEW', "NEW.status = 'failed'"],
      [
        'image_status_stage_upd',
        'UPDATE OF status',
        'NEW',
        "(OLD.status = 'failed') IS NOT (NEW.status = 'failed')",
      ],
      ['image_status_stage_del', 'DELETE', 'OLD', "OLD.status = 'failed'"],
    ];
    for (const [name, event, row, when] of narrowed) {
      steps.push(statement(db, sql`DROP TRIGGER ${sql.id(name)}`));
      steps.push(sqliteStatusTrigger(db, name, event, 'stage_runs', row, when));
    }
    return steps;
  }
  steps.push(statement(db, sql`DROP TRIGGER image_status_job ON jobs`));
  steps.push(
    statement(
      db,
      sql`
        CREATE OR REPLACE FUNCTION image_status_job() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE images SET status = image_derived_status(images.id)
            WHERE id IN (SELECT image_id FROM job_items WHERE job_id = NEW.id AND status = 'pending')
              AND status IS DISTINCT FROM image_derived_status(images.id);
          RETURN NULL;
        END $$`,
    ),
  );
  // Only a move between active (queued, running) and inactive changes 'processing'.
  steps.push(
    statement(
      db,
      sql`
        CREATE TRIGGER image_status_job AFTER UPDATE OF status ON jobs
        FOR EACH ROW
        WHEN ((OLD.status IN ('queued', 'running')) IS DISTINCT FROM (NEW.status IN ('queued', 'running')))
        EXECUTE FUNCTION image_status_job()`,
    ),
  );
  return steps;
}

/** Every migration of the layer, in the order they apply. */
export const layerMigrations: readonly LayerMigration[] = [
  { name: '0001-review-and-catalog', steps: reviewAndCatalog },
  { name: '0002-stage-runs', steps: stageRuns },
  { name: '0003-scene-and-jobs', steps: sceneAndJobs },
  { name: '0004-derived-image-status', steps: derivedImageStatus },
  { name: '0005-review-access', steps: reviewAccess },
  { name: '0006-stage-status-on-failed-only', steps: stageStatusOnFailedOnly },
  { name: '0007-reserved-object-ids', steps: reservedObjectIds },
  { name: '0008-image-status-triggers-alike', steps: imageStatusTriggersAlike },
];

/** The layer's migrations as Kysely's Migrator takes them: each runs its steps in order. */
export function storeMigrations(dialect: DialectName): Record<string, Migration> {
  return Object.fromEntries(
    layerMigrations.map((m): [string, Migration] => [
      m.name,
      {
        async up(db: Kysely<unknown>) {
          for (const step of m.steps(db, dialect)) await db.executeQuery(step.compile());
        },
      },
    ]),
  );
}

/**
 * Brings a database up to the layer's newest schema through Kysely's Migrator; throws with
 * Kysely's reason on failure. On PostgreSQL all pending migrations and their records commit in one
 * transaction (Kysely's lock row keeps two processes from both migrating). Desktop files go through
 * migrateProjectFile instead: Kysely runs SQLite migrations outside any transaction.
 */
export async function migrateStore(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => storeMigrations(dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
