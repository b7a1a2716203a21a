// `llava`: one JSON line per image, LLaVA / ShareGPT style: {id, image, conversations: [{from:
// human|gpt, value}]}, the first human turn starting with "<image>\n"; objects are named by referring
// expressions (or `<regionG>` tokens with a `regions` table when naming is 'region').
import { LineSink } from '../sinks';
import { imageTurns } from './turns';
import { machineAnswer, type FormatContext, type FormatWriter } from './types';

export function createLlavaWriter(ctx: FormatContext): FormatWriter {
  const sink = new LineSink(ctx.w, 'llava.jsonl');
  return {
    source: 'qa',
    naming: ctx.opts.naming,
    masks: ctx.opts.naming === 'region',
    async add(item) {
      const { turns, regions } = imageTurns(item, ctx);
      if (turns.length === 0) return;
      const placed = await ctx.media.placeImage(item.image, 'images');
      const depth = await ctx.media.placeDepth(item.image, 'depth', placed.stem);
      await sink.add({
        id: String(item.image.id),
        image: placed.path,
        ...(depth ? { depth } : {}),
        width: item.image.width,
        height: item.image.height,
        conversations: turns.flatMap((t, i) => [
          { from: 'human', value: (i === 0 ? '<image>\n' : '') + t.question },
          { from: 'gpt', value: t.answer },
        ]),
        ...(regions ? { regions } : {}),
        qa: turns.map((t) => ({
          id: t.qa.record.id,
          family: t.qa.record.family,
          type: t.qa.record.type,
          kind: t.qa.record.kind,
          status: t.qa.status,
          ...machineAnswer(t.qa),
        })),
      });
      ctx.counts.images++;
      ctx.counts.records++;
      ctx.counts.qa += turns.length;
      ctx.counts.objects += new Set(turns.flatMap((t) => t.qa.record.subjects)).size;
    },
    finish: () => sink.close(),
  };
}
