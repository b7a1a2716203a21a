// Rewrites the `<regionK>` tokens of region-named QA (`<regionK>` names record.regions[K]) into the
// forms other tools read: SpatialRGPT's `<mask>` placeholders with turn-local "Region [j]" in
// answers, image-global `<regionG>` tokens, or plain labels for text-only baselines.

const TOKEN = /<region(\d+)>/g;

export interface MaskTurn {
  /** Question with one `<mask>` per region mention, in reading order. */
  question: string;
  /** Answer with "Region [j]", j the turn-local index of the region's first `<mask>`. */
  answer: string;
  /** Object id bound to each `<mask>`, in order (a region mentioned twice appears twice). */
  masks: number[];
  /** Turn-local region index of each object (first mention). */
  localIndex: Map<number, number>;
}

/**
 * SpatialRGPT / OSD form of one region QA. Null when the answer names a region the question does
 * not (such a "Region [j]" would point at no mask), or a token has no region.
 */
export function toMaskTurn(
  question: string,
  answer: string,
  regions: readonly number[],
): MaskTurn | null {
  const masks: number[] = [];
  const localIndex = new Map<number, number>();
  let bad = false;
  const q = question.replace(TOKEN, (_, k: string) => {
    const id = regions[Number(k)];
    if (id === undefined) {
      bad = true;
      return '';
    }
    if (!localIndex.has(id)) localIndex.set(id, localIndex.size);
    masks.push(id);
    return '<mask>';
  });
  const a = answer.replace(TOKEN, (_, k: string) => {
    const id = regions[Number(k)];
    const j = id === undefined ? undefined : localIndex.get(id);
    if (j === undefined) {
      bad = true;
      return '';
    }
    return `Region [${j}]`;
  });
  return bad ? null : { question: q, answer: a, masks, localIndex };
}

/** Replaces `<regionK>` by `<regionG>`, G from `globalIndex` (assigned in first-seen order). */
export function toGlobalRegions(
  text: string,
  regions: readonly number[],
  globalIndex: Map<number, number>,
): string | null {
  let bad = false;
  const out = text.replace(TOKEN, (_, k: string) => {
    const id = regions[Number(k)];
    if (id === undefined) {
      bad = true;
      return '';
    }
    if (!globalIndex.has(id)) globalIndex.set(id, globalIndex.size);
    return `<region${globalIndex.get(id)}>`;
  });
  return bad ? null : out;
}

/** Replaces `<regionK>` by "the <label>" (SpatialRGPT-Bench's text_q for language-only baselines). */
export function toLabelText(
  text: string,
  regions: readonly number[],
  labelOf: (id: number) => string | undefined,
): string {
  return text.replace(TOKEN, (_, k: string) => {
    const id = regions[Number(k)];
    const label = id === undefined ? undefined : labelOf(id);
    return label ? `the ${label}` : 'the object';
  });
}
