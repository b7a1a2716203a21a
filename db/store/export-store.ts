// What a dataset export reads, on SQLite and PostgreSQL alike: the project streamed a page of
// images at a time (their QA, objects with masks, scene graphs), so an export of 1M QA never holds
// more than one page in memory; and the record of each export. Pages are read in (image_id, id)
// order with one index range scan each, so a page costs the same at the start and the end.
import type { Database, Statement } from 'better-sqlite3';
import { sql, type CompiledQuery, type Kysely, type RawBuilder } from 'kysely';
import type { ImageRow } from './rows';
import type { QaPair as QaRecord } from '../../spatial/qa/types';
import type { DialectName, ProjectTables } from './schema';
import type { TeamTables } from './team-tables';

/** The image fields an export reads (EXIF, thumbnails and status are never exported). */
export type ExportImageRow = Pick<
  ImageRow,
  | 'id'
  | 'sourcePath'
  | 'relPath'
  | 'fileName'
  | 'sha256'
  | 'format'
  | 'width'
  | 'height'
  | 'fx'
  | 'fy'
  | 'cx'
  | 'cy'
  | 'intrinsicsSource'
  | 'uprightBlob'
  | 'depthBlob'
>;

export interface QaFilter {
  statuses: readonly string[];
  /** Only these families (none = all). */
  families?: readonly string[];
  /** Only QA whose latest review decision was made by one of these reviewers. */
  reviewers?: readonly string[];
  /** Only QA named this way (formats that use one naming never read the other). */
  naming?: 'region' | 'expression';
  /** Only images with ids in [first, last] (one export shard). */
  imageRange?: readonly [number, number];
  /** At most this many phrasings per fact, picked by a hash of `seed` (none = all). */
  phrasingsPerFact?: number;
  seed?: string;
}

export interface ExportQaRow {
  id: number;
  imageId: number;
  family: string;
  status: string;
  /** Current answer text: a reviewer's edit replaces the generated one. */
  answer: string;
  /** Machine value as stored (JSON text), null for a tie. */
  valueJson: string | null;
  /** The full generated record (JSON text). */
  recordJson: string;
}

export interface ExportObjectRow {
  id: number;
  imageId: number;
  label: string;
  score: number | null;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** COCO RLE as JSON, or null when the object has no mask. */
  maskRle: string | null;
  maskProvenance: string | null;
  provenance: string;
}

export interface StageModelRow {
  stage: string;
  engine: string | null;
  model: string | null;
  version: string | null;
  images: number;
}

export interface StoredGraph {
  graph: unknown;
  notes: string[];
}

export interface ExportRecord {
  format: string;
  outDir: string;
  options: unknown;
  counts: unknown;
  checksum: string;
}

export interface RecordedExport {
  id: number;
  format: string;
  outDir: string;
  optionsJson: string;
  countsJson: string;
  checksum: string;
  createdAt: string;
}

type Tables = ProjectTables & TeamTables;

export class ExportStore {
  private readonly db: Kysely<Tables>;

  private readonly statements = new Map<string, Statement>();

  /**
   * `sqlite`: the desktop's open connection under `db`. The page queries (QA and objects: most of
   * an export's reads) then run their compiled SQL as cached statements returning arrays, the
   * rows built here: better-sqlite3's per-row objects cost a quarter of the page query's time.
   */
  constructor(
    db: Kysely<ProjectTables>,
    private readonly dialect: DialectName,
    private readonly sqlite?: Database,
  ) {
    this.db = db.withTables<TeamTables>();
  }

  /** A page query's rows: through Kysely, or on the desktop's connection from arrays. */
  private async pageRows<T>(query: CompiledQuery<T>, build: (r: unknown[]) => T): Promise<T[]> {
    if (!this.sqlite) return (await this.db.executeQuery(query)).rows;
    let statement = this.statements.get(query.sql);
    if (!statement) {
      statement = this.sqlite.prepare(query.sql).raw();
      this.statements.set(query.sql, statement);
    }
    return (statement.all(...query.parameters) as unknown[][]).map(build);
  }

  async projectName(): Promise<string> {
    const row = await this.db.selectFrom('project').select('name').executeTakeFirst();
    if (!row) throw new Error('this database holds no project');
    return row.name;
  }

  /** Where each batch's images and depth maps were imported from (folders an export protects). */
  async batchFolders(): Promise<
    Array<{ id: number; sourceFolder: string; depthFolder: string | null }>
  > {
    return this.db
      .selectFrom('batches')
      .select(['id', 'source_folder as sourceFolder', 'depth_folder as depthFolder'])
      .orderBy('id')
      .execute();
  }

  /**
   * `forPages` on SQLite: the page query writes `+q.status` / `+q.naming`, which keeps the planner
   * on the (image_id) index: pages are then read in (image_id, id) order and stop at LIMIT,
   * instead of a status or naming index followed by a sort of everything after the cursor. The
   * count uses the (naming, status, image_id) index and never reads the table. PostgreSQL has no
   * unary plus on text (and plans by statistics).
   */
  private qaWhere(f: QaFilter, forPages: boolean): RawBuilder<unknown> {
    const sqlite = this.dialect === 'sqlite';
    const plus = sql.raw(forPages && sqlite ? '+' : '');
    // A naming mode is only stored with a record, so it implies one.
    const parts: RawBuilder<unknown>[] = [
      f.naming ? sql`${plus}q.naming = ${f.naming}` : sql`q.record_json IS NOT NULL`,
      sql`${plus}q.status IN (${sql.join([...f.statuses])})`,
    ];
    if (f.imageRange && forPages) {
      // Pages start at the range's first image (the caller's cursor); only the end is a bound
      // here: a second lower bound would replace the cursor's in the index range, and each page
      // would scan from the range start again.
      parts.push(sql`q.image_id <= ${f.imageRange[1]}`);
    } else if (f.imageRange) {
      parts.push(sql`q.image_id BETWEEN ${f.imageRange[0]} AND ${f.imageRange[1]}`);
    }
    if (f.families?.length)
      parts.push(sql`${sql.raw(sqlite ? '+' : '')}q.family IN (${sql.join([...f.families])})`);
    if (f.reviewers?.length)
      parts.push(
        sql`(SELECT r.reviewer FROM review_decisions r WHERE r.qa_id = q.id ORDER BY r.id DESC LIMIT 1) IN (${sql.join([...f.reviewers])})`,
      );
    return sql.join(parts, sql` AND `);
  }

  /** How many images have QA passing the filter (progress totals). */
  async qaImageCount(f: QaFilter): Promise<number> {
    if (f.statuses.length === 0) return 0;
    const r = await sql<{
      n: number;
    }>`SELECT COUNT(DISTINCT q.image_id) AS n FROM qa_pairs q WHERE ${this.qaWhere(f, false)}`.execute(
      this.db,
    );
    return Number(r.rows[0]!.n);
  }

  /** Lowest and highest image id with QA passing the filter (null: none), to split an export. */
  async qaImageIdBounds(f: QaFilter): Promise<[number, number] | null> {
    if (f.statuses.length === 0) return null;
    const r = await sql<{
      lo: number | null;
      hi: number | null;
    }>`SELECT MIN(q.image_id) AS lo, MAX(q.image_id) AS hi FROM qa_pairs q WHERE ${this.qaWhere(f, false)}`.execute(
      this.db,
    );
    const { lo, hi } = r.rows[0]!;
    return lo === null || hi === null ? null : [lo, hi];
  }

  /** How many images have objects, and how many have a scene graph. */
  async imageCounts(): Promise<{ withObjects: number; withGraphs: number }> {
    const r = await sql<{ withObjects: number; withGraphs: number }>`
      SELECT (SELECT COUNT(DISTINCT image_id) FROM objects WHERE deleted_at IS NULL) AS "withObjects",
             (SELECT COUNT(*) FROM scene_graphs) AS "withGraphs"`.execute(this.db);
    const row = r.rows[0]!;
    return { withObjects: Number(row.withObjects), withGraphs: Number(row.withGraphs) };
  }

  /**
   * The next `limit` QA passing the filter after (afterImageId, afterId), by image then id; an
   * `afterId` past any id (Number.MAX_SAFE_INTEGER) starts after the image.
   */
  async qaPage(
    afterImageId: number,
    afterId: number,
    limit: number,
    f: QaFilter,
  ): Promise<ExportQaRow[]> {
    if (f.statuses.length === 0) return [];
    // PostgreSQL types the parameter by the (4-byte) id column; the cursor may pass it.
    const after = this.dialect === 'postgres' ? sql`CAST(${afterId} AS bigint)` : sql`${afterId}`;
    const query = sql<ExportQaRow>`
      SELECT q.id, q.image_id AS "imageId", q.family, q.status, q.answer,
             q.value_json AS "valueJson", q.record_json AS "recordJson"
      FROM qa_pairs q WHERE (q.image_id, q.id) > (${afterImageId}, ${after}) AND ${this.qaWhere(f, true)}
      ORDER BY q.image_id, q.id LIMIT ${limit}`.compile(this.db);
    return this.pageRows(query, (r) => ({
      id: r[0] as number,
      imageId: r[1] as number,
      family: r[2] as string,
      status: r[3] as string,
      answer: r[4] as string,
      valueJson: r[5] as string | null,
      recordJson: r[6] as string,
    }));
  }

  /** Images firstId..lastId, by id (one query per page instead of one per image). */
  async imagesInRange(firstId: number, lastId: number): Promise<ExportImageRow[]> {
    return this.db
      .selectFrom('images')
      .select([
        'id',
        'source_path as sourcePath',
        'rel_path as relPath',
        'file_name as fileName',
        'sha256',
        'format',
        'width',
        'height',
        'fx',
        'fy',
        'cx',
        'cy',
        'intrinsics_source as intrinsicsSource',
        'upright_blob as uprightBlob',
        'depth_blob as depthBlob',
      ])
      .where('id', '>=', firstId)
      .where('id', '<=', lastId)
      .orderBy('id')
      .execute();
  }

  /** Next `limit` ids of images that have objects, after `afterId`. */
  async objectImageIds(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('objects')
      .select('image_id')
      .distinct()
      .where('image_id', '>', afterId)
      .where('deleted_at', 'is', null)
      .orderBy('image_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.image_id);
  }

  /** Objects of images firstId..lastId, by image then id; masks only when asked for. */
  async objectsInRange(
    firstId: number,
    lastId: number,
    withMasks = true,
  ): Promise<ExportObjectRow[]> {
    const query = this.db
      .selectFrom('objects')
      .select([
        'id',
        'image_id as imageId',
        'label',
        'score',
        'x0',
        'y0',
        'x1',
        'y1',
        withMasks ? 'mask_rle as maskRle' : sql<string | null>`NULL`.as('maskRle'),
        'mask_provenance as maskProvenance',
        'provenance',
      ])
      .where('image_id', '>=', firstId)
      .where('image_id', '<=', lastId)
      .where('deleted_at', 'is', null)
      .orderBy('image_id')
      .orderBy('id')
      .compile();
    return this.pageRows(query, (r) => ({
      id: r[0] as number,
      imageId: r[1] as number,
      label: r[2] as string,
      score: r[3] as number | null,
      x0: r[4] as number,
      y0: r[5] as number,
      x1: r[6] as number,
      y1: r[7] as number,
      maskRle: r[8] as string | null,
      maskProvenance: r[9] as string | null,
      provenance: r[10] as string,
    }));
  }

  /** Ids of images with a stored scene graph, in id order, one page at a time. */
  async graphImageIds(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('scene_graphs')
      .select('image_id')
      .where('image_id', '>', afterId)
      .orderBy('image_id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.image_id);
  }

  /** The stored scene graphs (with their notes) of these images. */
  async graphs(imageIds: readonly number[]): Promise<Map<number, StoredGraph>> {
    const out = new Map<number, StoredGraph>();
    if (imageIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('scene_graphs')
      .select(['image_id', 'graph_json', 'notes_json'])
      .where('image_id', 'in', [...imageIds])
      .execute();
    for (const r of rows)
      out.set(r.image_id, {
        graph: JSON.parse(r.graph_json),
        notes: r.notes_json ? (JSON.parse(r.notes_json) as string[]) : [],
      });
    return out;
  }

  /** The provenance of each image's `qa` stage record (its seed), where one is stored. */
  async qaProvenance(imageIds: readonly number[]): Promise<Map<number, unknown>> {
    const out = new Map<number, unknown>();
    if (imageIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('stage_runs')
      .select(['image_id', 'provenance_json'])
      .where('stage', '=', 'qa')
      .where('image_id', 'in', [...imageIds])
      .execute();
    for (const r of rows)
      out.set(r.image_id, r.provenance_json ? JSON.parse(r.provenance_json) : null);
    return out;
  }

  /**
   * Records of the image's rejected phrasings of facts that have an edited phrasing, by fact: the
   * phrasings an edit withheld (fact-decisions.ts), which a corrected fact is exported in too.
   */
  async supersededRecords(imageId: number): Promise<Map<string, QaRecord[]>> {
    const r = await sql<{ fact_id: string; record_json: string }>`
      SELECT r.fact_id, r.record_json FROM qa_pairs r
      WHERE r.image_id = ${imageId} AND r.status = 'rejected' AND r.record_json IS NOT NULL AND r.fact_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM qa_pairs e WHERE e.image_id = r.image_id AND e.fact_id = r.fact_id AND e.status = 'edited')
      ORDER BY r.id`.execute(this.db);
    const out = new Map<string, QaRecord[]>();
    for (const { fact_id: fact, record_json: json } of r.rows) {
      const list = out.get(fact);
      const record = JSON.parse(json) as QaRecord;
      if (list) list.push(record);
      else out.set(fact, [record]);
    }
    return out;
  }

  /** QA counts by status over the whole project (approval rates for the dataset card). */
  async qaStatusCounts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('qa_pairs')
      .select((e) => ['status', e.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    // Sorted here: the databases' text collations differ, the dataset card must not.
    return Object.fromEntries(
      rows.map((r) => [r.status, Number(r.n)] as const).sort((a, b) => byText(a[0], b[0])),
    );
  }

  /** Which engines/models (and versions) produced the stored stage results, with image counts. */
  async stageModels(): Promise<StageModelRow[]> {
    const field = (path: string) =>
      this.dialect === 'postgres'
        ? sql.raw(`(provenance_json::json ->> '${path}')`)
        : sql.raw(`json_extract(provenance_json, '$.${path}')`);
    const r = await sql<StageModelRow>`
      SELECT stage, ${field('engine')} AS engine, ${field('model')} AS model,
             COALESCE(${field('modelVersion')}, ${field('version')}) AS version,
             COUNT(*) AS images
      FROM stage_runs WHERE status = 'done' AND provenance_json IS NOT NULL
      GROUP BY 1, 2, 3, 4`.execute(this.db);
    // SQLite's order (NULL first, then by code point), whatever the database's collation.
    return r.rows
      .map((row) => ({ ...row, images: Number(row.images) }))
      .sort(
        (a, b) =>
          byText(a.stage, b.stage) ||
          byText(a.engine, b.engine) ||
          byText(a.model, b.model) ||
          byText(a.version, b.version),
      );
  }

  /** Records one finished export; returns its id. */
  async recordExport(e: ExportRecord): Promise<number> {
    const row = await this.db
      .insertInto('exports')
      .values({
        format: e.format,
        out_dir: e.outDir,
        options_json: JSON.stringify(e.options),
        counts_json: JSON.stringify(e.counts),
        checksum: e.checksum,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Recorded exports, newest first. */
  async exports(limit = 100): Promise<RecordedExport[]> {
    return this.db
      .selectFrom('exports')
      .select([
        'id',
        'format',
        'out_dir as outDir',
        'options_json as optionsJson',
        'counts_json as countsJson',
        'checksum',
        'created_at as createdAt',
      ])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}

/** Text order by UTF-16 code unit, null first (SQLite's default for these columns). */
function byText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
