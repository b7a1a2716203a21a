// `spatialrgpt`: Open Spatial Dataset records (SpatialRGPT's LazySupervisedSpatialDataset), one per
// image: `filename` (the loader opens `{filename}.jpg`), `conversations` with `<mask>` in questions
// and "Region [j]" in answers, and per `<mask>` (in order) a COCO RLE and an xyxy box.
import { countsToString, type CocoRle } from '../../../spatial/geometry/mask-rle';
import type { ExportItem, ExportObject } from '../project-source';
import { JsonArraySink } from '../sinks';
import { toMaskTurn, type MaskTurn } from '../regions';
import { machineAnswer, skip, type FormatContext, type FormatWriter } from './types';

/** Compressed-string COCO RLE (the form OSD stores), memoized per object within an image. */
export function compressedRle(o: ExportObject): { size: [number, number]; counts: string } {
  const rle = o.mask as CocoRle;
  return {
    size: [rle.size[0], rle.size[1]],
    counts: typeof rle.counts === 'string' ? rle.counts : countsToString(rle.counts),
  };
}

/** Region QA of an image as mask turns; QA whose regions lack a mask or a grounded answer are skipped. */
export function maskTurns(
  item: ExportItem,
  ctx: FormatContext,
): Array<{ qa: ExportItem['qa'][number]; turn: MaskTurn }> {
  const out: Array<{ qa: ExportItem['qa'][number]; turn: MaskTurn }> = [];
  for (const q of item.qa) {
    if (q.record.naming !== 'region') {
      skip(ctx.counts, 'expression-named (this format needs region masks)');
      continue;
    }
    const turn = toMaskTurn(q.record.question, q.answer, q.record.regions ?? q.record.subjects);
    if (!turn) {
      skip(ctx.counts, 'answer names a region the question does not');
      continue;
    }
    if (turn.masks.some((id) => !item.objects.get(id)?.mask)) {
      skip(ctx.counts, 'region without a mask');
      continue;
    }
    out.push({ qa: q, turn });
  }
  return out;
}

export function createSpatialRgptWriter(ctx: FormatContext): FormatWriter {
  // The first shard's part starts the array as one thread would; later parts hold bare elements.
  const sink = new JsonArraySink(ctx.w, 'spatialrgpt.json', ctx.shard ? '' : undefined);
  return {
    source: 'qa',
    naming: 'region',
    async add(item) {
      const turns = maskTurns(item, ctx);
      if (turns.length === 0) return;
      const placed = await ctx.media.placeImage(item.image, 'images', { jpeg: true });
      await ctx.media.placeDepth(item.image, 'depth', placed.stem);
      const rles = new Map<number, ReturnType<typeof compressedRle>>();
      const conversations: Array<{ from: 'human' | 'gpt'; value: string }> = [];
      const rle: Array<ReturnType<typeof compressedRle>> = [];
      const bbox: number[][] = [];
      const used = new Set<number>();
      turns.forEach(({ turn }, i) => {
        conversations.push({ from: 'human', value: (i === 0 ? '<image>\n' : '') + turn.question });
        conversations.push({ from: 'gpt', value: turn.answer });
        for (const id of turn.masks) {
          const o = item.objects.get(id)!;
          let r = rles.get(id);
          if (!r) rles.set(id, (r = compressedRle(o)));
          rle.push(r);
          bbox.push([...o.box]);
          used.add(id);
        }
      });
      await sink.add({
        id: String(item.image.id),
        filename: ctx.opts.images === 'none' ? placed.path.replace(/\.[^./]*$/, '') : placed.stem,
        image: placed.path,
        width: item.image.width,
        height: item.image.height,
        conversations,
        rle,
        bbox,
        qa: turns.map(({ qa }) => ({
          id: qa.record.id,
          family: qa.record.family,
          type: qa.record.type,
          kind: qa.record.kind,
          status: qa.status,
          ...machineAnswer(qa),
        })),
      });
      ctx.counts.images++;
      ctx.counts.records++;
      ctx.counts.qa += turns.length;
      ctx.counts.objects += used.size;
    },
    shards: {
      async snapshot() {
        await sink.flush();
        return sink.count;
      },
      merge: (result) =>
        sink.adopt(result.parts[sink.relPath] ?? '', result.state as number, result.shard === 0),
    },
    finish: () => sink.close(),
  };
}
