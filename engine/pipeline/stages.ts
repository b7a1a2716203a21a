// The pipeline's stages, in order, and the CLI/API parsing of a stage list.
import { PipelineStage } from '../../contract/api';

/** The contract's list, so the API, the CLI and the runner cannot disagree on the stages. */
export const ALL_STAGES = PipelineStage.options;
export type StageName = (typeof ALL_STAGES)[number];

export const DEFAULT_STAGES: StageName[] = [...ALL_STAGES];

export function parseStages(list: string): StageName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(ALL_STAGES as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown stage '${unknown[0]}': use ${ALL_STAGES.join(', ')}`);
  if (names.length === 0) throw new Error(`no stages given: use ${ALL_STAGES.join(', ')}`);
  return ALL_STAGES.filter((s) => names.includes(s));
}

/**
 * Skip reasons that mean "this stage has nothing to do for this image" (its data is present), so
 * --only-pending treats the stage as finished. Other skips (no model, no depth yet, an upstream
 * failure) may change and are run again.
 */
export const FINISHED_SKIPS = [
  'sensor depth present',
  'imported boxes present',
  'objects present',
  'every object has a mask',
  'known intrinsics',
] as const;
