// `qa-jsonl`: one QA pair per line with its machine value (see FORMATS.md); no images are written.
import { factIdOfRecord } from '../../../spatial/qa/fact-id';
import { LineSink } from '../sinks';
import type { FormatContext, FormatWriter } from './types';

export function createQaJsonlWriter(ctx: FormatContext): FormatWriter {
  const sink = new LineSink(ctx.w, 'qa.jsonl');
  return {
    source: 'qa',
    masks: false,
    async add(item) {
      for (const q of item.qa) {
        const r = q.record;
        await sink.add({
          id: r.id,
          fact_id: factIdOfRecord(r),
          image: item.image.relPath,
          image_id: item.image.id,
          family: r.family,
          type: r.type,
          kind: r.kind,
          question: r.question,
          // Rendered from the reviewed fact (a corrected value included), or an edit as written.
          answer: q.answer,
          value: q.value ?? null,
          unit: r.unit,
          value_type: r.valueType,
          subjects: r.subjects,
          naming: r.naming,
          status: q.status,
          ...(r.steps ? { steps: r.steps } : {}),
        });
        ctx.counts.records++;
        ctx.counts.qa++;
      }
      ctx.counts.images++;
      ctx.counts.objects += new Set(item.qa.flatMap((q) => q.record.subjects)).size;
    },
    finish: () => sink.close(),
  };
}
