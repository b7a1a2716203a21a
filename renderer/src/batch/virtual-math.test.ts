import { describe, expect, it } from 'vitest';
import { PageCache } from './page-cache';
import {
  gridGeometry,
  itemRange,
  pagesFor,
  rowCount,
  scrollToReveal,
  visibleRows,
} from './virtual-math';

describe('virtual grid maths', () => {
  it('fits as many columns of the minimum width as the row allows and stretches them', () => {
    const g = gridGeometry(1000, 180, 10, (w) => (w * 3) / 4 + 40);
    expect(g.columns).toBe(5); // 5*180 + 4*10 = 940 <= 1000; 6 would need 1130
    expect(g.tileWidth).toBe(192); // (1000 - 40) / 5
    expect(g.rowHeight).toBe(Math.ceil(192 * 0.75 + 40) + 10);
    expect(gridGeometry(50, 180, 10, () => 100).columns).toBe(1);
  });

  it('windows 100k images to the rows on screen plus overscan', () => {
    const rows = rowCount(100_000, 5);
    expect(rows).toBe(20_000);
    const v = visibleRows(1_000_000, 800, 200, rows, 2);
    expect(v).toEqual({ first: 4998, end: 5006 });
    expect(itemRange(v, 5, 100_000)).toEqual({ start: 24_990, end: 25_030 });
    // At the very end the window stops at the last row and the last item.
    const end = visibleRows(rows * 200 - 800, 800, 200, rows, 2);
    expect(end.end).toBe(rows);
    expect(itemRange(end, 5, 99_998).end).toBe(99_998);
    expect(visibleRows(0, 800, 200, 0)).toEqual({ first: 0, end: 0 });
  });

  it('maps an item range to the pages that hold it', () => {
    expect(pagesFor(24_990, 25_030, 120)).toEqual([208]);
    expect(pagesFor(110, 130, 120)).toEqual([0, 1]);
    expect(pagesFor(5, 5, 120)).toEqual([]);
  });

  it('scrolls just enough to reveal an item', () => {
    expect(scrollToReveal(0, 5, 200, 400, 800)).toBe(0);
    expect(scrollToReveal(30, 5, 200, 0, 800)).toBe(6 * 200 + 200 - 800);
    expect(scrollToReveal(12, 5, 200, 200, 800)).toBe(200);
  });
});

describe('PageCache', () => {
  it('claims each missing page once, stores pages and drops the far ones', () => {
    const c = new PageCache<number>(10, 3);
    expect(c.claim([0, 1])).toEqual([0, 1]);
    expect(c.claim([0, 1, 2])).toEqual([2]); // 0 and 1 are in flight
    c.store(0, { total: 95, items: [...Array(10).keys()] });
    expect(c.total).toBe(95);
    expect(c.get(7)).toBe(7);
    expect(c.get(15)).toBeUndefined();
    c.fail(1);
    expect(c.claim([1])).toEqual([1]); // a failed page can be asked for again
    c.store(1, { total: 95, items: [] });
    c.store(2, { total: 95, items: [] });
    c.store(9, { total: 95, items: [90, 91] }, 9);
    expect(c.cachedPages).toBe(3);
    expect(c.has(0)).toBe(false); // furthest from page 9
    expect(c.get(91)).toBe(91);
  });
});
