// Level of detail while the camera moves. Clouds arrive in a shuffled order (engine/scene-view), so
// drawing the first N points is an even subsample: the LOD is a draw range, not a second copy.
// N adapts to the measured frame time, so a drag stays fluid on a slow (software) GPU and shows
// more points on a fast one; the full cloud is drawn once the camera stops.

export const LOD_MIN_POINTS = 5_000;
export const LOD_START_POINTS = 150_000;
/** Frame interval the adaptation aims under (ms) and the one under which it grows again. */
const SLOW_MS = 40;
const FAST_MS = 20;

/** Frames measured per decision: single intervals are too noisy on a loaded machine. */
const WINDOW = 4;

export class AdaptiveBudget {
  budget: number;
  private samples: number[] = [];
  private lastShrink: { fromMs: number; fromBudget: number } | null = null;
  private misses = 0;
  /** The frame time did not follow the point count (fill, compositing or a busy CPU dominate). */
  notPointBound = false;

  constructor(
    start = LOD_START_POINTS,
    readonly min = LOD_MIN_POINTS,
    readonly max = 4_000_000,
  ) {
    this.budget = start;
  }

  reset(start = LOD_START_POINTS): void {
    this.budget = start;
    this.samples = [];
    this.lastShrink = null;
    this.misses = 0;
    this.notPointBound = false;
  }

  /**
   * Feeds one frame interval measured while moving; every few frames, shrinks the budget when
   * frames are slow (unless the last shrink did not make them faster: then fewer points would
   * only make the view sparser) and grows it when they are fast. Returns the budget.
   */
  observe(frameMs: number): number {
    this.samples.push(frameMs);
    if (this.samples.length < WINDOW) return this.budget;
    const ms = [...this.samples].sort((a, b) => a - b)[WINDOW >> 1]!;
    this.samples = [];
    if (ms > SLOW_MS) {
      // Two shrinks in a row that did not make frames 10% faster: not the points' fault (a busy
      // machine makes single windows noisy, so one is not enough). Go back to before them.
      if (this.lastShrink && ms > this.lastShrink.fromMs * 0.9) this.misses++;
      else this.misses = 0;
      if (this.misses >= 2 && this.lastShrink) {
        this.notPointBound = true;
        this.budget = this.lastShrink.fromBudget;
        this.lastShrink = null;
        this.misses = 0;
      } else if (!this.notPointBound && this.budget > this.min) {
        this.lastShrink = {
          fromMs: ms,
          fromBudget: this.misses > 0 ? (this.lastShrink?.fromBudget ?? this.budget) : this.budget,
        };
        this.budget = Math.max(this.min, Math.floor(this.budget * 0.7));
      }
    } else {
      this.lastShrink = null;
      this.misses = 0;
      if (ms < FAST_MS) {
        this.notPointBound = false;
        this.budget = Math.min(this.max, Math.ceil(this.budget * 1.25));
      }
    }
    return this.budget;
  }
}

/** Points drawn for a cloud of `count` while moving. */
export function lodCount(count: number, budget: number): number {
  return Math.min(count, Math.max(0, Math.floor(budget)));
}
