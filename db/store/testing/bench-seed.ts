// Bulk rows for benches (up to 100k images): written in as few statements as the database
// allows (one INSERT … SELECT over a series, or prepared inserts in the caller's transaction), so
// filling stays a small part of a bench's time. Here because nothing outside db/ writes SQL.
import type Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { IMAGE_QUEUE } from '../../queue/image-queue';
import type { ProjectTables } from '../schema';

// ---- team projects (PostgreSQL) ----

/**
 * `batches` batches (ids 1.., folders /data/b1..) and `images` images spread over them, all
 * 'pending' or, with `everyThirdNeedsReview`, every third 'needs-review'. `analyze` refreshes
 * the planner's statistics afterwards, as after a real import.
 */
export async function seedTeamImages(
  db: Kysely<ProjectTables>,
  opts: {
    images: number;
    batches?: number;
    now: string;
    everyThirdNeedsReview?: boolean;
    analyze?: boolean;
  },
): Promise<void> {
  const batches = opts.batches ?? 1;
  for (let b = 1; b <= batches; b++)
    await sql`INSERT INTO batches (source_folder, depth_folder, depth_encoding, created_at)
      VALUES (${`/data/b${b}`}, NULL, NULL, ${opts.now})`.execute(db);
  await sql`INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes,
      format, width, height, fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
    SELECT 1 + (g % ${batches}), 'src/' || g, 'img/' || g || '.jpg', g || '.jpg', md5(g::text),
      1000, 'jpeg', 640, 480, 500, 500, 320, 240, 'default', 'blobs/thumbs/' || g || '.jpg',
      CASE WHEN ${!!opts.everyThirdNeedsReview}::boolean AND g % 3 = 0 THEN 'needs-review'
        ELSE 'pending' END,
      ${opts.now}
    FROM generate_series(1, ${opts.images}) g`.execute(db);
  if (opts.analyze) await sql`ANALYZE images`.execute(db);
}

/**
 * Marks the queued image jobs of even image ids completed, as a run in progress half done.
 * `analyze` refreshes the queue tables' statistics afterwards.
 */
export async function completeEvenImageJobs(
  db: Kysely<ProjectTables>,
  opts: { analyze?: boolean } = {},
): Promise<void> {
  await sql`UPDATE pgboss.job SET state = 'completed', completed_on = now()
    WHERE name = ${IMAGE_QUEUE} AND (data->>'imageId')::int % 2 = 0`.execute(db);
  if (opts.analyze) await sql`ANALYZE pgboss.job, pgboss.sqw_processing`.execute(db);
}

// ---- desktop projects (SQLite) ----

/**
 * `n` images in one batch (scenes of 1000 frames), objects on every 20th (every 40th a chair),
 * QA on every 10th (every 30th distance, every 50th changed) and a decision on every 7th QA.
 */
export function seedBrowseCatalog(db: Database.Database, batchId: number, n: number): void {
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.trunc(n)})
    INSERT INTO images (batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
      fx, fy, cx, cy, intrinsics_source, thumb_blob, created_at)
    SELECT ${Math.trunc(batchId)}, 'x' || i, 'scene_' || (i / 1000) || '/frame_' || i || '.jpg', 'frame_' || i || '.jpg',
      'h' || i, 1, 'jpeg', 640, 480, 525, 525, 319.5, 239.5, 'given', 't', 'now' FROM n;
    INSERT INTO objects (image_id, label, x0, y0, x1, y1, provenance, created_at)
      SELECT id, CASE WHEN id % 40 = 0 THEN 'chair' ELSE 'table' END, 0, 0, 1, 1, 'imported', 'now'
      FROM images WHERE id % 20 = 0;
    INSERT INTO qa_pairs (image_id, family, question, answer, status, created_at)
      SELECT id, CASE WHEN id % 30 = 0 THEN 'distance' ELSE 'left_right' END, 'q', 'a',
        CASE WHEN id % 50 = 0 THEN 'changed' ELSE 'proposed' END, 'now'
      FROM images WHERE id % 10 = 0;
    INSERT INTO review_decisions (qa_id, decision, reviewer, created_at)
      SELECT id, 'approve', 'ana', 'now' FROM qa_pairs WHERE id % 7 = 0;
  `);
}

/** A reviewed (approved) QA row with its stored record, as the pipeline stores one. */
export interface ApprovedQaRow {
  imageId: number;
  family: string;
  question: string;
  answer: string;
  valueJson: string;
  createdAt: string;
  qaKey: string;
  kind: string;
  factHash: string;
  recordJson: string;
  naming: string;
}

/**
 * Prepared inserts for an export bench's reviewed project: images (needs-review, of one
 * width × height, in batch 1), model objects with masks, approved QA. The caller runs them in
 * its own transactions (chunks), which is what keeps 100k images fast.
 */
export function reviewedProjectWriters(
  db: Database.Database,
  size: { width: number; height: number },
) {
  const batch = db.prepare(
    "INSERT INTO batches (id, source_folder, created_at) VALUES (1, '/bench/none', ?)",
  );
  const image = db.prepare(
    `INSERT INTO images (id, batch_id, source_path, rel_path, file_name, sha256, bytes, format, width, height,
       fx, fy, cx, cy, intrinsics_source, thumb_blob, status, created_at)
     VALUES (?, 1, ?, ?, ?, ?, 100000, 'jpeg', ?, ?, 525, 525, 319.5, 239.5, 'given', 'none', 'needs-review', ?)`,
  );
  const object = db.prepare(
    `INSERT INTO objects (id, image_id, label, score, x0, y0, x1, y1, mask_rle, provenance, mask_provenance, created_at)
     VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, 'model', 'model', ?)`,
  );
  const qa = db.prepare(
    `INSERT INTO qa_pairs (image_id, family, question, answer, value_json, status, created_at, qa_key, kind,
       fact_hash, record_json, naming) VALUES (?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?, ?, ?)`,
  );
  return {
    /** Batch 1, the images' batch. */
    batch: (createdAt: string) => void batch.run(createdAt),
    image: (id: number, fileName: string, sha256: string, createdAt: string) =>
      void image.run(
        id,
        `/bench/none/${fileName}`,
        fileName,
        fileName,
        sha256,
        size.width,
        size.height,
        createdAt,
      ),
    object: (o: {
      id: number;
      imageId: number;
      label: string;
      box: [number, number, number, number];
      maskRle: string;
      createdAt: string;
    }) => void object.run(o.id, o.imageId, o.label, ...o.box, o.maskRle, o.createdAt),
    qa: (q: ApprovedQaRow) =>
      void qa.run(
        q.imageId,
        q.family,
        q.question,
        q.answer,
        q.valueJson,
        q.createdAt,
        q.qaKey,
        q.kind,
        q.factHash,
        q.recordJson,
        q.naming,
      ),
  };
}
