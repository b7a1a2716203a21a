// Requests started ahead of the effect that wants their answer: a page can issue them in its first
// render, before its commit (and the teardown of the page it replaces) and before its effects run.
// Each is handed over once, and only while fresh; a later load (a reload after an edit or an engine
// event) always asks again.

const started = new Map<string, { at: number; promise: Promise<unknown> }>();
/** An answer older than this is not handed over (the effect runs within a frame or two). */
const FRESH_MS = 2000;

const fresh = (at: number) => performance.now() - at < FRESH_MS;

/** Starts `load` now unless a fresh request for `key` is already out. */
export function prefetch(key: string, load: () => Promise<unknown>): void {
  for (const [k, p] of started) if (!fresh(p.at)) started.delete(k);
  if (started.has(key)) return;
  const promise = load();
  // Its consumer sees any failure; an answer nobody takes must not be an unhandled rejection.
  promise.catch(() => undefined);
  started.set(key, { at: performance.now(), promise });
}

/** The prefetched answer for `key` if one is fresh (taken: a second call loads), else `load()`. */
export function prefetched<T>(key: string, load: () => Promise<T>): Promise<T> {
  const p = started.get(key);
  started.delete(key);
  return p && fresh(p.at) ? (p.promise as Promise<T>) : load();
}
