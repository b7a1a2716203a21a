#!/usr/bin/env node
// Bundles the GPU machine's Node half, which has Node and onnxruntime-node there (from
// ../shared/device/pack.sh, found through NODE_PATH) but no node_modules:
//  - bench/device-bench.ts as one CommonJS file (NODE_PATH applies to require(), not to ESM imports);
//  - the whole pipeline (bench/device/pipeline-device.ts and its two worker entries) as ESM next to
//    each other, as the pipeline finds its workers, with the native packages it needs (sharp +
//    libvips, better-sqlite3) in native.tar.xz: run.sh unpacks them beside onnxruntime-node and
//    links that node_modules next to the bundles, where ESM imports look.
//   node bench/device/pack-bench.mjs   →   .device-bench/ (+ the Python script)
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, '.device-bench');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'bench/device-bench.ts')],
  outfile: join(out, 'device-bench.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['onnxruntime-node', 'sharp'],
  // createRequire(import.meta.url) needs a URL; in a CJS bundle it is the bundle's own.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
copyFileSync(join(root, 'bench/device/export_models.py'), join(out, 'export_models.py'));

const pipeline = join(out, 'pipeline');
rmSync(pipeline, { recursive: true, force: true });
await build({
  entryPoints: {
    'pipeline-device': join(root, 'bench/device/pipeline-device.ts'),
    'workers/inference-worker': join(root, 'engine/pipeline/workers/inference-worker.ts'),
    'workers/cpu-worker': join(root, 'engine/pipeline/workers/cpu-worker.ts'),
  },
  outdir: pipeline,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['onnxruntime-node', 'sharp', 'better-sqlite3'],
  // Bundled CommonJS dependencies call require(); in an ESM bundle it has to exist.
  banner: {
    js: "import { createRequire as __sqwRequire } from 'node:module'; const require = __sqwRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const native = [
  'sharp',
  '@img/sharp-linux-x64',
  '@img/sharp-libvips-linux-x64',
  '@img/colour',
  'detect-libc',
  'semver',
  'better-sqlite3/package.json',
  'better-sqlite3/lib',
  'better-sqlite3/build/Release/better_sqlite3.node',
  'bindings',
  'file-uri-to-path',
].map((p) => `node_modules/${p}`);
execFileSync('tar', ['-cJf', join(out, 'native.tar.xz'), ...native], { cwd: root });
console.log(`bundled ${join(out, 'device-bench.cjs')}`);
