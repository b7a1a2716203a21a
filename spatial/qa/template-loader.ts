// Template data: loading, validation and filling. The format is documented in TEMPLATES.md.
// Validation runs at load time: unknown families or groups, unknown placeholders, missing required
// placeholders, missing vocabulary and too few phrasings (questions >= 10, answers >= 5 per group)
// are errors, listed all at once.

import qualitative from './templates/qualitative.json';
import quantitative from './templates/quantitative.json';
import relational from './templates/relational.json';
import multiHop from './templates/multi-hop.json';

export const MIN_QUESTIONS = 10;
export const MIN_ANSWERS = 5;

interface GroupSchema {
  required: string[];
  allowed: string[];
}

export interface FamilySchema {
  questions: Record<string, GroupSchema>;
  answers: Record<string, GroupSchema>;
  /** Vocabulary entries (e.g. polarities "left"/"right") and the keys each must define. */
  vocab?: { entries: string[]; keys: string[] };
}

const g = (required: string[], extra: string[] = []): GroupSchema => ({
  required,
  allowed: [...required, ...extra],
});

function qualitativeSchema(polarities: [string, string], tie: boolean): FamilySchema {
  const answers: Record<string, GroupSchema> = {
    yes: g([], ['A', 'B', 'rel']),
    no: g([], ['A', 'B', 'inv']),
    choice: g(['X'], ['Y', 'more']),
  };
  if (tie) answers.same = g([], ['A', 'B', 'dim']);
  return {
    questions: { predicate: g(['A', 'B', 'rel']), choice: g(['A', 'B', 'more']) },
    answers,
    vocab: { entries: [...polarities, ...(tie ? ['tie'] : [])], keys: ['rel', 'inv', 'more'] },
  };
}

const pairMetric = (extra: Record<string, GroupSchema> = {}): FamilySchema => ({
  questions: { default: g(['A', 'B']) },
  answers: { default: g(['value'], ['A', 'B']), ...extra },
});
const nodeMetric = (extra: Record<string, GroupSchema> = {}): FamilySchema => ({
  questions: { default: g(['A']) },
  answers: { default: g(['value'], ['A']), ...extra },
});

export const SCHEMAS: Record<string, FamilySchema> = {
  left_right: qualitativeSchema(['left', 'right'], false),
  above_below: qualitativeSchema(['above', 'below'], false),
  behind_front: qualitativeSchema(['behind', 'front'], false),
  big_small: qualitativeSchema(['big', 'small'], true),
  tall_short: qualitativeSchema(['tall', 'short'], true),
  wide_thin: qualitativeSchema(['wide', 'thin'], true),
  direct_distance: pairMetric(),
  horizontal_distance: pairMetric(),
  vertical_distance: pairMetric(),
  gap: pairMetric({ touching: g([], ['A', 'B']) }),
  direction: {
    questions: { default: g(['A', 'B']) },
    answers: { default: g(['hour'], ['A', 'B']) },
  },
  width: nodeMetric(),
  height: nodeMetric(),
  depth_extent: nodeMetric(),
  distance_from_camera: nodeMetric(),
  elevation: nodeMetric({ floor: g([], ['A']) }),
  closer_to: {
    questions: { choice: g(['A', 'B', 'C', 'more']) },
    answers: { choice: g(['X'], ['Y', 'C', 'more']), same: g([], ['A', 'B', 'C']) },
    vocab: { entries: ['closer', 'farther'], keys: ['more'] },
  },
  count_relation: {
    questions: { default: g(['A', 'rel']) },
    answers: { default: g(['count'], ['A', 'rel', 'objects', 'be']) },
    vocab: { entries: ['left', 'right', 'front', 'behind', 'above', 'below'], keys: ['rel'] },
  },
  support: {
    questions: { list: g(['A']), predicate: g(['A', 'B']) },
    answers: {
      list: g(['list'], ['A', 'be']),
      yes: g([], ['A', 'B']),
      no: g([], ['A', 'B']),
    },
  },
  isosceles: {
    questions: { default: g(['A', 'B', 'C'], ['tol']) },
    answers: {
      yes: g([], ['A', 'B', 'C', 'sides', 'tol']),
      no: g([], ['A', 'B', 'C', 'sides', 'tol']),
    },
  },
  closer_than: {
    questions: { default: g(['A', 'B', 'C']) },
    answers: {
      yes: g([], ['A', 'B', 'C', 'dAB', 'dCB']),
      no: g([], ['A', 'B', 'C', 'dAB', 'dCB']),
    },
  },
  middle: {
    questions: { default: g(['A', 'B', 'C']) },
    answers: { choice: g(['X'], ['first', 'last']) },
  },
  path_length: {
    questions: { default: g(['A', 'B', 'C']) },
    answers: { default: g(['value'], ['A', 'B', 'C', 'leg1', 'leg2']) },
  },
};

export interface FamilyTemplates {
  questions: Record<string, string[]>;
  answers: Record<string, string[]>;
  vocab: Record<string, Record<string, string>>;
}

export type TemplateSet = Record<string, FamilyTemplates>;

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid QA templates:\n  ${problems.join('\n  ')}`);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Merges template files (built-ins first) and validates the result. Throws TemplateError. */
export function loadTemplates(files: unknown[]): TemplateSet {
  const problems: string[] = [];
  const set: TemplateSet = {};
  files.forEach((file, fi) => {
    const where = `file ${fi}`;
    if (!isRecord(file) || file.version !== 1 || !isRecord(file.families)) {
      problems.push(`${where}: expected { "version": 1, "families": { ... } }`);
      return;
    }
    for (const [family, body] of Object.entries(file.families)) {
      const schema = SCHEMAS[family];
      if (!schema) {
        problems.push(`${where}: unknown family "${family}"`);
        continue;
      }
      if (!isRecord(body)) {
        problems.push(`${where}: ${family}: expected an object`);
        continue;
      }
      const t = (set[family] ??= { questions: {}, answers: {}, vocab: {} });
      for (const part of ['questions', 'answers'] as const) {
        const groups = body[part];
        if (groups === undefined) continue;
        if (!isRecord(groups)) {
          problems.push(`${where}: ${family}.${part}: expected an object of string arrays`);
          continue;
        }
        for (const [group, list] of Object.entries(groups)) {
          const gs = schema[part][group];
          if (!gs) {
            problems.push(`${where}: ${family}.${part}: unknown group "${group}"`);
            continue;
          }
          if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
            problems.push(`${where}: ${family}.${part}.${group}: expected an array of strings`);
            continue;
          }
          const target = (t[part][group] ??= []);
          for (const s of list as string[]) {
            const text = s.trim();
            const ph = placeholders(text);
            const unknown = ph.filter((p) => !gs.allowed.includes(p));
            const missing = gs.required.filter((p) => !ph.includes(p));
            if (unknown.length > 0)
              problems.push(
                `${where}: ${family}.${part}.${group}: unknown placeholder {${unknown.join('}, {')}} in "${text}"`,
              );
            if (missing.length > 0)
              problems.push(
                `${where}: ${family}.${part}.${group}: missing {${missing.join('}, {')}} in "${text}"`,
              );
            if (/[<>]/.test(text))
              problems.push(`${where}: ${family}.${part}.${group}: markup in "${text}"`);
            if (text.length === 0)
              problems.push(`${where}: ${family}.${part}.${group}: empty template`);
            if (!target.includes(text)) target.push(text);
          }
        }
      }
      if (body.vocab !== undefined) {
        if (!isRecord(body.vocab)) problems.push(`${where}: ${family}.vocab: expected an object`);
        else
          for (const [entry, words] of Object.entries(body.vocab)) {
            if (!schema.vocab || !schema.vocab.entries.includes(entry)) {
              problems.push(`${where}: ${family}.vocab: unknown entry "${entry}"`);
              continue;
            }
            if (!isRecord(words) || !Object.values(words).every((w) => typeof w === 'string')) {
              problems.push(`${where}: ${family}.vocab.${entry}: expected an object of strings`);
              continue;
            }
            t.vocab[entry] = { ...t.vocab[entry], ...(words as Record<string, string>) };
          }
      }
    }
  });
  // completeness
  for (const [family, schema] of Object.entries(SCHEMAS)) {
    const t = set[family];
    if (!t) {
      problems.push(`family "${family}" has no templates`);
      continue;
    }
    for (const group of Object.keys(schema.questions)) {
      const n = t.questions[group]?.length ?? 0;
      if (n < MIN_QUESTIONS)
        problems.push(`${family}.questions.${group}: ${n} phrasings, need >= ${MIN_QUESTIONS}`);
    }
    for (const group of Object.keys(schema.answers)) {
      const n = t.answers[group]?.length ?? 0;
      if (n < MIN_ANSWERS)
        problems.push(`${family}.answers.${group}: ${n} phrasings, need >= ${MIN_ANSWERS}`);
    }
    if (schema.vocab) {
      for (const entry of schema.vocab.entries) {
        const words = t.vocab[entry];
        const keys = entry === 'tie' ? ['dim'] : schema.vocab.keys;
        for (const k of keys)
          if (!words || typeof words[k] !== 'string' || words[k].length === 0)
            problems.push(`${family}.vocab.${entry}.${k}: missing`);
      }
    }
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return set;
}

export const BUILTIN_TEMPLATE_FILES: unknown[] = [qualitative, quantitative, relational, multiHop];

let builtin: TemplateSet | null = null;

/** The built-in templates, validated once. */
export function builtinTemplates(): TemplateSet {
  builtin ??= loadTemplates(BUILTIN_TEMPLATE_FILES);
  return builtin;
}

/**
 * Fills {placeholders} in one pass (substituted text is never re-scanned, so a label can't inject
 * a placeholder). A value that starts a sentence in the template gets a capital first letter.
 */
export function fill(template: string, vars: Record<string, string>): string {
  // One scanner: the compiled path generateQa() uses is the definition.
  return fillCompiled(compileTemplate(template), { get: (key) => vars[key] ?? '' });
}

/**
 * A template split once into literal text and placeholders, with the capitalisation decision of
 * fill() worked out ahead where the literal before a placeholder settles it. fillCompiled() gives
 * exactly what fill() gives for the same template and values.
 */
export interface CompiledTemplate {
  /** Literal text: literals[i] comes before keys[i]; the last one ends the text. */
  literals: string[];
  keys: string[];
  /** Per placeholder: 1 = starts a sentence, 0 = does not, 2 = depends on the text before it. */
  caps: number[];
}

const compiled = new Map<string, CompiledTemplate>();

export function compileTemplate(template: string): CompiledTemplate {
  let c = compiled.get(template);
  if (c) return c;
  const literals: string[] = [];
  const keys: string[] = [];
  const caps: number[] = [];
  let lit = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = open < 0 ? -1 : template.indexOf('}', open);
    if (open < 0 || close < 0) break;
    const key = template.slice(open + 1, close);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      lit += template.slice(i, open + 1);
      i = open + 1;
      continue;
    }
    lit += template.slice(i, open);
    // the output so far is the literal alone (first placeholder), or ends with it: when the
    // literal has a non-space character, the characters startsSentence() looks at are all in it
    const settled = keys.length === 0 || /[^ ]/.test(lit);
    caps.push(settled ? (startsSentence(lit) ? 1 : 0) : 2);
    literals.push(lit);
    keys.push(key);
    lit = '';
    i = close + 1;
  }
  literals.push(lit + template.slice(i));
  // fill() capitalises the first character of the text: when the text starts with literal text,
  // that is settled here
  literals[0] = upperFirst(literals[0] as string);
  c = { literals, keys, caps };
  compiled.set(template, c);
  return c;
}

/** Placeholder values for fillCompiled(): "" for an unknown key. */
export interface TemplateValues {
  get(key: string): string;
}

/** fill() for a compiled template, with placeholder values from `values.get(key)`. */
export function fillCompiled(t: CompiledTemplate, values: TemplateValues): string {
  const { literals, keys, caps } = t;
  let out = literals[0] as string;
  // while nothing has been written, the next non-empty piece starts the text (capitalised)
  let empty = out.length === 0;
  for (let k = 0; k < keys.length; k++) {
    let v = values.get(keys[k] as string);
    if (v.length > 0) {
      const cap = caps[k];
      if (empty || cap === 1 || (cap === 2 && startsSentence(out))) v = upperFirst(v);
      empty = false;
    }
    out += v;
    const lit = literals[k + 1] as string;
    if (empty && lit.length > 0) {
      out += upperFirst(lit);
      empty = false;
    } else out += lit;
  }
  return out;
}

/** The text with its first character upper-cased when it is a-z. */
function upperFirst(v: string): string {
  const c = v.charCodeAt(0);
  return c >= 97 && c <= 122 ? v[0]!.toUpperCase() + v.slice(1) : v;
}

/** True at the start of the text or after ". ", "! ", "? ". */
function startsSentence(out: string): boolean {
  // char codes, not out[k]: indexing a string makes a one-character string per look
  let k = out.length - 1;
  if (k < 0) return true;
  if (out.charCodeAt(k) !== 0x20) return false;
  while (k >= 0 && out.charCodeAt(k) === 0x20) k--;
  const ch = out.charCodeAt(k); // NaN before the start
  return ch === 0x2e || ch === 0x21 || ch === 0x3f;
}
