// Depth adapter pre/post-processing time for a 640×480 RGB input, with the tiny generated
// Depth Anything V2 metric model (the network itself is trivial: this measures our code, not a GPU).
//   node bin/run-ts.mjs bench/models-bench.ts [--runs 30]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DepthAnythingAdapter } from '../native-models/adapters/depth-anything';
import { findManifest } from '../native-models/catalogue';
import { SessionPool } from '../native-models/session-pool';
import { depthAnythingMetricModel } from '../native-models/testing/test-models';

const args = process.argv.slice(2);
const i = args.indexOf('--runs');
const RUNS = i >= 0 ? Number(args[i + 1]) : 30;
const W = 640;
const H = 480;

const dir = mkdtempSync(join(tmpdir(), 'sqw-models-bench-'));
const file = join(dir, 'model.onnx');
writeFileSync(file, depthAnythingMetricModel());
const rgb = new Uint8Array(W * H * 3);
for (let p = 0; p < W * H; p++) rgb.set([p % 251, (p >> 3) % 253, (p >> 7) % 255], p * 3);

const pool = new SessionPool();
const adapter = new DepthAnythingAdapter(
  findManifest('depth-anything-v2-metric-indoor-small'),
  file,
  pool,
  'cpu',
);
const pre: number[] = [];
const infer: number[] = [];
const post: number[] = [];
for (let r = 0; r < RUNS + 3; r++) {
  const res = await adapter.run({ data: rgb, width: W, height: H });
  if (r < 3) continue; // warm-up
  pre.push(res.timings.preMs);
  infer.push(res.timings.inferMs);
  post.push(res.timings.postMs);
}
await pool.release();
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
console.log(
  JSON.stringify(
    {
      input: `${W}x${H} RGB`,
      network: '686x518',
      runs: RUNS,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      node: process.version,
      medianMs: {
        pre: +median(pre).toFixed(2),
        inferTinyModel: +median(infer).toFixed(2),
        post: +median(post).toFixed(2),
      },
    },
    null,
    2,
  ),
);
