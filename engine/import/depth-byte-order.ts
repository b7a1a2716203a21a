// 16-bit PGM depth says big-endian in the spec, but NYU Depth's raw Kinect dumps are little-endian:
// read the wrong way, a 92.8 %-valid map looks 2.8 % valid (NYU) or like noise (millimetres, where
// every non-zero value is a reading). Both orders are converted and the one that looks like depth wins.

export type ByteOrder = 'big-endian' | 'little-endian';

export interface ByteOrderCandidate {
  order: ByteOrder;
  /** Canonical millimetres (0 = missing) of the raster read in this order. */
  mm: Uint16Array;
  overflow: number;
}

export interface ByteOrderScore {
  order: ByteOrder;
  validRatio: number;
  /** Mean |step| in mm between horizontal neighbours that both have a reading (Infinity if none). */
  meanStepMm: number;
}

export function scoreByteOrder(c: ByteOrderCandidate, width: number): ByteOrderScore {
  let valid = 0;
  let steps = 0;
  let sum = 0;
  const mm = c.mm;
  for (let i = 0; i < mm.length; i++) {
    const v = mm[i]!;
    if (v === 0) continue;
    valid++;
    if ((i + 1) % width !== 0) {
      const next = mm[i + 1]!;
      if (next !== 0) {
        steps++;
        sum += Math.abs(next - v);
      }
    }
  }
  return {
    order: c.order,
    validRatio: mm.length ? valid / mm.length : 0,
    meanStepMm: steps ? sum / steps : Infinity,
  };
}

/**
 * The candidate with more valid readings; with as many (every encoding but nyu turns every non-zero
 * value into a reading), the smoother one: a byte-swapped map jumps by metres between neighbours.
 * Big-endian (the spec) on a tie. `other` is the rejected order's score, for the import's note.
 */
export function chooseByteOrder(
  candidates: ByteOrderCandidate[],
  width: number,
): { chosen: ByteOrderCandidate; score: ByteOrderScore; other: ByteOrderScore | null } {
  const scored = candidates.map((c) => ({ c, s: scoreByteOrder(c, width) }));
  scored.sort((a, b) => {
    if (a.s.validRatio !== b.s.validRatio) return b.s.validRatio - a.s.validRatio;
    if (a.s.meanStepMm !== b.s.meanStepMm) return a.s.meanStepMm - b.s.meanStepMm;
    return a.c.order === 'big-endian' ? -1 : b.c.order === 'big-endian' ? 1 : 0;
  });
  const [best, second] = scored;
  if (!best) throw new Error('chooseByteOrder needs at least one candidate');
  return { chosen: best.c, score: best.s, other: second?.s ?? null };
}

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;

/** The import's note when the choice matters: little-endian used, and why. Null for big-endian. */
export function byteOrderNote(
  name: string,
  score: ByteOrderScore,
  other: ByteOrderScore | null,
): string | null {
  if (score.order === 'big-endian' || !other) return null;
  const why =
    score.validRatio !== other.validRatio
      ? `${pct(score.validRatio)} valid; big-endian, as the PGM spec says, gives ${pct(other.validRatio)}`
      : `big-endian, as the PGM spec says, is noise: mean step between neighbours ${Math.round(other.meanStepMm)} mm against ${Math.round(score.meanStepMm)} mm`;
  return `depth ${name}: 16-bit samples read little-endian (${why})`;
}
