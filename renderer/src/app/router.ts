// Hash routes: `#/batches`, `#/batches/<batchId>`, `#/image/<imageId>`. Kept apart from the token
// logic (api/token.ts), which strips `#token=` before the router ever looks at the hash.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'batches'; batchId: number | null }
  | { page: 'image'; imageId: number }
  /** Speed benches of the 3D viewer and the batch view (bench/UI-RESULTS.md). */
  | { page: 'bench'; which: '3d' | 'batch' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const image = /^\/image\/([1-9][0-9]*)$/.exec(path);
  if (image) return { page: 'image', imageId: Number(image[1]) };
  const batch = /^\/batches\/(-?[0-9]+)$/.exec(path);
  if (batch) return { page: 'batches', batchId: Number(batch[1]) };
  const bench = /^\/bench\/(3d|batch)$/.exec(path);
  if (bench) return { page: 'bench', which: bench[1] as '3d' | 'batch' };
  return { page: 'batches', batchId: null };
}

export function routeHref(route: Route): string {
  if (route.page === 'image') return `#/image/${route.imageId}`;
  if (route.page === 'bench') return `#/bench/${route.which}`;
  return route.batchId === null ? '#/batches' : `#/batches/${route.batchId}`;
}

export function navigate(route: Route, replace = false): void {
  const href = routeHref(route);
  if (replace) {
    window.history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (window.location.hash !== href) {
    window.location.hash = href;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
