// Seeded train/validation/test assignment by image: a hash of (seed, image content hash) picks the
// split, so the same image always lands in the same split for a seed, whatever else is exported,
// and no image's QA is spread over two splits.
import { createHash } from 'node:crypto';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLITS: SplitName[] = ['train', 'validation', 'test'];

export function splitOf(
  seed: string,
  imageSha256: string,
  shares: { train: number; validation: number; test: number },
): SplitName {
  const h = createHash('sha256').update(`${seed}:${imageSha256}`).digest();
  const u = h.readUIntBE(0, 6) / 2 ** 48;
  if (u < shares.train) return 'train';
  if (u < shares.train + shares.validation) return 'validation';
  return shares.test > 0 ? 'test' : shares.validation > 0 ? 'validation' : 'train';
}
