// Pure decisions behind `npm start` (bin/start.mjs): can Electron run here, which browser to open in
// headless mode, how to call the sqw CLI, how to read the server's ready line. All I/O is passed in.
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProbeInput {
  env: Env;
  platform: NodeJS.Platform;
  /** Directory of the installed `electron` npm package, or undefined when it is not installed. */
  electronDir: string | undefined;
  exists(path: string): boolean;
  readFile(path: string): string | undefined;
}

export type ElectronProbe = { ok: true; binary: string } | { ok: false; reason: string };

export function hasDisplay(env: Env, platform: NodeJS.Platform): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Where the Electron binary is, or why Electron cannot run. Mirrors node_modules/electron/index.js
 * without its side effect: requiring that module tries to download the binary when it is missing,
 * which hangs or fails slowly offline.
 */
export function probeElectron(input: ProbeInput): ElectronProbe {
  const { env } = input;
  if (env.SQW_NO_ELECTRON === '1') return { ok: false, reason: 'SQW_NO_ELECTRON=1' };
  if (!hasDisplay(env, input.platform))
    return { ok: false, reason: 'no DISPLAY or WAYLAND_DISPLAY' };
  if (!input.electronDir) return { ok: false, reason: 'the electron npm package is not installed' };
  const executable = input.readFile(join(input.electronDir, 'path.txt'))?.trim();
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron');
    return input.exists(binary)
      ? { ok: true, binary }
      : { ok: false, reason: `no Electron binary at ${binary}` };
  }
  if (!executable) return { ok: false, reason: 'the Electron binary was never downloaded' };
  const binary = join(input.electronDir, 'dist', executable);
  if (!input.exists(binary))
    return { ok: false, reason: `the Electron binary is missing (${binary})` };
  return { ok: true, binary };
}

const CHROMIUM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** First Chromium-family browser found at a well-known path or on PATH. */
export function findChromium(env: Env, exists: (path: string) => boolean): string | undefined {
  for (const path of CHROMIUM_PATHS) if (exists(path)) return path;
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (exists(candidate)) return candidate;
    }
  }
  return undefined;
}

export function chromiumArgs(
  url: string,
  userDataDir: string,
  options: { runningAsRoot?: boolean } = {},
): string[] {
  return [
    `--app=${url}`,
    `--user-data-dir=${userDataDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    // Chromium refuses to start as root with its sandbox on (containers, CI shells).
    ...(options.runningAsRoot ? ['--no-sandbox'] : []),
  ];
}

const ReadyLine = z.object({
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+\//),
  port: z.number().int().positive().max(65535),
  token: z.string().min(1),
});
export type ReadyLine = z.infer<typeof ReadyLine>;

/** The one JSON line `sqw serve --json` prints when it listens; undefined for any other line. */
export function parseReadyLine(line: string): ReadyLine | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed = ReadyLine.safeParse(JSON.parse(trimmed));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const Intrinsics = z.object({ fx: z.number(), fy: z.number(), cx: z.number(), cy: z.number() });
const DemoBatch = z.object({
  folder: z.string().min(1),
  depthFolder: z.string().min(1).optional(),
  depthEncoding: z.string().min(1).optional(),
  /** A JSON file relative to the batches file's folder, or the four numbers inline. */
  intrinsics: z.union([z.string().min(1), Intrinsics]).optional(),
  /** A COCO instances file (relative to the batches file) attached after this batch is imported. */
  annotations: z.string().min(1).optional(),
});
export const DemoBatches = z.array(DemoBatch);
export type DemoBatch = z.infer<typeof DemoBatch>;

/** Parses samples/demo-batch/batches.json; throws with the file's name and the first problem. */
export function parseDemoBatches(text: string, file: string): DemoBatch[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = DemoBatches.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Arguments after `node` for `sqw import` of one demo batch; paths resolved against `batchDir`. */
export function importArgs(
  sqw: string,
  batch: DemoBatch,
  batchDir: string,
  projectDir: string,
): string[] {
  const args = [sqw, 'import', resolve(batchDir, batch.folder), '--project', projectDir];
  if (batch.depthFolder) args.push('--depth', resolve(batchDir, batch.depthFolder));
  if (batch.depthEncoding) args.push('--depth-encoding', batch.depthEncoding);
  if (typeof batch.intrinsics === 'string')
    args.push('--intrinsics', resolve(batchDir, batch.intrinsics));
  else if (batch.intrinsics) {
    const { fx, fy, cx, cy } = batch.intrinsics;
    args.push('--intrinsics', `${fx},${fy},${cx},${cy}`);
  }
  if (batch.annotations) args.push('--annotations', resolve(batchDir, batch.annotations));
  return args;
}

export function serveArgs(sqw: string, projectDir: string): string[] {
  return [sqw, 'serve', '--project', projectDir, '--json'];
}

/**
 * The project headless mode serves: `--project` or SQW_PROJECT (relative to where `npm start` was
 * run), else the repo's gitignored demo project, which is seeded from samples/ when empty.
 */
export function chooseProject(
  env: Env,
  repoRoot: string,
  cwd: string,
  projectArg?: string,
): { dir: string; demo: boolean } {
  const explicit = projectArg ?? env.SQW_PROJECT;
  if (explicit) return { dir: resolve(cwd, explicit), demo: false };
  return { dir: join(repoRoot, '.sqw-demo'), demo: true };
}
