// An image's exported QA rendered from the facts its reviewed rows decide (spatial/qa/phrasings.ts):
// the stored rows say which facts were decided, how (approved, or corrected to a value) and in
// which forms and naming modes; the text is rendered now, from the image's scene graph with the
// objects' current labels and the current templates, as many phrasings per fact as the export asks.
import type { ExportStore, StoredGraph } from '../../db/store/export-store';
import { factIdOfRecord, generatorOf } from '../../spatial/qa/fact-id';
import { readCorrection } from '../../spatial/qa/corrections';
import {
  factPhrasings,
  prepareScene,
  rankPhrasings,
  renderPhrasing,
  type DecidedPhrasing,
  type PreparedScene,
} from '../../spatial/qa/phrasings';
import type { NamingMode, QaPair } from '../../spatial/qa/types';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import type { ExportObject, ExportQa } from './project-source';

export interface RenderedImage {
  qa: ExportQa[];
  /** Decided forms or naming modes not written, by reason (e.g. the facts changed since). */
  withheld: Record<string, number>;
}

/**
 * The image's exported QA, rendered from its stored scene graph (an image without one exports its
 * stored rows as they are): `rows` are its stored rows that pass the export's filters, `qaSeed`
 * the seed its QA were generated with.
 */
export async function renderImageFacts(
  store: ExportStore,
  image: { id: number; graph: StoredGraph; qaSeed: string },
  objects: ReadonlyMap<number, ExportObject>,
  rows: ExportQa[],
  o: { phrasingsPerFact?: number; seed: string; naming?: NamingMode },
): Promise<RenderedImage> {
  const imageId = image.id;
  const scene = prepareScene(withCurrentLabels(image.graph.graph as SceneGraph, objects), {
    imageId: String(imageId),
    seed: image.qaSeed,
  });
  const byFact = new Map<string, ExportQa[]>();
  for (const q of rows) {
    const fact = factIdOfRecord(q.record) ?? `qa:${q.rowId}`;
    const list = byFact.get(fact);
    if (list) list.push(q);
    else byFact.set(fact, [q]);
  }
  // Read only for images with a corrected fact (most have none).
  const superseded = rows.some((q) => q.status === 'edited')
    ? await store.supersededRecords(imageId)
    : new Map<string, QaPair[]>();
  const out: ExportQa[] = [];
  const withheld: Record<string, number> = {};
  for (const [fact, decidedRows] of byFact) {
    const rendered = renderFact(scene, fact, decidedRows, superseded.get(fact) ?? [], o);
    if (rendered === null) {
      // Not a fact this generator can render (no fact id, or a correction its forms cannot all
      // carry): the reviewed rows as they are.
      out.push(...decidedRows);
      continue;
    }
    out.push(...rendered.qa);
    for (const [k, n] of Object.entries(rendered.withheld)) withheld[k] = (withheld[k] ?? 0) + n;
  }
  return { qa: out, withheld };
}

function renderFact(
  scene: PreparedScene,
  fact: string,
  rows: ExportQa[],
  superseded: readonly QaPair[],
  o: { phrasingsPerFact?: number; seed: string; naming?: NamingMode },
): RenderedImage | null {
  const first = rows[0]!.record;
  if (!first.factId && !fact.startsWith('fact_')) return null;
  const edited = rows.find((q) => q.status === 'edited');
  // A corrected fact: the edit stands for the whole fact, so the phrasings its edit withheld
  // (superseded) are forms and naming modes of the decision too.
  const decidedRecords = edited
    ? [edited.record, ...superseded].filter((r) => !o.naming || r.naming === o.naming)
    : rows.map((q) => q.record);
  const statusOf = new Map<string, string>();
  for (const q of rows) statusOf.set(`${q.record.type}/${q.record.naming}`, q.status);
  const decided: DecidedPhrasing[] = decidedRecords.map((r) => ({
    type: r.type,
    naming: r.naming,
    factHash: typeof r.factHash === 'string' ? r.factHash : null,
    namingHash: r.naming === 'expression' && r.namingHash ? r.namingHash : null,
  }));
  const correction = edited ? readCorrection(edited.answer, edited.record) : undefined;
  if (correction === null) return null;
  const req = {
    factId: fact,
    generator: generatorOf(first.family, first.type),
    subjects: first.subjects,
    decided,
    correction,
  };
  const phrasings = factPhrasings(scene, req);
  if (!phrasings.corrected) return null;
  const keys =
    o.phrasingsPerFact === undefined
      ? phrasings.keys
      : rankPhrasings(phrasings.keys, o.phrasingsPerFact, o.seed);
  const qa: ExportQa[] = [];
  const withheld = { ...phrasings.withheld };
  for (const key of keys) {
    const pair = renderPhrasing(scene, req, key);
    if (typeof pair === 'string') {
      withheld[pair] = (withheld[pair] ?? 0) + 1;
      continue;
    }
    qa.push({
      rowId: edited?.rowId ?? rows[0]!.rowId,
      status: edited ? 'edited' : (statusOf.get(`${pair.type}/${pair.naming}`) ?? rows[0]!.status),
      answer: pair.answer,
      value: pair.value,
      record: pair,
    });
  }
  return { qa, withheld };
}

/** The stored graph with each object's current label (a relabel after the graph was built). */
function withCurrentLabels(graph: SceneGraph, objects: ReadonlyMap<number, ExportObject>) {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const label = objects.get(n.id)?.label;
      return label !== undefined && label !== n.label ? { ...n, label } : n;
    }),
  };
}
