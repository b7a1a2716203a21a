// The project as a stream of images, each with its exported QA and its objects, read a page of
// images at a time so memory stays flat however large the project is. QA filters (status, family,
// reviewer) run in SQL; the label filter needs the objects and runs here.
import type {
  ExportImageRow,
  ExportObjectRow,
  ExportQaRow,
  ExportStore,
  QaFilter,
  StoredGraph,
} from '../../db/store/export-store';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import { factIdOfRecord } from '../../spatial/qa/fact-id';
import { qaSeedOf } from '../pipeline/rederive-image';
import { renderImageFacts } from './fact-render';
import { fnv1a64, keyOf } from '../../spatial/qa/qa-id';
import type { QaPair as QaRecord } from '../../spatial/qa/types';

export interface ExportObject {
  id: number;
  label: string;
  score: number | null;
  /** [x0, y0, x1, y1] in image pixels. */
  box: [number, number, number, number];
  readonly mask: CocoRle | null;
  maskProvenance: string | null;
  provenance: string;
}

export interface ExportQa {
  /** Database id of the stored pair the decision is on (a rendered phrasing: its fact's). */
  rowId: number;
  status: string;
  /** Current answer text (a reviewer's edit replaces the generated one). */
  answer: string;
  /** Machine value as stored: metres, boolean, clock hour, object id(s), count; null for a tie. */
  value: unknown;
  record: QaRecord;
}

export interface ExportItem {
  image: ExportImageRow;
  objects: Map<number, ExportObject>;
  qa: ExportQa[];
  /** Decided phrasings not written, by reason (fact-render.ts); counted as skipped. */
  withheld?: Record<string, number>;
  /** The image's stored scene graph (graph sources only). */
  graph?: StoredGraph;
}

export interface SourceFilter extends QaFilter {
  /** Only QA about at least one object with one of these labels (none = all). */
  labels?: readonly string[];
  /** Read object masks (false: every object's mask is null). */
  masks?: boolean;
}

const PAGE_IMAGES = 256;
const PAGE_QA = 4096;

/** Images with QA that pass the filter, each with that QA and all its objects. */
export async function* qaItems(
  rows: ExportStore,
  filter: SourceFilter,
  signal?: AbortSignal,
  pageSize = PAGE_QA,
): AsyncGenerator<ExportItem> {
  const labels = filter.labels?.length ? new Set(filter.labels) : null;
  let afterImage = filter.imageRange ? filter.imageRange[0] - 1 : 0;
  let afterQa = Number.MAX_SAFE_INTEGER;
  // QA of the last image of a page may continue on the next page: it waits for it.
  let carry: ExportQaRow[] = [];
  for (;;) {
    signal?.throwIfAborted();
    const page = await rows.qaPage(afterImage, afterQa, pageSize, filter);
    const end = page.length < pageSize;
    if (page.length > 0) {
      afterImage = page[page.length - 1]!.imageId;
      afterQa = page[page.length - 1]!.id;
    }
    const all = carry.length ? carry.concat(page) : page;
    let ready = all;
    carry = [];
    if (!end) {
      let cut = all.length;
      while (cut > 0 && all[cut - 1]!.imageId === afterImage) cut--;
      // One image with more QA than a page: keep reading until it ends.
      if (cut === 0) {
        carry = all;
        continue;
      }
      ready = all.slice(0, cut);
      carry = all.slice(cut);
    }
    if (ready.length > 0) {
      const first = ready[0]!.imageId;
      const last = ready[ready.length - 1]!.imageId;
      const objectsByImage = groupBy(
        await rows.objectsInRange(first, last, filter.masks !== false),
        (o) => o.imageId,
      );
      const images = new Map((await rows.imagesInRange(first, last)).map((r) => [r.id, r]));
      const qaByImage = groupBy(ready, (r) => r.imageId);
      // What rendering reads: each image's graph and the seed its QA were generated with.
      const ids = [...qaByImage.keys()];
      const [graphs, qaRuns] = await Promise.all([rows.graphs(ids), rows.qaProvenance(ids)]);
      for (const [id, qaRows] of qaByImage) {
        const image = images.get(id);
        if (!image) continue;
        const objects = toObjects(objectsByImage.get(id) ?? []);
        let qa = qaRows.map((r): ExportQa => ({
          rowId: r.id,
          status: r.status,
          answer: r.answer,
          value: r.valueJson === null ? null : JSON.parse(r.valueJson),
          record: JSON.parse(r.recordJson) as QaRecord,
        }));
        if (labels)
          qa = qa.filter((q) =>
            q.record.subjects.some((s) => labels.has(objects.get(s)?.label ?? '')),
          );
        // Reviewed facts are exported as phrasings rendered now from the fact as decided, the
        // current labels and templates; stored rows only where there is no graph to render from.
        const graph = graphs.get(id);
        const rendered =
          qa.length > 0 && graph
            ? await renderImageFacts(
                rows,
                {
                  id,
                  graph,
                  qaSeed: qaSeedOf(
                    qaRuns.has(id) ? [{ stage: 'qa', provenance: qaRuns.get(id) }] : [],
                  ),
                },
                objects,
                qa,
                {
                  phrasingsPerFact: filter.phrasingsPerFact,
                  seed: filter.seed ?? '0',
                  naming: filter.naming,
                },
              )
            : null;
        let withheld: Record<string, number> | undefined;
        if (rendered) ({ qa, withheld } = rendered);
        else if (filter.phrasingsPerFact !== undefined)
          qa = pickPhrasings(qa, filter.phrasingsPerFact, filter.seed ?? '0');
        if (qa.length > 0 || withheld) yield { image, objects, qa, withheld };
      }
    }
    if (end) return;
    // Let the event loop breathe between pages (job progress, cancellation).
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * At most `n` phrasings of each fact among one image's exported QA, the ones with the lowest hash
 * of (seed, QA id): the same seed picks the same phrasings, whatever else is in the project. All
 * phrasings of a fact are on one image, so picking per image is picking per fact. Order is kept.
 */
export function pickPhrasings(qa: ExportQa[], n: number, seed: string): ExportQa[] {
  const byFact = new Map<string, Array<{ q: ExportQa; rank: string }>>();
  for (const q of qa) {
    const fact = factIdOfRecord(q.record) ?? `qa:${q.rowId}`;
    const list = byFact.get(fact) ?? [];
    list.push({ q, rank: fnv1a64(keyOf([seed, q.record.id ?? String(q.rowId)])) });
    byFact.set(fact, list);
  }
  const kept = new Set<ExportQa>();
  for (const list of byFact.values()) {
    list.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    for (const { q } of list.slice(0, n)) kept.add(q);
  }
  return qa.filter((q) => kept.has(q));
}

/** Images that have objects, each with its objects (label-filtered) and no QA. */
export async function* objectItems(
  rows: ExportStore,
  labels: readonly string[],
  signal?: AbortSignal,
): AsyncGenerator<ExportItem> {
  const keep = labels.length ? new Set(labels) : null;
  let after = 0;
  for (;;) {
    signal?.throwIfAborted();
    const ids = await rows.objectImageIds(after, PAGE_IMAGES);
    if (ids.length === 0) return;
    after = ids[ids.length - 1]!;
    const byImage = groupBy(await rows.objectsInRange(ids[0]!, after), (o) => o.imageId);
    const images = new Map((await rows.imagesInRange(ids[0]!, after)).map((r) => [r.id, r]));
    for (const id of ids) {
      const image = images.get(id);
      if (!image) continue;
      const objects = toObjects((byImage.get(id) ?? []).filter((o) => !keep || keep.has(o.label)));
      if (objects.size > 0) yield { image, objects, qa: [] };
    }
    await new Promise((r) => setImmediate(r));
  }
}

/** Images that have a stored scene graph, each with its graph (no objects, no QA). */
export async function* graphItems(
  rows: ExportStore,
  signal?: AbortSignal,
): AsyncGenerator<ExportItem> {
  let after = 0;
  for (;;) {
    signal?.throwIfAborted();
    const ids = await rows.graphImageIds(after, PAGE_IMAGES);
    if (ids.length === 0) return;
    after = ids[ids.length - 1]!;
    const [images, graphs] = await Promise.all([
      rows.imagesInRange(ids[0]!, after),
      rows.graphs(ids),
    ]);
    for (const image of images) {
      const graph = graphs.get(image.id);
      if (graph) yield { image, objects: new Map(), qa: [], graph };
    }
    await new Promise((r) => setImmediate(r));
  }
}

function toObjects(rows: ExportObjectRow[]): Map<number, ExportObject> {
  const out = new Map<number, ExportObject>();
  for (const o of rows) out.set(o.id, new StoredObject(o));
  return out;
}

/** An object row whose mask is parsed only when a format reads it (most QA formats never do). */
class StoredObject implements ExportObject {
  readonly id: number;
  readonly label: string;
  readonly score: number | null;
  readonly box: [number, number, number, number];
  readonly maskProvenance: string | null;
  readonly provenance: string;
  private parsed: CocoRle | null | undefined;

  constructor(private readonly row: ExportObjectRow) {
    this.id = row.id;
    this.label = row.label;
    this.score = row.score;
    this.box = [row.x0, row.y0, row.x1, row.y1];
    this.maskProvenance = row.maskProvenance;
    this.provenance = row.provenance;
  }

  get mask(): CocoRle | null {
    if (this.parsed === undefined)
      this.parsed = this.row.maskRle ? (JSON.parse(this.row.maskRle) as CocoRle) : null;
    return this.parsed;
  }
}

function groupBy<T>(items: T[], key: (t: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}
