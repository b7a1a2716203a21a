// `spatialrgpt-bench`: SpatialRGPT-Bench records (the fields llava/eval/eval_spatial.py reads), one
// per verified QA: id, image_info {file_path, height, width}, text_q, qa_info {type, category},
// conversations [human with `<mask>`, gpt], rle and bbox per `<mask>`. `ground_truth` adds the
// machine value so `sqw eval` never parses our own answer text.
import { toLabelText } from '../regions';
import { JsonArraySink } from '../sinks';
import { compressedRle, maskTurns } from './spatialrgpt';
import { machineAnswer, type FormatContext, type FormatWriter } from './types';

/** SpatialRGPT-Bench's two types: lengths and clock directions are quantitative, the rest qualitative. */
export function benchType(valueType: string): 'qualitative' | 'quantitative' {
  return valueType === 'meters' || valueType === 'oclock' ? 'quantitative' : 'qualitative';
}

export function createBenchWriter(ctx: FormatContext): FormatWriter {
  const sink = new JsonArraySink(ctx.w, 'bench.json');
  return {
    source: 'qa',
    naming: 'region',
    async add(item) {
      const turns = maskTurns(item, ctx);
      if (turns.length === 0) return;
      const placed = await ctx.media.placeImage(item.image, 'images', { relativeTo: 'images' });
      await ctx.media.placeDepth(item.image, 'depth', placed.stem);
      const used = new Set<number>();
      for (const { qa, turn } of turns) {
        const r = qa.record;
        const objects = turn.masks.map((id) => item.objects.get(id)!);
        for (const id of turn.masks) used.add(id);
        const answer = machineAnswer(qa);
        // Object answers are stated as the turn-local region a correct answer names.
        const ids =
          answer.value_type === 'object'
            ? [answer.value]
            : answer.value_type === 'objects'
              ? (answer.value as number[])
              : [];
        await sink.add({
          id: r.id,
          image_info: {
            file_path: placed.path,
            height: item.image.height,
            width: item.image.width,
          },
          text_q: toLabelText(
            r.question,
            r.regions ?? r.subjects,
            (id) => item.objects.get(id)?.label,
          ),
          qa_info: { type: benchType(r.valueType), category: r.type },
          conversations: [
            { from: 'human', value: `<image>\n${turn.question}` },
            { from: 'gpt', value: turn.answer },
          ],
          rle: objects.map(compressedRle),
          bbox: objects.map((o) => [...o.box]),
          ground_truth: {
            family: r.family,
            kind: r.kind,
            ...answer,
            ...(ids.length
              ? { regions: (ids as number[]).map((id) => turn.localIndex.get(id) ?? null) }
              : {}),
            // Label of each turn-local region, for answers that name objects by label.
            region_labels: [...turn.localIndex.keys()].map(
              (id) => item.objects.get(id)?.label ?? '',
            ),
            ...(r.display ? { display_system: r.display.system } : {}),
          },
        });
        ctx.counts.records++;
      }
      ctx.counts.images++;
      ctx.counts.qa += turns.length;
      ctx.counts.objects += used.size;
    },
    finish: () => sink.close(),
  };
}
