// Scores free-form answers against a SpatialRGPT-Bench style file the way the SpatialRGPT paper
// does, with the deterministic parser instead of a GPT-4 judge. Ground truth is the machine value
// each bench record carries, never our own answer text. Per category (the QA family):
//   qualitative (yes/no, choice, tie, count): accuracy;
//   quantitative lengths: success rate (0.75·gt <= pred <= 1.25·gt) and mean absolute relative
//     error |pred - gt| / gt over the answers that parsed;
//   direction (clock hours): success within one hour (circular) and mean error in degrees (30°/h).
// Unparsed and missing answers count as failures and are listed; they are left out of the error
// means (as in the paper). No I/O.
import {
  parseChoice,
  parseClock,
  parseCount,
  parseLength,
  parseSame,
  parseYesNo,
  regionMentions,
} from './answer-parser';

export type ValueType = 'meters' | 'boolean' | 'oclock' | 'object' | 'objects' | 'count' | 'same';

export interface BenchItem {
  id: string;
  /** Category the item is reported under (the QA family). */
  category: string;
  valueType: ValueType;
  value: unknown;
  /** Object answers: the turn-local region index of each answer object. */
  regions?: Array<number | null>;
  /** Label of each turn-local region, for answers naming objects by label. */
  labels?: Array<string | undefined>;
}

export type MetricClass = 'qualitative' | 'quantitative' | 'direction';

export interface ItemEvidence {
  id: string;
  category: string;
  answer: string | null;
  expected: unknown;
  parsed: unknown;
  correct: boolean;
  /** Absolute relative error (lengths) or degrees (direction) when parsed. */
  error: number | null;
  status: 'scored' | 'unparsed' | 'missing';
}

export type CategoryScore =
  | { n: number; accuracy: number }
  | { n: number; success_rate: number; abs_rel_error: number | null }
  | { n: number; success_rate: number; error_deg: number | null };

export interface EvalReport {
  categories: Record<string, CategoryScore>;
  overall: {
    n: number;
    qualitative: { n: number; accuracy: number | null };
    quantitative: { n: number; success_rate: number | null; abs_rel_error: number | null };
    direction: { n: number; success_rate: number | null; error_deg: number | null };
  };
  unparsed: string[];
  items: ItemEvidence[];
}

export function metricClass(t: ValueType): MetricClass {
  return t === 'meters' ? 'quantitative' : t === 'oclock' ? 'direction' : 'qualitative';
}

/** One item: what the answer says, and whether it is right. */
export function judge(item: BenchItem, answer: string | undefined): ItemEvidence {
  // Object answers are judged (and shown) as the turn-local region a right answer names.
  const expected =
    item.valueType === 'object'
      ? (item.regions?.[0] ?? null)
      : item.valueType === 'objects'
        ? (item.regions ?? [])
        : item.value;
  const base = { id: item.id, category: item.category, answer: answer ?? null, expected };
  if (answer === undefined)
    return { ...base, parsed: null, correct: false, error: null, status: 'missing' };
  const opts = { labels: item.labels };
  let parsed: unknown = null;
  let correct = false;
  let error: number | null = null;
  switch (item.valueType) {
    case 'meters': {
      const v = parseLength(answer);
      const gt = item.value as number;
      if (v !== null) {
        parsed = v;
        correct = v >= 0.75 * gt && v <= 1.25 * gt;
        error = gt > 0 ? Math.abs(v - gt) / gt : null;
      }
      break;
    }
    case 'oclock': {
      const h = parseClock(answer);
      if (h !== null) {
        parsed = h;
        const d = Math.abs(h - (item.value as number)) % 12;
        const hours = Math.min(d, 12 - d);
        correct = hours <= 1;
        error = hours * 30;
      }
      break;
    }
    case 'boolean': {
      const b = parseYesNo(answer);
      if (b !== null) {
        parsed = b;
        correct = b === item.value;
      }
      break;
    }
    case 'same': {
      const t = parseSame(answer);
      if (t !== null) {
        parsed = 'same';
        correct = true;
      } else if (parseChoice(answer, opts) !== null) {
        parsed = 'not same';
      }
      break;
    }
    case 'count': {
      const c = parseCount(answer);
      if (c !== null) {
        parsed = c;
        correct = c === item.value;
      }
      break;
    }
    case 'object': {
      const r = parseChoice(answer, opts);
      if (r !== null) {
        parsed = r;
        correct = r === item.regions?.[0];
      }
      break;
    }
    case 'objects': {
      const rs = regionMentions(answer, opts);
      if (rs.length || parseCount(answer) === 0) {
        parsed = rs;
        const want = new Set(item.regions ?? []);
        correct = rs.length === want.size && rs.every((r) => want.has(r));
      }
      break;
    }
  }
  return { ...base, parsed, correct, error, status: parsed === null ? 'unparsed' : 'scored' };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function scoreBench(items: BenchItem[], answers: ReadonlyMap<string, string>): EvalReport {
  const evidence = items.map((item) => judge(item, answers.get(item.id)));
  const groups = new Map<string, { cls: MetricClass; results: ItemEvidence[] }>();
  items.forEach((item, i) => {
    const cls = metricClass(item.valueType);
    // A family is one metric class; should one ever mix, its classes are reported apart.
    let key = item.category;
    const existing = groups.get(key);
    if (existing && existing.cls !== cls) key = `${item.category} (${cls})`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { cls, results: [] }));
    g.results.push(evidence[i]!);
  });
  const categories: Record<string, CategoryScore> = {};
  const byClass: Record<MetricClass, ItemEvidence[]> = {
    qualitative: [],
    quantitative: [],
    direction: [],
  };
  for (const [name, g] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    categories[name] = scoreGroup(g.cls, g.results);
    byClass[g.cls].push(...g.results);
  }
  const q = byClass.qualitative;
  const m = byClass.quantitative;
  const d = byClass.direction;
  const rate = (r: ItemEvidence[]) =>
    r.length ? r.filter((x) => x.correct).length / r.length : null;
  const errors = (r: ItemEvidence[]) => mean(r.flatMap((x) => (x.error === null ? [] : [x.error])));
  return {
    categories,
    overall: {
      n: items.length,
      qualitative: { n: q.length, accuracy: rate(q) },
      quantitative: { n: m.length, success_rate: rate(m), abs_rel_error: errors(m) },
      direction: { n: d.length, success_rate: rate(d), error_deg: errors(d) },
    },
    unparsed: evidence.filter((e) => e.status !== 'scored').map((e) => e.id),
    items: evidence,
  };
}

function scoreGroup(cls: MetricClass, r: ItemEvidence[]): CategoryScore {
  const n = r.length;
  const ok = r.filter((x) => x.correct).length / n;
  const err = mean(r.flatMap((x) => (x.error === null ? [] : [x.error])));
  if (cls === 'qualitative') return { n, accuracy: ok };
  if (cls === 'quantitative') return { n, success_rate: ok, abs_rel_error: err };
  return { n, success_rate: ok, error_deg: err };
}
