// Fetches the pages of a long list on demand (the rows on screen ask), drops answers for a filter
// that is no longer current, and re-renders when a page lands.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';
import { PageCache, type Page } from './page-cache';
import { pagesFor } from './virtual-math';

export interface PagedList<T> {
  total: number | null;
  get(index: number): T | undefined;
  /** Asks for the pages covering items [start, end). */
  request(start: number, end: number): void;
  error: string | null;
  /** Bumped whenever a page lands (a dependency for memoised rows). */
  version: number;
}

export function usePagedList<T>(
  /** Changes whenever the filter does: the cache starts over (and the view scrolls to the top). */
  key: string,
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  pageSize: number,
  /** Changes when the same list may have new contents: pages are fetched again, the old ones
   * stay on screen until then, the total and the scroll position are kept. */
  refreshTick = 0,
): PagedList<T> {
  const cache = useRef(new PageCache<T>(pageSize));
  const stale = useRef<PageCache<T> | null>(null);
  const generation = useRef(0);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const fetchRef = useRef(fetchPage);
  useLayoutEffect(() => {
    fetchRef.current = fetchPage;
  });

  const load = useCallback(
    (pages: number[], near: number) => {
      const gen = generation.current;
      for (const p of cache.current.claim(pages)) {
        fetchRef.current(p * pageSize, pageSize).then(
          (data) => {
            if (gen !== generation.current) return;
            cache.current.store(p, data, near);
            setError(null);
            setVersion((v) => v + 1);
          },
          (err: unknown) => {
            if (gen !== generation.current) return;
            cache.current.fail(p);
            setError(errorText(err));
          },
        );
      }
    },
    [pageSize],
  );

  // A new filter: forget everything and fetch the first page (it also tells the total).
  useEffect(() => {
    generation.current++;
    cache.current = new PageCache<T>(pageSize);
    stale.current = null;
    setVersion((v) => v + 1);
    load([0], 0);
  }, [key, pageSize, load]);

  // Same filter, new contents: refetch what is asked for next, showing the old pages meanwhile.
  const firstRefresh = useRef(true);
  useEffect(() => {
    if (firstRefresh.current) {
      firstRefresh.current = false;
      return;
    }
    generation.current++;
    const old = cache.current;
    stale.current = old;
    cache.current = new PageCache<T>(pageSize);
    cache.current.total = old.total;
    setVersion((v) => v + 1);
    // Page 0 carries the new total (and was perhaps still in flight when the refresh came).
    load([0], 0);
  }, [refreshTick, pageSize, load]);

  const request = useCallback(
    (start: number, end: number) => {
      const pages = pagesFor(start, end, pageSize);
      if (pages.length) load(pages, pages[0]!);
    },
    [load, pageSize],
  );

  const c = cache.current;
  const old = stale.current;
  return {
    total: c.total,
    get: (i) => c.get(i) ?? old?.get(i),
    request,
    error,
    version,
  };
}
