// The QA of one image as plain question/answer turns for conversation formats (llava, hf): by
// referring expression (default), or by image-global `<regionG>` tokens with a region table.
import { toGlobalRegions } from '../regions';
import type { ExportItem, ExportQa } from '../project-source';
import { compressedRle } from './spatialrgpt';
import { skip, type FormatContext } from './types';

export interface Turn {
  qa: ExportQa;
  question: string;
  answer: string;
}

export interface RegionEntry {
  region: number;
  object_id: number;
  label: string;
  bbox: number[];
  rle: { size: [number, number]; counts: string } | null;
}

export function imageTurns(
  item: ExportItem,
  ctx: FormatContext,
): { turns: Turn[]; regions: RegionEntry[] | null } {
  const naming = ctx.opts.naming;
  const turns: Turn[] = [];
  const globalIndex = new Map<number, number>();
  for (const q of item.qa) {
    if (q.record.naming !== naming) {
      skip(ctx.counts, `${q.record.naming}-named (this export names objects by ${naming})`);
      continue;
    }
    if (naming === 'expression') {
      turns.push({ qa: q, question: q.record.question, answer: q.answer });
      continue;
    }
    const regions = q.record.regions ?? q.record.subjects;
    const trial = new Map(globalIndex);
    const question = toGlobalRegions(q.record.question, regions, trial);
    const answer = question === null ? null : toGlobalRegions(q.answer, regions, trial);
    if (question === null || answer === null) {
      skip(ctx.counts, 'region token without a region');
      continue;
    }
    for (const [k, v] of trial) globalIndex.set(k, v);
    turns.push({ qa: q, question, answer });
  }
  if (naming === 'expression') return { turns, regions: null };
  const regions: RegionEntry[] = [];
  for (const [id, region] of globalIndex) {
    const o = item.objects.get(id);
    regions.push({
      region,
      object_id: id,
      label: o?.label ?? '',
      bbox: o ? [...o.box] : [],
      rle: o?.mask ? compressedRle(o) : null,
    });
  }
  return { turns, regions };
}
