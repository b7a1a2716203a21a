// Export benchmark: a synthetic project of N images x Q facts (default 100k x 10 = 1M; 5 objects
// with RLE masks per image; QA records made by spatial/qa on a random graph, each fact stored in both
// naming modes as the pipeline stores it, so 2M QA rows, all approved), written straight into SQLite
// in transactions. Each format is then exported in a fresh child process (images linked) and writes
// one naming mode, i.e. N x Q QA; it reports QA written/s, peak RSS, and RSS at each tenth of the
// export to show whether memory stays flat.
//   node bin/run-ts.mjs bench/export-bench.ts [--images 100000] [--qa-per-image 10]
//        [--formats hf,spatialrgpt] [--runs 1] [--shards 1,auto] [--out-root DIR] [--rebuild]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ProjectStore } from '../db/project-store';
import { reviewedProjectWriters } from '../db/store/testing/bench-seed';
import { exportProject } from '../engine/export/export';
import { generateQa } from '../spatial/qa/generate';
import { randomGraph } from '../spatial/qa/testing/random-graph';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const IMAGES = Number(opt('images', '100000'));
const QA_PER_IMAGE = Number(opt('qa-per-image', '10'));
const FORMATS = opt('formats', 'hf,spatialrgpt').split(',');
const RUNS = Number(opt('runs', '1'));
const SHARDS = opt('shards', 'auto').split(',');
// Where exports are written (e.g. /dev/shm: this VM's ext4 makes a link in 25-250 µs, erratically).
const OUT_ROOT = resolve(opt('out-root', 'bench/.work/export'));
const OBJECTS = 5;
const W = 640;
const H = 480;
const WORK = resolve('bench/.work/export');
const PROJECT = join(WORK, `project-${IMAGES}x${QA_PER_IMAGE}x2`);

/** Column-major COCO RLE counts of an axis-aligned rectangle (no bitmap needed). */
function rectRle(x0: number, y0: number, w: number, h: number): string {
  const counts: number[] = [x0 * H + y0];
  for (let c = 0; c < w; c++) {
    counts.push(h);
    counts.push(c === w - 1 ? H - y0 - h + (W - x0 - w) * H : H - h);
  }
  return JSON.stringify({ size: [H, W], counts });
}

function buildProject(): void {
  rmSync(PROJECT, { recursive: true, force: true });
  const store = ProjectStore.openOrCreate(PROJECT, 'export-bench');
  const started = performance.now();
  // Template QA: a random 5-object graph (node ids 1..5), both naming modes.
  const graph = randomGraph(3, { objects: OBJECTS, alignedProb: 1, badQuality: 0 });
  const nodeIds = graph.nodes.map((n) => n.id);
  const pairs = generateQa(graph, { imageId: 't', seed: '1', maxPerFamily: 1 }).pairs;
  const region = pairs.filter((p) => p.naming === 'region');
  const expression = pairs.filter((p) => p.naming === 'expression');
  // Each fact is stored in both naming modes, as the pipeline stores it; an export writes one.
  const templates = Array.from({ length: QA_PER_IMAGE }, (_, k) => [
    region[k % region.length]!,
    expression[k % expression.length]!,
  ]).flat();
  const masks = Array.from({ length: OBJECTS }, (_, j) =>
    rectRle(40 + j * 110, 60 + j * 30, 60, 90),
  );
  const db = store.db;
  const now = new Date().toISOString();
  const write = reviewedProjectWriters(db, { width: W, height: H });
  write.batch(now);
  const CHUNK = 2000;
  for (let first = 1; first <= IMAGES; first += CHUNK) {
    db.transaction(() => {
      for (let i = first; i < Math.min(first + CHUNK, IMAGES + 1); i++) {
        const name = `img${String(i).padStart(7, '0')}.jpg`;
        const sha = i.toString(16).padStart(64, '0');
        write.image(i, name, sha, now);
        const ids = new Map<number, number>();
        nodeIds.forEach((node, j) => {
          const id = (i - 1) * OBJECTS + j + 1;
          ids.set(node, id);
          const x0 = 40 + j * 110;
          const y0 = 60 + j * 30;
          write.object({
            id,
            imageId: i,
            label: graph.nodes[j]!.label,
            box: [x0, y0, x0 + 60, y0 + 90],
            maskRle: masks[j]!,
            createdAt: now,
          });
        });
        templates.forEach((t, k) => {
          const subjects = t.subjects.map((s) => ids.get(s)!);
          const record = {
            ...t,
            id: `qa_${i}_${k}`,
            image: String(i),
            subjects,
            ...(t.regions ? { regions: t.regions.map((s) => ids.get(s)!) } : {}),
            dependsOn: t.dependsOn.map((s) => ids.get(s) ?? s),
            value: t.valueType === 'object' ? ids.get(t.value as number) : t.value,
          };
          write.qa({
            imageId: i,
            family: t.family,
            question: t.question,
            answer: t.answer,
            valueJson: JSON.stringify(record.value ?? null),
            createdAt: now,
            qaKey: record.id,
            kind: t.kind,
            factHash: t.factHash,
            recordJson: JSON.stringify(record),
            naming: t.naming,
          });
        });
      }
    })();
  }
  store.close();
  console.error(
    `built ${IMAGES} images, ${IMAGES * OBJECTS} objects, ${IMAGES * QA_PER_IMAGE * 2} QA rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Child mode: one export, then a JSON line with its numbers on stdout. */
async function child(format: string): Promise<void> {
  const store = ProjectStore.open(PROJECT);
  const out = join(OUT_ROOT, `out-${format}`);
  rmSync(out, { recursive: true, force: true });
  const rss: number[] = [];
  let nextTenth = 1;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const r = await exportProject(
    store,
    {
      format: format as 'hf',
      outDir: out,
      images: (process.env.BENCH_IMAGES ?? 'link') as 'link',
      naming: 'expression',
    },
    {
      // 'auto' (default): worker-thread shards by size and cores; a number forces that many.
      shards:
        process.env.BENCH_SHARDS && process.env.BENCH_SHARDS !== 'auto'
          ? Number(process.env.BENCH_SHARDS)
          : undefined,
      onProgress(done, total) {
        if (done >= (nextTenth * total) / 10) {
          rss.push(process.memoryUsage().rss);
          nextTenth++;
        }
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  store.close();
  rmSync(out, { recursive: true, force: true });
  // Let the file system finish deleting 100k links now, not during the next run.
  execFileSync('sync');
  process.stdout.write(
    `${JSON.stringify({
      format,
      seconds,
      // CPU time of this process (user + system): the load-independent cost on a shared machine.
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      userSeconds: cpu.user / 1e6,
      systemSeconds: cpu.system / 1e6,
      qaRows: IMAGES * QA_PER_IMAGE * 2,
      qaWritten: r.qa,
      records: r.records,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      load: loadavg().map((x) => Number(x.toFixed(2))),
      rssTenthsMb: rss.map((b) => Math.round(b / 2 ** 20)),
    })}\n`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const childAt = args.indexOf('--child');
  if (childAt >= 0) return child(args[childAt + 1]!);
  mkdirSync(WORK, { recursive: true });
  if (args.includes('--rebuild') || !existsSync(join(PROJECT, 'project.sqlite'))) buildProject();
  console.log(
    `machine: ${cpus().length}x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  console.log(
    `project: ${IMAGES} images, ${IMAGES * QA_PER_IMAGE} facts x 2 naming modes = ${IMAGES * QA_PER_IMAGE * 2} QA rows`,
  );
  // Shard settings alternate run by run, so a change in the machine's load hits them alike.
  for (const format of FORMATS) {
    const runs = new Map<string, Array<Record<string, unknown> & { seconds: number }>>(
      SHARDS.map((k) => [k, []]),
    );
    for (let k = 0; k < RUNS; k++) {
      for (const shards of SHARDS) {
        const line = execFileSync(
          process.execPath,
          [
            'bin/run-ts.mjs',
            'bench/export-bench.ts',
            '--images',
            String(IMAGES),
            '--qa-per-image',
            String(QA_PER_IMAGE),
            '--out-root',
            OUT_ROOT,
            '--child',
            format,
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, BENCH_SHARDS: shards } },
        );
        runs.get(shards)!.push(JSON.parse(line.trim().split('\n').pop()!));
      }
    }
    for (const [shards, list] of runs) {
      const s = median(list.map((r) => r.seconds));
      const r = list.find((x) => x.seconds === s)!;
      console.log(
        `${format} (shards ${shards}): median ${s.toFixed(1)} s over ${RUNS} run(s); wrote ${r.qaWritten} QA ` +
          `(${Math.round((r.qaWritten as number) / s)} QA/s) in ${r.records} records; ` +
          `CPU ${(r.cpuSeconds as number).toFixed(1)} s (user ${(r.userSeconds as number).toFixed(1)}, system ${(r.systemSeconds as number).toFixed(1)}; ${Math.round((r.qaWritten as number) / (r.cpuSeconds as number))} QA written per CPU-second); ` +
          `peak RSS ${(r.peakRssMb as number).toFixed(0)} MB; RSS per tenth ${JSON.stringify(r.rssTenthsMb)} MB; ` +
          `all runs ${JSON.stringify(list.map((x) => Number(x.seconds.toFixed(2))))} s; load ${JSON.stringify(r.load)}`,
      );
    }
  }
}

await main();
