// A sparse cache of a long paged list (images.list): pages arrive out of order as the user scrolls;
// only pages near the viewport are kept, so memory stays bounded at 100k images.

export interface Page<T> {
  total: number;
  items: T[];
}

export class PageCache<T> {
  private readonly pages = new Map<number, T[]>();
  private readonly inFlight = new Set<number>();
  total: number | null = null;

  constructor(
    readonly pageSize: number,
    /** Pages kept at most; the ones furthest from the last request are dropped first. */
    readonly maxPages = 40,
  ) {}

  get(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  has(page: number): boolean {
    return this.pages.has(page);
  }

  /** Pages among `wanted` neither cached nor being fetched; marks them in flight. */
  claim(wanted: readonly number[]): number[] {
    const out = wanted.filter((p) => !this.pages.has(p) && !this.inFlight.has(p));
    for (const p of out) this.inFlight.add(p);
    return out;
  }

  store(page: number, data: Page<T>, near: number = page): void {
    this.inFlight.delete(page);
    this.total = data.total;
    this.pages.set(page, data.items);
    if (this.pages.size > this.maxPages) {
      const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - near) - Math.abs(a - near));
      for (const p of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
    }
  }

  fail(page: number): void {
    this.inFlight.delete(page);
  }

  get cachedPages(): number {
    return this.pages.size;
  }
}
