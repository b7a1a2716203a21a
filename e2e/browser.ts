// Which Chromium the e2e tests drive, so that `npm install && npm test` works on a machine with no
// browser installed and no network. In order: CHROMIUM_PATH, a system Chromium or Chrome,
// Playwright's own browser cache (`npx playwright install chromium`), else the Chromium that the
// @sparticuz/chromium dev dependency ships inside itself (see bundled-chromium.ts).
// SQW_E2E_BROWSER=path|system|playwright|bundled takes only that source (to test each one, e.g.
// the bundled one on a machine that also has a system Chromium); unset or `auto` walks the order.
import { existsSync } from 'node:fs';
import { findChromium, type Env } from '../electron/start-helpers';

export const BROWSER_SOURCES = ['path', 'system', 'playwright', 'bundled'] as const;
export type BrowserSource = (typeof BROWSER_SOURCES)[number];

export interface E2eBrowser {
  source: BrowserSource;
  executablePath: string;
  /** Extra environment for the browser process (the bundled one may need its own libraries). */
  env?: Record<string, string>;
}

export interface BrowserLookups {
  exists(path: string): boolean;
  /** Where Playwright installs its Chromium (whether or not it is there). */
  playwrightChromium(): string;
  /** Unpacks the npm-shipped Chromium; undefined when the package is not installed. */
  bundledChromium(): Promise<{ executablePath: string; env?: Record<string, string> } | undefined>;
}

const DESCRIBE: Record<BrowserSource, string> = {
  path: 'CHROMIUM_PATH',
  system: 'system Chromium/Chrome',
  playwright: "Playwright's browser cache",
  bundled: 'Chromium shipped by @sparticuz/chromium',
};

export function describeBrowser(b: E2eBrowser): string {
  return `${DESCRIBE[b.source]}: ${b.executablePath}`;
}

export async function resolveE2eBrowser(env: Env, look: BrowserLookups): Promise<E2eBrowser> {
  const wanted = env.SQW_E2E_BROWSER ?? 'auto';
  if (wanted !== 'auto' && !(BROWSER_SOURCES as readonly string[]).includes(wanted))
    throw new Error(
      `SQW_E2E_BROWSER=${wanted}: expected auto or one of ${BROWSER_SOURCES.join(', ')}`,
    );
  const sources = wanted === 'auto' ? BROWSER_SOURCES : [wanted as BrowserSource];
  const tried: string[] = [];
  for (const source of sources) {
    const found = await lookUp(source, env, look);
    if (typeof found === 'string') tried.push(`${DESCRIBE[source]}: ${found}`);
    else return found;
  }
  throw new Error(
    `no Chromium for the e2e tests (${tried.join('; ')}). Run \`npm install\` (it installs ` +
      '@sparticuz/chromium), or set CHROMIUM_PATH.',
  );
}

/** The browser from one source, or why that source has none. */
async function lookUp(
  source: BrowserSource,
  env: Env,
  look: BrowserLookups,
): Promise<E2eBrowser | string> {
  switch (source) {
    case 'path': {
      const path = env.CHROMIUM_PATH;
      if (!path) return 'not set';
      // A path given on purpose that is wrong is an error, not a reason to pick another browser.
      if (!look.exists(path)) throw new Error(`CHROMIUM_PATH=${path} does not exist`);
      return { source, executablePath: path };
    }
    case 'system': {
      const path = findChromium(env, look.exists);
      return path ? { source, executablePath: path } : 'none on the usual paths or PATH';
    }
    case 'playwright': {
      const path = look.playwrightChromium();
      return look.exists(path) ? { source, executablePath: path } : `not installed (${path})`;
    }
    case 'bundled': {
      const bundled = await look.bundledChromium();
      return bundled ? { source, ...bundled } : 'the package is not installed';
    }
  }
}

/** The lookups against this machine; `playwrightChromium` is Playwright's `chromium.executablePath`. */
export function machineLookups(playwrightChromium: () => string): BrowserLookups {
  return {
    exists: existsSync,
    playwrightChromium,
    bundledChromium: async () => {
      const { unpackBundledChromium } = await import('./bundled-chromium');
      return unpackBundledChromium();
    },
  };
}
