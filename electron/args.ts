// Command-line and environment options of the desktop app. Pure, so tested without Electron.

/** `--project <dir>` or `--project=<dir>` anywhere in argv (Electron adds its own args in dev). */
export function parseProjectArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--project') {
      const next = argv[i + 1];
      return next && !next.startsWith('--') ? next : undefined;
    }
    if (arg?.startsWith('--project=')) return arg.slice('--project='.length) || undefined;
  }
  return undefined;
}

/**
 * The Vite dev server origin from SQW_RENDERER_URL, accepted only for loopback http URLs so a
 * stray environment variable cannot point the privileged window at a remote site.
 */
export function parseDevServerOrigin(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:') return undefined;
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
  return url.origin;
}
