// QA synthesis benchmark: generateQa() on a 20-object scene graph (all families, both naming
// modes), median wall and CPU ms over many runs. Writes bench/QA-RESULTS.md (not with --no-write).
//
//   node bin/run-ts.mjs bench/qa-bench.ts [--runs 200] [--objects 20] [--warmup 200] [--no-write]
//     [--skip-every-tuple]   (for quick before/after comparisons: only the first two configurations)
//
// Warm-up: generateQa needs about 60 calls on this graph before V8 has optimised its hot paths
// (the first calls take 10-80 ms); with fewer warm-up calls the first timed runs are still
// interpreted code and the median measures the JIT, not the steady per-graph cost. --warmup 20
// is the earlier setting.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { generateQa } from '../spatial/qa/generate';
import { QUESTION_TYPES } from '../spatial/qa/families';
import { randomGraph } from '../spatial/qa/testing/random-graph';
import type { QaOptions } from '../spatial/qa/types';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const runs = arg('runs', 200);
const objects = arg('objects', 20);
const warmup = arg('warmup', 200);
const write = !process.argv.includes('--no-write');
const graph = randomGraph(20261126, { objects, alignedProb: 1, badQuality: 0, keepEdge: 1 });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function measure(label: string, opts: QaOptions) {
  // warm-up (every-tuple calls take ~100x longer: a few suffice there)
  const n = opts.maxPerFamily === Infinity ? Math.min(warmup, 5) : warmup;
  for (let i = 0; i < n; i++) generateQa(graph, opts);
  const wall: number[] = [];
  const cpu: number[] = [];
  let pairs = 0;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    pairs = generateQa(graph, opts).pairs.length;
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const r = {
    label,
    pairs,
    wall: median(wall),
    cpu: median(cpu),
    p90: [...wall].sort((a, b) => a - b)[Math.floor(runs * 0.9)] as number,
  };
  console.log(
    `${label}: ${pairs} QA, median wall ${r.wall.toFixed(2)} ms (p90 ${r.p90.toFixed(2)}), median CPU ${r.cpu.toFixed(2)} ms`,
  );
  return r;
}

const rows = [
  measure('default (maxPerFamily 8, region + expression)', { imageId: 'bench', seed: 1 }),
  measure('region tokens only', { imageId: 'bench', seed: 1, naming: ['region'] }),
  ...(process.argv.includes('--skip-every-tuple')
    ? []
    : [
        measure('every tuple (maxPerFamily Infinity)', {
          imageId: 'bench',
          seed: 1,
          maxPerFamily: Infinity,
        }),
      ]),
];

let load = '';
try {
  const { loadavg } = await import('node:os');
  load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
} catch {
  load = 'n/a';
}
const md = `# QA synthesis benchmark

Command: \`node bin/run-ts.mjs bench/qa-bench.ts --runs ${runs} --objects ${objects} --warmup ${warmup}\`

Workload: \`generateQa()\` on one random ${objects}-object scene graph (gravity-aligned, every edge
present: ${graph.edges.length} edges), all ${QUESTION_TYPES.length} question types' families; ${runs} timed runs
after ${warmup} warm-up runs per configuration (at most 5 for every tuple), one thread. Wall time from \`performance.now()\`, CPU time from
\`process.cpuUsage()\` (user + system), per call.

Machine: ${cpus().length} CPUs (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; load average
during the run: ${load} (a shared VM: other sessions were running; the CPU column is the less noisy one).
Date: ${new Date().toISOString()}.

| configuration | QA pairs | median wall ms | p90 wall ms | median CPU ms |
| --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.label} | ${r.pairs} | ${r.wall.toFixed(2)} | ${r.p90.toFixed(2)} | ${r.cpu.toFixed(2)} |`).join('\n')}

Target: under 5 ms per 20-object graph on one core.
`;
// keep the hand-written "## History" section (before/after notes of optimisation work) across runs
if (write) {
  const file = new URL('./QA-RESULTS.md', import.meta.url);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const history = previous.indexOf('\n## History');
  writeFileSync(file, history >= 0 ? md + previous.slice(history) : md);
  console.log('wrote bench/QA-RESULTS.md');
}
