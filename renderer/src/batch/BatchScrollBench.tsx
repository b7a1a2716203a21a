// Bench page (#/bench/batch): the batch view's windowed grid over a synthetic 100k-image list
// (pages answered in-page, no thumbnails), scrolled programmatically a fixed distance per animation
// frame. Frame time = interval between animation frames. Driven by e2e through window.sqwBenchBatch.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImageStatus, ImageSummary } from '../../../contract/entities';
import { ImageListRow, ImageTile } from './BatchBrowser';
import { usePagedList } from './usePagedList';
import { VirtualGrid, type ViewMode } from './VirtualGrid';

export interface ScrollTimes {
  images: number;
  mode: ViewMode;
  pxPerFrame: number;
  frames: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** Cells in the DOM at the end (the window, not the collection). */
  renderedCells: number;
  scrolledPx: number;
}

declare global {
  interface Window {
    sqwBenchBatch?: {
      run(mode: ViewMode, frames: number, pxPerFrame: number): Promise<ScrollTimes>;
    };
  }
}

const STATUSES: ImageStatus[] = ['pending', 'needs-review', 'in-review', 'approved', 'rejected'];
const TOTAL = 100_000;

function syntheticImage(id: number): ImageSummary {
  return {
    id,
    batchId: 1,
    fileName: `frame_${String(id).padStart(6, '0')}.jpg`,
    relPath: `scene_${Math.floor(id / 1000)}/frame_${String(id).padStart(6, '0')}.jpg`,
    width: 640,
    height: 480,
    status: STATUSES[id % STATUSES.length]!,
    hasDepth: id % 3 !== 0,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
}

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

export function BatchScrollBench() {
  const [mode, setMode] = useState<ViewMode>('grid');
  const [results, setResults] = useState<ScrollTimes[]>([]);
  const wrap = useRef<HTMLDivElement | null>(null);
  // Pages come back on the next microtask, like a fast engine would.
  const fetchPage = useCallback(
    async (offset: number, limit: number) => ({
      total: TOTAL,
      items: Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, i) =>
        syntheticImage(offset + i + 1),
      ),
    }),
    [],
  );
  const list = usePagedList<ImageSummary>('bench', fetchPage, 120);

  useEffect(() => {
    window.sqwBenchBatch = {
      async run(m, frames, px) {
        setMode(m);
        await nextFrame();
        await nextFrame();
        const el = wrap.current?.querySelector<HTMLElement>('[data-testid="bench-grid"]');
        if (!el) throw new Error('bench grid missing');
        el.scrollTop = 0;
        await nextFrame();
        const intervals: number[] = [];
        let last = await nextFrame();
        for (let i = 0; i < frames; i++) {
          el.scrollTop += px;
          const now = await nextFrame();
          intervals.push(now - last);
          last = now;
        }
        const result: ScrollTimes = {
          images: TOTAL,
          mode: m,
          pxPerFrame: px,
          frames,
          medianMs: quantile(intervals, 0.5),
          p95Ms: quantile(intervals, 0.95),
          maxMs: Math.max(...intervals),
          renderedCells: el.querySelectorAll('.vgrid-cell').length,
          scrolledPx: el.scrollTop,
        };
        setResults((l) => [...l, result]);
        return result;
      },
    };
    return () => {
      delete window.sqwBenchBatch;
    };
  }, []);

  return (
    <div
      className="bench-page"
      ref={wrap}
      data-testid="bench-batch"
      data-result={JSON.stringify(results)}
    >
      <h2>Batch view bench: {TOTAL.toLocaleString()} synthetic images</h2>
      <div className="bench-grid-box">
        <VirtualGrid
          list={list}
          mode={mode}
          testid="bench-grid"
          itemKey={(item, i) => item?.id ?? `slot-${i}`}
          renderItem={(item) =>
            mode === 'grid' ? (
              <ImageTile projectId="bench" image={item} thumbUrl={null} />
            ) : (
              <ImageListRow image={item} />
            )
          }
        />
      </div>
      <pre className="small">{JSON.stringify(results, null, 1)}</pre>
    </div>
  );
}
