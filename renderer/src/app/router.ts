// Hash routes: one per workspace section (`#/batches[/<id>]`, `#/review[/<batchId>]`, `#/jobs`,
// `#/models`, `#/export`) and `#/image/<imageId>`. Kept apart from the token logic (api/token.ts),
// which strips `#token=` before the router ever looks at the hash.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'batches'; batchId: number | null }
  | { page: 'image'; imageId: number }
  /** The whole-batch review queue, on a page of its own. */
  | { page: 'review'; batchId: number | null }
  | { page: 'jobs' }
  | { page: 'models' }
  /** Dataset export and model evaluation (its results table needs the full width). */
  | { page: 'export' }
  /** Speed benches of the 3D viewer and the batch view (bench/UI-RESULTS.md). */
  | { page: 'bench'; which: '3d' | 'batch' };

/** The workspace sections the top bar links to, in order. */
export const SECTIONS = [
  { page: 'batches', title: 'Batches' },
  { page: 'review', title: 'Review queue' },
  { page: 'jobs', title: 'Jobs' },
  { page: 'models', title: 'Models' },
  { page: 'export', title: 'Export & Evaluation' },
] as const;
export type Section = (typeof SECTIONS)[number]['page'];

/** The top-bar section a route belongs to (an image is reviewed from its batch). */
export function sectionOf(route: Route): Section | null {
  if (route.page === 'image') return 'batches';
  if (route.page === 'bench') return null;
  return route.page;
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const image = /^\/image\/([1-9][0-9]*)$/.exec(path);
  if (image) return { page: 'image', imageId: Number(image[1]) };
  const batch = /^\/(batches|review)\/(-?[0-9]+)$/.exec(path);
  if (batch) return { page: batch[1] as 'batches' | 'review', batchId: Number(batch[2]) };
  if (path === '/review') return { page: 'review', batchId: null };
  if (path === '/jobs' || path === '/models' || path === '/export')
    return { page: path.slice(1) as 'jobs' | 'models' | 'export' };
  const bench = /^\/bench\/(3d|batch)$/.exec(path);
  if (bench) return { page: 'bench', which: bench[1] as '3d' | 'batch' };
  return { page: 'batches', batchId: null };
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case 'image':
      return `#/image/${route.imageId}`;
    case 'bench':
      return `#/bench/${route.which}`;
    case 'batches':
    case 'review':
      return route.batchId === null ? `#/${route.page}` : `#/${route.page}/${route.batchId}`;
    default:
      return `#/${route.page}`;
  }
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
