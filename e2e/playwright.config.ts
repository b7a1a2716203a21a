import { chromium, defineConfig } from '@playwright/test';
import { describeBrowser, machineLookups, resolveE2eBrowser } from './browser';

// No browser is downloaded: the tests drive CHROMIUM_PATH, a system Chromium, Playwright's cache,
// or the Chromium the @sparticuz/chromium dev dependency ships (see browser.ts).
const browser = await resolveE2eBrowser(
  process.env,
  machineLookups(() => chromium.executablePath()),
);
// The config is loaded by the runner and again by each worker; say it once.
if (process.env.TEST_WORKER_INDEX === undefined)
  console.log(`e2e browser: ${describeBrowser(browser)}`);

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts$/,
  outputDir: '../test-results',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: browser.executablePath,
      ...(browser.env ? { env: { ...process.env, ...browser.env } } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
