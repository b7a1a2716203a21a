// Batches, their import issues and images on either database (async, through Kysely), with
// the batch view's image queries and filters.
import { sql, type Kysely } from 'kysely';
import {
  liveQueueImages,
  inQueue,
  queueSource,
  statusIs,
  type QueueSource,
} from '../queue/queue-images';
import type { ImageRow, NewImage } from './rows';
import type { ProjectTables } from './schema';

export interface NewBatch {
  sourceFolder: string;
  depthFolder: string | null;
  depthEncoding: string | null;
  intrinsics: unknown;
}

/** A batch with its image and import-issue counts, as the batch list shows it. */
export interface BatchRow {
  id: number;
  sourceFolder: string;
  depthFolder: string | null;
  depthEncoding: string | null;
  createdAt: string;
  imageCount: number;
  withDepth: number;
  skipped: number;
  failed: number;
}

export interface IssueRow {
  path: string;
  kind: 'skipped' | 'failed' | 'warning';
  reason: string;
}

/** The batch view's filters (all given ones must hold). */
export interface CatalogFilter {
  batchId?: number;
  status?: string;
  /** Substring of the relative path. */
  search?: string;
  /** Has a live object with this label. */
  label?: string;
  /** Has (true) or has no (false) ambiguous object. */
  ambiguous?: boolean;
  qaFamily?: string;
  /** Has (true) or has no (false) QA sent back to review as 'changed' after an edit. */
  changedAfterEdit?: boolean;
  reviewer?: string;
}

export interface CatalogOptions {
  /**
   * A team project on PostgreSQL: an image whose job is live in its pipeline queue reads as
   * 'processing' in lists, counts and filters (db/queue/queue-images.ts).
   */
  pipelineQueue?: boolean;
}

export class CatalogStore {
  /** The queue's table of live jobs exists (never dropped once made): no need to ask again. */
  private queueTracked = false;

  constructor(
    private readonly db: Kysely<ProjectTables>,
    private readonly options: CatalogOptions = {},
  ) {}

  /** Where the pipeline queue's live jobs are read from (none on a desktop project). */
  private async queue(): Promise<QueueSource> {
    if (!this.options.pipelineQueue) return 'none';
    if (this.queueTracked) return 'tracked';
    // Made by the project's first run or worker; until then no image is in the queue.
    const source = await queueSource(this.db);
    this.queueTracked = source === 'tracked';
    return source;
  }

  /** Rows read with their stored status, with 'processing' for those the queue is working on. */
  private async withQueueStatus(rows: ImageRow[]): Promise<ImageRow[]> {
    const source = await this.queue();
    if (source === 'none' || rows.length === 0) return rows;
    const live = await liveQueueImages(
      this.db,
      source,
      rows.map((r) => r.id),
    );
    return rows.map((r) => (live.has(r.id) ? { ...r, status: 'processing' } : r));
  }

  async createBatch(b: NewBatch): Promise<number> {
    const row = await this.db
      .insertInto('batches')
      .values({
        source_folder: b.sourceFolder,
        depth_folder: b.depthFolder,
        depth_encoding: b.depthEncoding,
        intrinsics_json:
          b.intrinsics === undefined || b.intrinsics === null ? null : JSON.stringify(b.intrinsics),
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async listBatches(): Promise<BatchRow[]> {
    const rows = await this.db
      .selectFrom('batches as b')
      .select((e) => [
        'b.id',
        'b.source_folder as sourceFolder',
        'b.depth_folder as depthFolder',
        'b.depth_encoding as depthEncoding',
        'b.created_at as createdAt',
        e
          .selectFrom('images as i')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('i.batch_id', '=', 'b.id')
          .as('imageCount'),
        e
          .selectFrom('images as i')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('i.batch_id', '=', 'b.id')
          .where('i.depth_blob', 'is not', null)
          .as('withDepth'),
        e
          .selectFrom('import_issues as s')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('s.batch_id', '=', 'b.id')
          .where('s.kind', '=', 'skipped')
          .as('skipped'),
        e
          .selectFrom('import_issues as s')
          .select((x) => x.fn.countAll<number>().as('n'))
          .whereRef('s.batch_id', '=', 'b.id')
          .where('s.kind', '=', 'failed')
          .as('failed'),
      ])
      .orderBy('b.id')
      .execute();
    return rows.map((r) => ({
      ...r,
      imageCount: Number(r.imageCount),
      withDepth: Number(r.withDepth),
      skipped: Number(r.skipped),
      failed: Number(r.failed),
    }));
  }

  async batchExists(id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('batches')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Issues are written in one transaction: a batch's report is all there or not at all. */
  async addIssues(batchId: number, issues: IssueRow[]): Promise<void> {
    if (issues.length === 0) return;
    const now = new Date().toISOString();
    await this.db.transaction().execute((trx) =>
      trx
        .insertInto('import_issues')
        .values(issues.map((i) => ({ batch_id: batchId, ...i, created_at: now })))
        .execute(),
    );
  }

  async issues(batchId: number): Promise<IssueRow[]> {
    const rows = await this.db
      .selectFrom('import_issues')
      .select(['path', 'kind', 'reason'])
      .where('batch_id', '=', batchId)
      .orderBy('id')
      .execute();
    return rows as IssueRow[];
  }

  async insertImage(img: NewImage): Promise<number> {
    const row = await this.db
      .insertInto('images')
      .values(imageValues(img))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The image's id, or undefined (nothing written) when an image with its sha256 exists. */
  async insertImageUnlessKnown(img: NewImage): Promise<number | undefined> {
    const row = await this.db
      .insertInto('images')
      .values(imageValues(img))
      .onConflict((c) => c.column('sha256').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  /** Every image's id, in id order (what `sqw run --database` and `sqw queue enqueue` queue). */
  async imageIds(): Promise<number[]> {
    const rows = await this.db.selectFrom('images').select('id').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async image(id: number): Promise<ImageRow | undefined> {
    const row = await this.images().where('id', '=', id).executeTakeFirst();
    return row && (await this.withQueueStatus([row]))[0];
  }

  /** The batch of each of these images (those that exist). */
  async batchesOf(imageIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (let i = 0; i < imageIds.length; i += 1000) {
      const rows = await this.db
        .selectFrom('images')
        .select(['id', 'batch_id'])
        .where('id', 'in', imageIds.slice(i, i + 1000))
        .execute();
      for (const r of rows) out.set(r.id, r.batch_id);
    }
    return out;
  }

  /** Images whose relative path or file name equals `name`, for matching annotation files. */
  async imagesNamed(name: string): Promise<ImageRow[]> {
    return this.withQueueStatus(
      await this.images()
        .where((e) => e.or([e('rel_path', '=', name), e('file_name', '=', name)]))
        .orderBy('id')
        .execute(),
    );
  }

  async findBySha(sha256: string): Promise<{ id: number; sourcePath: string } | undefined> {
    return this.db
      .selectFrom('images')
      .select(['id', 'source_path as sourcePath'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
  }

  async queryImages(
    f: CatalogFilter & { offset: number; limit: number },
  ): Promise<{ total: number; items: ImageRow[] }> {
    // A status filter joins the queue's live jobs; the page's rows look theirs up.
    const source = await this.queue();
    const total = await this.filtered(source, f)
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const items = await this.images(f, source)
      .orderBy('id')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return { total: Number(total.n), items: await this.withQueueStatus(items) };
  }

  /**
   * Images per status under a filter (one grouped index scan). On a team project the images the
   * queue is working on are counted again by their stored status in the same statement (so the
   * same snapshot) and moved to 'processing': the stored counts keep their index-only scan, and
   * the queue costs a join of the filtered images with its live jobs, not a status worked out
   * for every image (bench/QUEUE-STATUS-RESULTS.md).
   */
  async statusCounts(
    f: Omit<CatalogFilter, 'status'>,
  ): Promise<{ total: number; byStatus: Record<string, number> }> {
    const source = await this.queue();
    const stored = this.filtered('none', f)
      .select((e) => ['status', e.fn.countAll<number>().as('n'), sql<boolean>`false`.as('live')])
      .groupBy('status');
    const rows = await (
      source === 'none'
        ? stored
        : stored.unionAll(
            this.filtered('none', f)
              .where(inQueue(source, sql.ref('images.id'), f.batchId))
              .select((e) => [
                'status',
                e.fn.countAll<number>().as('n'),
                sql<boolean>`true`.as('live'),
              ])
              .groupBy('status'),
          )
    ).execute();
    const byStatus: Record<string, number> = {};
    let total = 0;
    for (const r of rows.filter((r) => !r.live)) {
      byStatus[r.status] = Number(r.n);
      total += Number(r.n);
    }
    for (const r of rows.filter((r) => r.live && r.status !== 'processing')) {
      byStatus[r.status]! -= Number(r.n);
      if (byStatus[r.status] === 0) delete byStatus[r.status];
      byStatus.processing = (byStatus.processing ?? 0) + Number(r.n);
    }
    return { total, byStatus };
  }

  private filtered(source: QueueSource, f: CatalogFilter = {}) {
    return this.db
      .selectFrom('images')
      .$if(f.batchId !== undefined, (q) => q.where('batch_id', '=', f.batchId!))
      .$if(f.status !== undefined, (q) =>
        source === 'none'
          ? q.where('status', '=', f.status!)
          : q.where(
              statusIs(
                source,
                sql.ref('images.id'),
                f.batchId,
                sql.ref('images.status'),
                f.status!,
              ),
            ),
      )
      .$if(!!f.search, (q) =>
        q.where(
          sql<boolean>`rel_path LIKE ${`%${f.search!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`,
        ),
      )
      .$if(f.label !== undefined, (q) =>
        q.where('id', 'in', (e) =>
          e
            .selectFrom('objects')
            .select('image_id')
            .where('label', '=', f.label!)
            .where('deleted_at', 'is', null),
        ),
      )
      .$if(f.ambiguous !== undefined, (q) =>
        q.where('id', f.ambiguous ? 'in' : 'not in', (e) =>
          e.selectFrom('ambiguities').select('image_id'),
        ),
      )
      .$if(f.qaFamily !== undefined, (q) =>
        q.where('id', 'in', (e) =>
          e.selectFrom('qa_pairs').select('image_id').where('family', '=', f.qaFamily!),
        ),
      )
      .$if(f.changedAfterEdit !== undefined, (q) =>
        q.where('id', f.changedAfterEdit ? 'in' : 'not in', (e) =>
          e.selectFrom('qa_pairs').select('image_id').where('status', '=', 'changed'),
        ),
      )
      .$if(f.reviewer !== undefined, (q) =>
        q.where('id', 'in', (e) =>
          e
            .selectFrom('review_decisions as r')
            .innerJoin('qa_pairs as q', 'q.id', 'r.qa_id')
            .select('q.image_id')
            .where('r.reviewer', '=', f.reviewer!),
        ),
      );
  }

  /**
   * Images under `f` (a status filter with the queue's live jobs from `source`), with their
   * stored status: the callers give those the queue is working on theirs (withQueueStatus).
   */
  private images(f?: CatalogFilter, source: QueueSource = 'none') {
    return this.filtered(source, f).select([
      'id',
      'batch_id as batchId',
      'source_path as sourcePath',
      'rel_path as relPath',
      'file_name as fileName',
      'sha256',
      'bytes',
      'format',
      'width',
      'height',
      'orientation',
      'exif_json as exifJson',
      'fx',
      'fy',
      'cx',
      'cy',
      'intrinsics_source as intrinsicsSource',
      'upright_blob as uprightBlob',
      'thumb_blob as thumbBlob',
      'depth_blob as depthBlob',
      'depth_preview_blob as depthPreviewBlob',
      'depth_json as depthJson',
      'status',
      'created_at as createdAt',
    ]);
  }
}

function imageValues(img: NewImage) {
  return {
    batch_id: img.batchId,
    source_path: img.sourcePath,
    rel_path: img.relPath,
    file_name: img.fileName,
    sha256: img.sha256,
    bytes: img.bytes,
    format: img.format,
    width: img.width,
    height: img.height,
    orientation: img.orientation,
    exif_json: img.exif ? JSON.stringify(img.exif) : null,
    fx: img.intrinsics.fx,
    fy: img.intrinsics.fy,
    cx: img.intrinsics.cx,
    cy: img.intrinsics.cy,
    intrinsics_source: img.intrinsics.source,
    upright_blob: img.uprightBlob,
    thumb_blob: img.thumbBlob,
    depth_blob: img.depthBlob,
    depth_preview_blob: img.depthPreviewBlob,
    depth_json: img.depth ? JSON.stringify(img.depth) : null,
    status: 'pending',
    created_at: new Date().toISOString(),
  };
}
