#!/usr/bin/env node
// Bundles the Electron main process, the sandboxed preload and the engine's IPC entry into CJS files
// under dist/. Native modules stay external: they are loaded from node_modules (unpacked from the
// asar when packaged) and must match Electron's ABI or ship N-API prebuilds.
//   node electron/build.mjs          one build
//   node electron/build.mjs --watch  rebuild on change
import { build, context } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];
// Optional speed-ups `ws` probes with require() inside try/catch; absent is fine.
const OPTIONAL_EXTERNALS = ['bufferutil', 'utf-8-validate'];

/**
 * Our sources are ESM and locate files relative to themselves (`new URL('../x', import.meta.url)`,
 * `createRequire(import.meta.url)('../package.json')`). In a CJS bundle `import.meta` is empty, so
 * each source's `import.meta.url` becomes the URL it has in the repository, computed at run time
 * from the bundle's location. The app root holds package.json, dist/ and node_modules both in a
 * checkout and in the packaged app (app.asar), so those relative paths keep working.
 * @type {import('esbuild').Plugin}
 */
const importMetaPlugin = {
  name: 'sqw-import-meta',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const rel = JSON.stringify(relative(root, args.path).split(sep).join('/'));
      const contents = source
        .replace(/\bimport\.meta\.url\b/g, `__sqw_source_url(${rel})`)
        .replace(
          /\bimport\.meta\.filename\b/g,
          `require('node:url').fileURLToPath(__sqw_source_url(${rel}))`,
        )
        .replace(
          /\bimport\.meta\.dirname\b/g,
          `require('node:path').dirname(require('node:url').fileURLToPath(__sqw_source_url(${rel})))`,
        );
      if (/\bimport\.meta\b/.test(contents)) {
        return {
          errors: [{ text: `unsupported import.meta use in ${rel} (only url, filename, dirname)` }],
        };
      }
      return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

/** @param {string} outfile */
function nodeBundleOptions(outfile) {
  const upToRoot =
    relative(dirname(join(root, outfile)), root)
      .split(sep)
      .join('/') || '.';
  return {
    plugins: [importMetaPlugin],
    banner: {
      js: [
        '"use strict";',
        'function __sqw_source_url(rel) {',
        `  return require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(upToRoot)}, rel)).href;`,
        '}',
      ].join('\n'),
    },
  };
}

/** @type {{ name: string, entry: string, outfile: string, node?: boolean, options: import('esbuild').BuildOptions }[]} */
const targets = [
  {
    name: 'main',
    entry: 'electron/main.ts',
    outfile: 'dist/electron/main.cjs',
    node: true,
    options: { platform: 'node', target: 'node22', external: NATIVE_EXTERNALS },
  },
  {
    // Sandboxed preloads get a tiny require() that knows only 'electron' and a few polyfills, so
    // everything else must be inlined into this one file (checked below).
    name: 'preload',
    entry: 'electron/preload.ts',
    outfile: 'dist/electron/preload.cjs',
    options: { platform: 'node', target: 'chrome130', external: ['electron'] },
  },
  {
    name: 'engine',
    entry: 'engine/ipc-entry.ts',
    outfile: 'dist/engine/ipc-entry.cjs',
    node: true,
    options: {
      platform: 'node',
      target: 'node22',
      external: [...NATIVE_EXTERNALS, ...OPTIONAL_EXTERNALS],
    },
  },
];

const missing = targets.filter((t) => !existsSync(join(root, t.entry)));
if (missing.length > 0) {
  for (const t of missing) console.error(`build:electron: missing ${t.name} entry ${t.entry}`);
  process.exit(1);
}

/** @param {(typeof targets)[number]} target */
function optionsFor(target) {
  return /** @type {import('esbuild').BuildOptions} */ ({
    absWorkingDir: root,
    entryPoints: [target.entry],
    outfile: target.outfile,
    bundle: true,
    format: 'cjs',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    ...target.options,
    ...(target.node ? nodeBundleOptions(target.outfile) : {}),
  });
}

/** The preload may require nothing but 'electron'. */
function checkPreload(metafile) {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith('preload.cjs'));
  const externals = (output?.[1].imports ?? []).filter((i) => i.external).map((i) => i.path);
  const extra = externals.filter((p) => p !== 'electron');
  if (extra.length > 0)
    throw new Error(`preload.cjs requires ${extra.join(', ')}; a sandboxed preload cannot`);
}

if (watch) {
  for (const target of targets) {
    const ctx = await context(optionsFor(target));
    await ctx.watch();
  }
  console.log('build:electron: watching for changes…');
} else {
  const started = Date.now();
  try {
    for (const target of targets) {
      const result = await build(optionsFor(target));
      if (target.name === 'preload') checkPreload(result.metafile);
      console.log(
        `build:electron: ${target.entry} -> ${relative(root, join(root, target.outfile))}`,
      );
    }
  } catch (err) {
    console.error(`build:electron failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  console.log(`build:electron: done in ${Date.now() - started} ms`);
}
