// A windowed grid (or list) over a long paged collection: only the rows on screen (plus a little
// overscan) exist in the DOM, positioned inside a spacer as tall as the whole collection. Rows ask
// the pager for their pages; items not yet loaded render as placeholders.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useElementSize } from '../app/hooks';
import type { PagedList } from './usePagedList';
import {
  gridGeometry,
  itemRange,
  listGeometry,
  rowCount,
  visibleRows,
  type GridGeometry,
} from './virtual-math';

export type ViewMode = 'grid' | 'list';

interface Props<T> {
  list: PagedList<T>;
  mode: ViewMode;
  renderItem(item: T | undefined, index: number, geometry: GridGeometry): ReactNode;
  itemKey(item: T | undefined, index: number): string | number;
  /** Test hook: the scroll container's data-testid. */
  testid?: string;
  minTile?: number;
  listRowHeight?: number;
}

const GAP = 10;
const CAPTION = 40;

export function VirtualGrid<T>({
  list,
  mode,
  renderItem,
  itemKey,
  testid = 'virtual-grid',
  minTile = 180,
  listRowHeight = 44,
}: Props<T>) {
  const [ref, size] = useElementSize<HTMLDivElement>();
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef(0);
  const geometry =
    mode === 'grid'
      ? gridGeometry(size.width, minTile, GAP, (w) => (w * 3) / 4 + CAPTION)
      : listGeometry(listRowHeight);
  const total = list.total ?? 0;
  const rows = rowCount(total, geometry.columns);
  const visible = visibleRows(scrollTop, size.height, geometry.rowHeight, rows, 2);
  const range = itemRange(visible, geometry.columns, total);

  // Ask for the pages the window needs whenever it moves.
  // (version: after a refresh the cache is empty again and the same window must be re-asked.)
  const { request, version } = list;
  useEffect(() => {
    if (range.end > range.start) request(range.start, range.end);
  }, [range.start, range.end, request, version]);

  // A new collection (filter change): back to the top.
  useLayoutEffect(() => {
    if (list.total === null && ref.current) {
      ref.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [list.total, ref]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onScroll = (e: React.UIEvent<HTMLDivElement>) => {
    const top = e.currentTarget.scrollTop;
    // One state update per animation frame, however many scroll events arrive.
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(top));
  };

  const cells: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const row = Math.floor(i / geometry.columns);
    const col = i % geometry.columns;
    const item = list.get(i);
    cells.push(
      <div
        key={itemKey(item, i)}
        className="vgrid-cell"
        data-index={i}
        style={{
          transform: `translate(${col * (geometry.tileWidth + geometry.gap)}px, ${row * geometry.rowHeight}px)`,
          width: mode === 'grid' ? geometry.tileWidth : '100%',
          height: geometry.rowHeight - geometry.gap,
        }}
      >
        {renderItem(item, i, geometry)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`vgrid vgrid-${mode}`}
      onScroll={onScroll}
      data-testid={testid}
      data-total={total}
      data-rendered={range.end - range.start}
      data-first-index={range.start}
      data-columns={geometry.columns}
      tabIndex={0}
      role="list"
    >
      <div className="vgrid-spacer" style={{ height: rows * geometry.rowHeight }}>
        {cells}
      </div>
    </div>
  );
}
