// Shared React hooks: engine event subscription, async loading state, element size.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { EngineEvent } from '../../../contract/api';
import { errorText, events } from '../api/client';
import { blobFailure } from '../api/blob-failure';

/** Subscribes to engine events for the component's lifetime; the latest callback is always used. */
export function useEngineEvents(handler: (event: EngineEvent) => void): void {
  const ref = useRef(handler);
  useLayoutEffect(() => {
    ref.current = handler;
  });
  useEffect(() => events.subscribe((e) => ref.current(e)), []);
}

export function useConnected(): boolean {
  const [connected, setConnected] = useState(() => events.isConnected());
  useEffect(() => events.onConnection(setConnected), []);
  return connected;
}

export type Loadable<T> =
  | { state: 'loading'; data: T | undefined; error: null }
  | { state: 'ready'; data: T; error: null }
  | { state: 'error'; data: T | undefined; error: string };

/**
 * Runs `load` whenever `deps` change (dropping stale answers) and on `reload()`. Keeps the previous
 * data while reloading so lists do not flash.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({
    state: 'loading',
    data: undefined,
    error: null,
  });
  const [tick, setTick] = useState(0);
  // Counted when asked, not when the effect runs: an answer that lands between reload() and the
  // effect's cleanup is already stale.
  const asked = useRef(0);
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    let live = true;
    const mine = asked.current;
    const current = () => live && mine === asked.current;
    setValue((v) => ({ state: 'loading', data: v.data, error: null }));
    loadRef.current().then(
      (data) => current() && setValue({ state: 'ready', data, error: null }),
      (err: unknown) =>
        current() && setValue((v) => ({ state: 'error', data: v.data, error: errorText(err) })),
    );
    return () => {
      live = false;
    };
    // deps are the caller's (plus the reload tick)
  }, [...deps, tick]);
  const reload = useCallback(() => {
    asked.current += 1;
    setTick((t) => t + 1);
  }, []);
  return [value, reload];
}

/** The content-box size of an element, tracked with ResizeObserver. */
export function useElementSize<E extends HTMLElement>(): [
  React.RefObject<E | null>,
  { width: number; height: number },
] {
  const ref = useRef<E | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      setSize((s) =>
        Math.round(r.width) === s.width && Math.round(r.height) === s.height
          ? s
          : { width: Math.round(r.width), height: Math.round(r.height) },
      );
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, size];
}

/** An image element loading `url`; `ready` resolves true once it is decoded (false: it failed). */
function loadImage(url: string): { img: HTMLImageElement; ready: Promise<boolean> } {
  const img = new window.Image();
  img.decoding = 'async';
  img.src = url;
  // decode() decodes off the main thread, so the first canvas draw does not decode synchronously.
  const ready = img.decode().then(
    () => true,
    // decode() can reject for an image that did load (e.g. its src was swapped): trust the element.
    () =>
      new Promise<boolean>((resolve) => {
        if (img.complete) resolve(img.naturalWidth > 0);
        else {
          img.onload = () => resolve(true);
          img.onerror = () => resolve(false);
        }
      }),
  );
  return { img, ready };
}

/** Preloads started before their consumer mounts; each is taken once, and only while fresh. */
interface Preload {
  img: HTMLImageElement;
  ready: Promise<boolean>;
  at: number;
  /** Set once decoded: a consumer mounting after that can draw it in its first render. */
  decoded: boolean;
}
const preloads = new Map<string, Preload>();
const PRELOAD_MAX = 4;
const PRELOAD_FRESH_MS = 15_000;

/**
 * Starts loading and decoding an image that a `useHtmlImage(url)` is about to ask for (the image
 * view calls it at once, before the image record that sizes the canvas has arrived).
 */
export function preloadImage(url: string): void {
  if (preloads.has(url)) return;
  const p: Preload = { ...loadImage(url), at: performance.now(), decoded: false };
  void p.ready.then((ok) => (p.decoded = ok));
  preloads.set(url, p);
  for (const key of preloads.keys()) {
    if (preloads.size <= PRELOAD_MAX) break;
    preloads.delete(key);
  }
}

function freshPreload(url: string): Preload | null {
  const p = preloads.get(url);
  // A stale one may predate a change to the blob behind the same URL: load it again.
  return p && performance.now() - p.at < PRELOAD_FRESH_MS ? p : null;
}

function takePreload(url: string): Preload | null {
  const p = freshPreload(url);
  preloads.delete(url);
  return p;
}

/** What `blobFailure` says about `url` (null while asking, for no url, or when it says nothing). */
export function useBlobFailure(url: string | null): string | null {
  const [state, setState] = useState<{ url: string; reason: string | null } | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    void blobFailure(url).then((reason) => live && setState({ url, reason }));
    return () => {
      live = false;
    };
  }, [url]);
  return state && state.url === url ? state.reason : null;
}

/** Loads an HTMLImageElement for Konva; status tells tests and the UI when it is drawable. */
export function useHtmlImage(url: string | null): {
  image: HTMLImageElement | null;
  status: 'idle' | 'loading' | 'loaded' | 'error';
} {
  const [state, setState] = useState<{
    url: string | null;
    image: HTMLImageElement | null;
    status: 'idle' | 'loading' | 'loaded' | 'error';
  }>(() => {
    // Already decoded by a preload: drawable in the very first render, no extra frame.
    const p = url ? freshPreload(url) : null;
    return p?.decoded
      ? { url, image: p.img, status: 'loaded' }
      : { url: null, image: null, status: 'idle' };
  });
  useEffect(() => {
    if (!url) {
      setState({ url: null, image: null, status: 'idle' });
      return;
    }
    let live = true;
    const { img, ready } = takePreload(url) ?? loadImage(url);
    const same = (s: typeof state) => s.url === url && s.image === img && s.status === 'loaded';
    setState((s) => (same(s) ? s : { url, image: null, status: 'loading' }));
    void ready.then(
      (ok) =>
        live &&
        setState((s) =>
          same(s) ? s : { url, image: ok ? img : null, status: ok ? 'loaded' : 'error' },
        ),
    );
    return () => {
      live = false;
    };
  }, [url]);
  return state.url === url
    ? { image: state.image, status: state.status }
    : { image: null, status: url ? 'loading' : 'idle' };
}

/**
 * A callback whose identity never changes but that always runs the latest `fn`: lets memoised
 * children take handlers without re-rendering whenever the parent does.
 */
export function useStableCallback<A extends unknown[], R>(
  fn: (...args: A) => R,
): (...args: A) => R {
  const ref = useRef(fn);
  useLayoutEffect(() => {
    ref.current = fn;
  });
  return useCallback((...args: A) => ref.current(...args), []);
}

/**
 * Runs `fn` after the next frame has been presented (two frames have started, then a task), so
 * work that is not needed for it does not hold it back. Returns a cancel function.
 */
export function afterNextFrame(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let raf = requestAnimationFrame(() => {
    raf = requestAnimationFrame(() => {
      raf = 0;
      timer = setTimeout(fn, 0);
    });
  });
  return () => {
    if (raf) cancelAnimationFrame(raf);
    clearTimeout(timer);
  };
}
