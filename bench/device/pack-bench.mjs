#!/usr/bin/env node
// Bundles bench/device-bench.ts into one CommonJS file for the GPU machine, which has Node and
// onnxruntime-node (from ../shared/device/pack.sh, found through NODE_PATH) but no node_modules.
// CommonJS because NODE_PATH applies to require(), not to ESM imports.
//   node bench/device/pack-bench.mjs   →   .device-bench/device-bench.cjs (+ the Python script)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
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
console.log(`bundled ${join(out, 'device-bench.cjs')}`);
