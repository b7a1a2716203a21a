// Shared React hooks: engine event subscription, async loading state, element size.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { EngineEvent } from '../../../contract/api';
import { errorText, events } from '../api/client';

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
  const loadRef = useRef(load);
  useLayoutEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    let live = true;
    setValue((v) => ({ state: 'loading', data: v.data, error: null }));
    loadRef.current().then(
      (data) => live && setValue({ state: 'ready', data, error: null }),
      (err: unknown) =>
        live && setValue((v) => ({ state: 'error', data: v.data, error: errorText(err) })),
    );
    return () => {
      live = false;
    };
    // deps are the caller's (plus the reload tick)
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
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

/** Loads an HTMLImageElement for Konva; status tells tests and the UI when it is drawable. */
export function useHtmlImage(url: string | null): {
  image: HTMLImageElement | null;
  status: 'idle' | 'loading' | 'loaded' | 'error';
} {
  const [state, setState] = useState<{
    url: string | null;
    image: HTMLImageElement | null;
    status: 'idle' | 'loading' | 'loaded' | 'error';
  }>({
    url: null,
    image: null,
    status: 'idle',
  });
  useEffect(() => {
    if (!url) {
      setState({ url: null, image: null, status: 'idle' });
      return;
    }
    let live = true;
    const img = new window.Image();
    setState({ url, image: null, status: 'loading' });
    img.onload = () => live && setState({ url, image: img, status: 'loaded' });
    img.onerror = () => live && setState({ url, image: null, status: 'error' });
    img.decoding = 'async';
    img.src = url;
    return () => {
      live = false;
      img.onload = null;
      img.onerror = null;
    };
  }, [url]);
  return state.url === url
    ? { image: state.image, status: state.status }
    : { image: null, status: url ? 'loading' : 'idle' };
}
