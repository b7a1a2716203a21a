// Reading `sqw eval`'s two inputs: a bench file written by `sqw export --format spatialrgpt-bench`
// (a JSON array, or JSON Lines) and predictions as JSON Lines, one {"id", "answer"} per line
// (SpatialRGPT's {"question_id", "pred"} is read too). Bad input fails with the line it is on.
import { readFile } from 'node:fs/promises';
import { BenchRecord } from '../export/schemas';
import type { BenchItem } from './score';

export class EvalInputError extends Error {}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new EvalInputError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

export async function loadBench(path: string): Promise<BenchItem[]> {
  const text = await readText(path, 'bench file');
  let raw: unknown[];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      raw = JSON.parse(text) as unknown[];
    } catch (err) {
      throw new EvalInputError(`bench file ${path} is not valid JSON: ${(err as Error).message}`);
    }
  } else raw = jsonLines(text, `bench file ${path}`);
  const ids = new Set<string>();
  return raw.map((r, i) => {
    const parsed = BenchRecord.safeParse(r);
    if (!parsed.success) {
      const first = parsed.error.issues[0]!;
      throw new EvalInputError(
        `bench record ${i + 1}: ${first.path.join('.')}: ${first.message} (is this a spatialrgpt-bench export?)`,
      );
    }
    const rec = parsed.data;
    if (ids.has(rec.id)) throw new EvalInputError(`bench record ${i + 1}: duplicate id ${rec.id}`);
    ids.add(rec.id);
    const gt = rec.ground_truth;
    return {
      id: rec.id,
      category: gt.family,
      valueType: gt.value_type,
      value: gt.value,
      regions: gt.regions,
      labels: gt.region_labels,
    };
  });
}

export async function loadPredictions(path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  jsonLines(await readText(path, 'predictions'), `predictions ${path}`).forEach((r, i) => {
    const rec = r as Record<string, unknown>;
    const id = rec.id ?? rec.question_id;
    const answer = rec.answer ?? rec.pred;
    if ((typeof id !== 'string' && typeof id !== 'number') || typeof answer !== 'string')
      throw new EvalInputError(`predictions line ${i + 1}: needs {"id": string, "answer": string}`);
    if (out.has(String(id)))
      throw new EvalInputError(`predictions line ${i + 1}: duplicate id ${id}`);
    out.set(String(id), answer);
  });
  return out;
}

function jsonLines(text: string, what: string): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line));
    } catch {
      throw new EvalInputError(`${what}: line ${i + 1} is not JSON`);
    }
  });
  return out;
}
