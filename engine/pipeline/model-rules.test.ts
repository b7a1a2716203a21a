// The detect stage's share of an image's object-id block: every detection up to the cap, beyond it
// the top-scoring ones in the detector's order, said in a note; ids are block start + ordinal.
import { describe, expect, it } from 'vitest';
import { DETECTED_OBJECTS_PER_IMAGE as CAP } from '../../db/store/object-id-blocks';
import { blockObjectIds, detectionsToStore } from './model-rules';

describe('detections in an image block', () => {
  it('keeps every detection up to the cap, in order, with no note', () => {
    const d = [0.2, 0.9, 0.5].map((score, i) => ({ i, score }));
    expect(detectionsToStore(d)).toEqual({ kept: d, note: null });
  });

  it('beyond the cap keeps the top-scoring ones in the detector order and says so', () => {
    // Scores rise with the index except the first two, which tie with the best.
    const d = Array.from({ length: CAP + 3 }, (_, i) => ({ i, score: i < 2 ? 1 : i / 1000 }));
    const { kept, note } = detectionsToStore(d);
    expect(kept).toHaveLength(CAP);
    expect(kept.map((k) => k.i)).toEqual([
      0,
      1,
      ...Array.from({ length: CAP - 2 }, (_, j) => j + 5),
    ]);
    expect(note).toBe(
      `kept the ${CAP} top-scoring of ${CAP + 3} detections (at most ${CAP} objects are detected per image)`,
    );
  });

  it('gives block start + ordinal, or nothing without a block', () => {
    expect(blockObjectIds(513, 3)).toEqual([513, 514, 515]);
    expect(blockObjectIds(null, 3)).toBeNull();
    expect(blockObjectIds(undefined, 0)).toBeNull();
  });
});
