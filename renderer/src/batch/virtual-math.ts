// Windowing maths for the batch view: which rows of a huge grid or list are on screen, which items
// they hold and which pages of images.list cover them. Pure, so it is tested without a DOM.

export interface GridGeometry {
  columns: number;
  /** Width of one tile (px), gaps excluded. */
  tileWidth: number;
  /** Height of one row including the gap below it (px). */
  rowHeight: number;
  gap: number;
}

/** As many columns of at least `minTile` px as fit in `width`; tiles stretch to fill the row. */
export function gridGeometry(
  width: number,
  minTile: number,
  gap: number,
  /** Tile height for a given tile width (thumbnail + caption). */
  tileHeight: (tileWidth: number) => number,
): GridGeometry {
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minTile + gap)));
  const tileWidth = Math.max(1, Math.floor((usable - gap * (columns - 1)) / columns));
  return { columns, tileWidth, rowHeight: Math.ceil(tileHeight(tileWidth)) + gap, gap };
}

export function listGeometry(rowHeight: number): GridGeometry {
  return { columns: 1, tileWidth: 0, rowHeight, gap: 0 };
}

export function rowCount(total: number, columns: number): number {
  return Math.ceil(Math.max(0, total) / Math.max(1, columns));
}

/** Rows [first, end) intersecting the viewport, widened by `overscan` rows each side. */
export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rows: number,
  overscan = 2,
): { first: number; end: number } {
  if (rows <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(
    rows,
    Math.ceil((scrollTop + Math.max(0, viewportHeight)) / rowHeight) + overscan,
  );
  return { first: Math.min(first, end), end };
}

/** Item indices [start, end) held by rows [first, end). */
export function itemRange(
  rows: { first: number; end: number },
  columns: number,
  total: number,
): { start: number; end: number } {
  return {
    start: Math.min(total, rows.first * columns),
    end: Math.min(total, rows.end * columns),
  };
}

/** Page numbers (0-based, `pageSize` items each) covering items [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++)
    out.push(p);
  return out;
}

/** scrollTop that brings item `index` into view (unchanged when it already is). */
export function scrollToReveal(
  index: number,
  columns: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = Math.floor(index / Math.max(1, columns)) * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}
