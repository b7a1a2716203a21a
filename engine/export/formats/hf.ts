// `hf`: a Hugging Face `imagefolder` dataset. Per split (seeded, by image) a folder with the images
// and `metadata.jsonl` (`file_name` relative to it, `messages` in the chat format of VQASynth /
// TRL datasets: {role, content: [{index, text, type}]}), plus a dataset card README.md.
import { LineSink } from '../sinks';
import { DatasetStats, datasetCard } from './dataset-card';
import { SPLITS, splitOf, type SplitName } from './splits';
import { imageTurns } from './turns';
import { machineAnswer, type FormatContext, type FormatWriter } from './types';

export function createHfWriter(ctx: FormatContext): FormatWriter {
  if (ctx.opts.images === 'none')
    throw new Error("the hf format needs its images: use images 'copy' or 'link'");
  const sinks = new Map<SplitName, LineSink>(
    SPLITS.map((s) => [s, new LineSink(ctx.w, `${s}/metadata.jsonl`)]),
  );
  const stats = new DatasetStats();
  return {
    source: 'qa',
    naming: ctx.opts.naming,
    masks: ctx.opts.naming === 'region',
    async add(item) {
      const { turns, regions } = imageTurns(item, ctx);
      if (turns.length === 0) return;
      const split = splitOf(ctx.opts.seed, item.image.sha256, ctx.opts.splits);
      const placed = await ctx.media.placeImage(item.image, `${split}/images`, {
        relativeTo: split,
      });
      const depth = await ctx.media.placeDepth(item.image, `depth/${split}`, placed.stem);
      const objectIds = new Set(turns.flatMap((t) => t.qa.record.subjects));
      await sinks.get(split)!.add({
        file_name: placed.path,
        image_id: item.image.id,
        width: item.image.width,
        height: item.image.height,
        depth_file: depth,
        messages: turns.flatMap((t, i) => [
          {
            role: 'user',
            content: [
              ...(i === 0 ? [{ index: 0, text: null, type: 'image' }] : []),
              { index: null, text: t.question, type: 'text' },
            ],
          },
          { role: 'assistant', content: [{ index: null, text: t.answer, type: 'text' }] },
        ]),
        qa: turns.map((t) => {
          const m = machineAnswer(t.qa);
          return {
            id: t.qa.record.id,
            family: t.qa.record.family,
            type: t.qa.record.type,
            kind: t.qa.record.kind,
            status: t.qa.status,
            // JSON text: the value is a number, boolean, id list or null, one Arrow type per column.
            value_json: JSON.stringify(m.value),
            unit: m.unit,
            value_type: m.value_type,
          };
        }),
        objects: [...objectIds].map((id) => {
          const o = item.objects.get(id);
          return { id, label: o?.label ?? '', bbox: o ? [...o.box] : [] };
        }),
        ...(regions ? { regions } : {}),
      });
      stats.add(
        split,
        objectIds.size,
        turns.map((t) => t.qa),
      );
      ctx.counts.images++;
      ctx.counts.records++;
      ctx.counts.qa += turns.length;
      ctx.counts.objects += objectIds.size;
    },
    shards: {
      async snapshot() {
        for (const sink of sinks.values()) await sink.flush();
        return { stats, lines: SPLITS.map((s) => sinks.get(s)!.lines) };
      },
      async merge(result) {
        const state = result.state as { stats: DatasetStats; lines: number[] };
        stats.merge(state.stats);
        for (const [i, split] of SPLITS.entries()) {
          const sink = sinks.get(split)!;
          const part = result.parts[sink.relPath];
          if (part) await sink.adopt(part, state.lines[i]!);
        }
      },
    },
    async finish() {
      // A split with no image gets no folder (imagefolder would read an empty one as a split).
      for (const sink of sinks.values()) if (sink.lines > 0) await sink.close();
      await ctx.w.write(
        'README.md',
        datasetCard({
          projectName: await ctx.rows.projectName(),
          opts: ctx.opts,
          stats,
          projectStatuses: await ctx.rows.qaStatusCounts(),
          models: await ctx.rows.stageModels(),
        }),
      );
    },
  };
}
