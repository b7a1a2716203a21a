// URL schemes of the shell. Dependency-free so the sandboxed preload can import it cheaply.

/** The renderer is served from `app://sqw/…` (a privileged standard scheme), never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'sqw';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Blobs are served as `sqw-blob://blob/<projectId>/<imageId>/<kind>`. The fixed `blob` host matters:
 * hosts of standard schemes are lower-cased by Chromium, and project ids are case-sensitive.
 */
export const BLOB_SCHEME = 'sqw-blob';
export const BLOB_HOST = 'blob';
export const BLOB_BASE = `${BLOB_SCHEME}://${BLOB_HOST}/`;
