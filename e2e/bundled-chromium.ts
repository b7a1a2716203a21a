// The Chromium that the @sparticuz/chromium dev dependency ships inside itself, for machines with
// no browser and no network. Its executablePath() unpacks the binary, fonts and SwiftShader (WebGL2
// without a GPU, which the 3D viewer needs) into the temp folder once. The binary links NSS from
// the system; where the system lacks it (a bare container), the NSS libraries the package ships
// for Amazon Linux are unpacked too and put on LD_LIBRARY_PATH of the browser process only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const PACKAGE = '@sparticuz/chromium';

export async function unpackBundledChromium(): Promise<
  { executablePath: string; env?: Record<string, string> } | undefined
> {
  let packageEntry: string;
  try {
    packageEntry = createRequire(import.meta.url).resolve(PACKAGE);
  } catch {
    return undefined;
  }
  const { default: chromium } = await import(PACKAGE);
  // The package unpacks into os.tmpdir() and skips files already there, so a partial set left in a
  // shared /tmp (seen here: no libvk_swiftshader.so, "Error creating WebGL context") is never
  // repaired: unpack into a folder of our own, complete or absent.
  const own = join(tmpdir(), 'sqw-e2e-chromium');
  mkdirSync(own, { recursive: true });
  const executablePath: string = await withTmpdir(own, () => chromium.executablePath());
  if (missingLibraries(executablePath).length === 0) return { executablePath };

  // build/cjs/index.cjs -> the package folder -> bin/al2023.tar.br
  const bin = join(dirname(packageEntry), '..', '..', 'bin');
  const libDir = join(tmpdir(), 'sqw-e2e-chromium-libs');
  extractTar(brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))), libDir);
  const env = {
    LD_LIBRARY_PATH: [join(libDir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  const still = missingLibraries(executablePath, env);
  if (still.length > 0)
    throw new Error(`${PACKAGE}'s Chromium cannot load ${still.join(', ')} on this machine`);
  return { executablePath, env };
}

async function withTmpdir<T>(dir: string, run: () => Promise<T>): Promise<T> {
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  }
}

/** Shared libraries the dynamic linker cannot find for `binary`; none where ldd is unavailable. */
function missingLibraries(binary: string, extraEnv: Record<string, string> = {}): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], {
      encoding: 'utf8',
      env: { ...process.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  return parseLddMissing(out);
}

/** The names ldd reports as "not found". */
export function parseLddMissing(lddOutput: string): string[] {
  return [...lddOutput.matchAll(/^\s*(\S+)\s+=>\s+not found/gm)].map((m) => m[1]!);
}

/**
 * Writes the regular files of a ustar archive under `dest` (enough for the package's library
 * archive: plain files, no links). Names that would land outside `dest` are refused.
 */
export function extractTar(tar: Buffer, dest: string): string[] {
  const written: string[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (from: number, length: number) =>
      header
        .subarray(from, from + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type !== '0' && type !== '') continue;
    const rel = normalize(name);
    if (rel.startsWith('..') || rel.startsWith('/'))
      throw new Error(`archive entry outside its folder: ${name}`);
    const path = join(dest, rel);
    written.push(rel);
    // Unpacked once: the config is loaded again in each worker, maybe while a browser uses them.
    if (existsSync(path) && statSync(path).size === size) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }
  return written;
}
