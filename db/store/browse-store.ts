// What a reviewer reads of a project on either database (async, through Kysely): the project row,
// the review queue and an image's facts (one representative phrasing per fact), its QA rows and
// stage results, its objects, QA families, labels and the batch view's filter values (the
// synchronous repositories that once read these are gone); the desktop's catalog
// (engine/services/catalog.ts) reads its objects, QA rows, stage results, labels and filter
// values here.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ObjectExclusion, ObjectRow, ObjectState, QaKind, QaReviewRow, QaRow } from './rows';
import type { StageRunRow } from './rows';
import { parseAttributes, qaRevision } from './rows';
import type { ProjectTables } from './schema';
import type { TeamTables } from './team-tables';

type Tables = ProjectTables & TeamTables;

export interface QueueFilter {
  batchId?: number;
  imageId?: number;
  family?: string;
  statuses?: readonly QaRow['status'][];
  offset: number;
  limit: number;
}

/**
 * One row per fact: open phrasings first (a fact with any changed or proposed phrasing still needs
 * a decision), then a referring expression over region tokens, then the oldest.
 */
const FACT_RANK = sql<number>`ROW_NUMBER() OVER (
  PARTITION BY q.image_id, COALESCE(q.fact_id, 'qa:' || q.id)
  ORDER BY CASE q.status WHEN 'changed' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END,
    CASE q.naming WHEN 'expression' THEN 0 ELSE 1 END, q.id)`;

/** Image ids per statement: well under both databases' bound-parameter limits. */
const IMAGE_CHUNK = 500;

/** A QA row as the legacy per-image list gives it. */
export type QaDetailRow = QaRow & {
  kind: QaKind | null;
  subjects: number[];
  value: unknown;
  unit: string | null;
};

const OPEN_FIRST = sql`CASE q.status WHEN 'changed' THEN 0 WHEN 'proposed' THEN 1 ELSE 2 END`;

export class BrowseStore {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<ProjectTables>) {
    this.db = db.withTables<TeamTables>();
  }

  async project(): Promise<{ id: string; name: string; createdAt: string }> {
    const row = await this.db
      .selectFrom('project')
      .select(['id', 'name', 'created_at as createdAt'])
      .executeTakeFirst();
    if (!row)
      throw new Error('this database holds no project (copy one in with `sqw project copy`)');
    return row;
  }

  async counts(): Promise<{ images: number; batches: number }> {
    const [images, batches] = await Promise.all([
      this.db
        .selectFrom('images')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('batches')
        .select((e) => e.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { images: Number(images.n), batches: Number(batches.n) };
  }

  /**
   * Facts across the project, a batch or an image, one representative phrasing each among the
   * phrasings that pass the filter: 'changed' first, then proposed, then the rest; by image.
   */
  async qaQueue(f: QueueFilter): Promise<{ total: number; items: QaReviewRow[] }> {
    const facts = this.db
      .selectFrom('qa_pairs as q')
      .innerJoin('images as i', 'i.id', 'q.image_id')
      .select(['q.id', FACT_RANK.as('rn')])
      .$if(f.batchId !== undefined, (s) => s.where('i.batch_id', '=', f.batchId!))
      .$if(f.imageId !== undefined, (s) => s.where('q.image_id', '=', f.imageId!))
      .$if(f.family !== undefined, (s) => s.where('q.family', '=', f.family!))
      .$if((f.statuses ?? []).length > 0, (s) => s.where('q.status', 'in', [...f.statuses!]));
    const total = await this.db
      .selectFrom(facts.as('f'))
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('f.rn', '=', 1)
      .executeTakeFirstOrThrow();
    const rows = await this.reviewColumns(
      this.qaFrom().where('q.id', 'in', (e) =>
        e.selectFrom(facts.as('f')).select('f.id').where('f.rn', '=', 1),
      ),
    )
      .orderBy(OPEN_FIRST)
      .orderBy('q.image_id')
      .orderBy('q.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute();
    return { total: Number(total.n), items: rows.map(toQaReview) };
  }

  /** The image's facts, each as its representative phrasing, by QA id. */
  async qaForImage(imageId: number): Promise<QaReviewRow[]> {
    const page = await this.qaQueue({ imageId, offset: 0, limit: 1_000_000 });
    return page.items.sort((a, b) => a.id - b.id);
  }

  /**
   * Every QA row of an image, phrasings and orphans included, by id, with its kind, subjects,
   * machine value and unit (the legacy qa.list).
   */
  async qaDetails(imageId: number): Promise<QaDetailRow[]> {
    const rows = await this.db
      .selectFrom('qa_pairs')
      .select([
        'id',
        'image_id as imageId',
        'family',
        'question',
        'answer',
        'status',
        'kind',
        'value_json',
        'record_json',
      ])
      .where('image_id', '=', imageId)
      .orderBy('id')
      .execute();
    return rows.map(({ value_json, record_json, ...row }) => {
      const record = record_json
        ? (JSON.parse(record_json) as { subjects?: number[]; unit?: string | null })
        : {};
      return {
        ...row,
        status: row.status as QaRow['status'],
        kind: row.kind as QaKind | null,
        subjects: record.subjects ?? [],
        value: value_json ? (JSON.parse(value_json) as unknown) : null,
        unit: record.unit ?? null,
      };
    });
  }

  /** The image's stage results with their provenance, by stage (pipeline.imageStages). */
  async stageRuns(imageId: number): Promise<StageRunRow[]> {
    const rows = await this.db
      .selectFrom('stage_runs')
      .select(['image_id', 'stage', 'status', 'reason', 'provenance_json', 'took_ms'])
      .where('image_id', '=', imageId)
      .orderBy('stage')
      .execute();
    return rows.map((r) => ({
      imageId: r.image_id,
      stage: r.stage,
      status: r.status as StageRunRow['status'],
      reason: r.reason,
      provenance: r.provenance_json
        ? (JSON.parse(r.provenance_json) as StageRunRow['provenance'])
        : null,
      tookMs: r.took_ms,
    }));
  }

  async qaReview(id: number): Promise<QaReviewRow | undefined> {
    const row = await this.reviewColumns(this.qaFrom().where('q.id', '=', id)).executeTakeFirst();
    return row && toQaReview(row);
  }

  /** The other live (not orphaned) phrasings of QA `id`'s fact, by id. */
  async factSiblings(id: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('qa_pairs as q')
      .innerJoin('qa_pairs as s', (j) =>
        j.onRef('s.image_id', '=', 'q.image_id').onRef('s.fact_id', '=', 'q.fact_id'),
      )
      .select('s.id')
      .where('q.id', '=', id)
      .whereRef('s.id', '<>', 'q.id')
      .where('s.status', '<>', 'orphaned')
      .orderBy('s.id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Every phrasing of these images (orphaned ones too), by id: what the geometry checks of a team
   * decision read about the facts they judge (engine/services/geometry-reads.ts), in a few statements.
   */
  async qaOfImages(imageIds: readonly number[]): Promise<QaReviewRow[]> {
    const out: QaReviewRow[] = [];
    for (let i = 0; i < imageIds.length; i += IMAGE_CHUNK) {
      const rows = await this.reviewColumns(
        this.qaFrom().where('q.image_id', 'in', imageIds.slice(i, i + IMAGE_CHUNK)),
      )
        .orderBy('q.id')
        .execute();
      out.push(...rows.map(toQaReview));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /**
   * Every phrasing of the facts of these QA (live or orphaned, the QA themselves included), by
   * id: what the checks of one decision, or one card, read.
   */
  async qaOfFacts(qaIds: readonly number[]): Promise<QaReviewRow[]> {
    if (qaIds.length === 0) return [];
    const ids = [...new Set(qaIds)];
    // One statement, through the (image_id, fact_id) index; the exact pairs are kept below.
    const rows = (
      await this.reviewColumns(
        this.qaFrom().where((e) =>
          e.or([
            e('q.id', 'in', ids),
            e.and([
              e('q.image_id', 'in', (x) =>
                x.selectFrom('qa_pairs').select('image_id').where('id', 'in', ids),
              ),
              e('q.fact_id', 'in', (x) =>
                x.selectFrom('qa_pairs').select('fact_id').where('id', 'in', ids),
              ),
            ]),
          ]),
        ),
      )
        .orderBy('q.id')
        .execute()
    ).map(toQaReview);
    const wanted = new Set(ids);
    const facts = new Set(
      rows
        .filter((q) => wanted.has(q.id) && q.factId !== null)
        .map((q) => `${q.imageId}:${q.factId}`),
    );
    return rows.filter(
      (q) => wanted.has(q.id) || (q.factId !== null && facts.has(`${q.imageId}:${q.factId}`)),
    );
  }

  /** QA families present in the project (queue filters). */
  async qaFamilies(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('qa_pairs')
      .select('family')
      .distinct()
      .orderBy('family')
      .execute();
    return rows.map((r) => r.family);
  }

  /** Live (not deleted) objects of an image with masks and versions. */
  async objectStates(imageId: number): Promise<ObjectState[]> {
    const rows = await this.db
      .selectFrom('objects')
      .selectAll()
      .where('image_id', '=', imageId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(toObjectState);
  }

  /** One object's row (deleted ones too: `deleted` says so), with its mask and version. */
  async objectState(id: number): Promise<ObjectState | undefined> {
    const row = await this.db
      .selectFrom('objects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toObjectState(row);
  }

  /** Live objects of an image without masks (the viewer's boxes), by id. */
  async objects(imageId: number): Promise<ObjectRow[]> {
    const rows = await this.db
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
        'provenance',
        'mask_provenance as maskProvenance',
      ])
      .where('image_id', '=', imageId)
      .where('deleted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(({ x0, y0, x1, y1, ...r }) => ({
      ...r,
      provenance: r.provenance as ObjectRow['provenance'],
      maskProvenance: r.maskProvenance as ObjectRow['maskProvenance'],
      box: [x0, y0, x1, y1],
    }));
  }

  /** Live objects' labels on these images (the queue's chips). */
  async objectLabels(
    imageIds: number[],
  ): Promise<Array<{ imageId: number; id: number; label: string }>> {
    if (imageIds.length === 0) return [];
    return this.db
      .selectFrom('objects')
      .select(['image_id as imageId', 'id', 'label'])
      .where('image_id', 'in', imageIds)
      .where('deleted_at', 'is', null)
      .orderBy('image_id')
      .orderBy('id')
      .execute();
  }

  /** Labels in use with how many live objects carry each, most used first. */
  async vocabulary(): Promise<Array<{ label: string; count: number }>> {
    const rows = await this.db
      .selectFrom('objects')
      .select((e) => ['label', e.fn.countAll<number>().as('count')])
      .where('deleted_at', 'is', null)
      .groupBy('label')
      .orderBy('count', 'desc')
      .orderBy('label')
      .execute();
    return rows.map((r) => ({ label: r.label, count: Number(r.count) }));
  }

  /** True when an object of the image changed after its scene graph was built. */
  async editedSinceGraph(imageId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('objects as o')
      .innerJoin('scene_graphs as g', 'g.image_id', 'o.image_id')
      .select('o.id')
      .where('o.image_id', '=', imageId)
      .where('o.updated_at', 'is not', null)
      .whereRef('o.updated_at', '>', 'g.created_at')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The values the batch view's filters offer: labels, QA families and reviewers in use. */
  async filterOptions(
    batchId?: number,
  ): Promise<{ labels: string[]; families: string[]; reviewers: string[] }> {
    const images = (b: number) =>
      this.db.selectFrom('images').select('id').where('batch_id', '=', b);
    const [labels, families, reviewers] = await Promise.all([
      this.db
        .selectFrom('objects')
        .select('label as v')
        .distinct()
        .where('deleted_at', 'is', null)
        .$if(batchId !== undefined, (s) => s.where('image_id', 'in', images(batchId!)))
        .orderBy('label')
        .limit(500)
        .execute(),
      this.db
        .selectFrom('qa_pairs')
        .select('family as v')
        .distinct()
        .$if(batchId !== undefined, (s) => s.where('image_id', 'in', images(batchId!)))
        .orderBy('family')
        .limit(500)
        .execute(),
      this.db
        .selectFrom('review_decisions as r')
        .innerJoin('qa_pairs as q', 'q.id', 'r.qa_id')
        .select('r.reviewer as v')
        .distinct()
        .$if(batchId !== undefined, (s) => s.where('q.image_id', 'in', images(batchId!)))
        .orderBy('r.reviewer')
        .limit(500)
        .execute(),
    ]);
    const values = (rows: Array<{ v: string }>) => rows.map((r) => r.v);
    return { labels: values(labels), families: values(families), reviewers: values(reviewers) };
  }

  private reviewColumns(query: ReturnType<BrowseStore['qaFrom']>) {
    return query.select((e) => [
      'q.id',
      'q.image_id as imageId',
      'q.family',
      'q.question',
      'q.answer',
      'q.status',
      'q.kind',
      'q.qa_key as key',
      'q.fact_hash as factHash',
      'q.value_json as v',
      'q.record_json as r',
      'i.batch_id as batchId',
      'i.file_name as fileName',
      'q.fact_id as factId',
      e
        .case()
        .when('q.fact_id', 'is', null)
        .then(sql<number>`1`)
        .else(
          e
            .selectFrom('qa_pairs as s')
            .select((x) => x.fn.countAll<number>().as('n'))
            .whereRef('s.image_id', '=', 'q.image_id')
            .whereRef('s.fact_id', '=', 'q.fact_id')
            .where('s.status', '<>', 'orphaned'),
        )
        .end()
        .as('phrasings'),
    ]);
  }

  /** The shape reviewColumns selects from: qa_pairs q joined with images i. */
  private qaFrom() {
    return this.db.selectFrom('qa_pairs as q').innerJoin('images as i', 'i.id', 'q.image_id');
  }
}

interface QaDbRow {
  id: number;
  imageId: number;
  family: string;
  question: string;
  answer: string;
  status: string;
  kind: string | null;
  key: string | null;
  factHash: string | null;
  v: string | null;
  r: string | null;
  batchId: number;
  fileName: string;
  factId: string | null;
  phrasings: number | null;
}

function toQaReview({ v, r, ...row }: QaDbRow): QaReviewRow {
  return {
    ...row,
    status: row.status as QaReviewRow['status'],
    kind: row.kind as QaReviewRow['kind'],
    phrasings: Number(row.phrasings ?? 1),
    value: v ? JSON.parse(v) : null,
    record: r ? (JSON.parse(r) as Record<string, unknown>) : null,
    revision: qaRevision(row.status, row.answer, row.factHash),
  };
}

export function toObjectState(r: Selectable<ProjectTables['objects']>): ObjectState {
  return {
    id: r.id,
    imageId: r.image_id,
    label: r.label,
    score: r.score,
    box: [r.x0, r.y0, r.x1, r.y1],
    provenance: r.provenance as ObjectRow['provenance'],
    maskRle: r.mask_rle,
    maskProvenance: r.mask_provenance as ObjectRow['maskProvenance'],
    attributes: parseAttributes(r.attributes_json),
    excluded: r.excluded as ObjectExclusion | null,
    deleted: r.deleted_at !== null,
    version: r.version,
  };
}
