import { describe, expect, it } from 'vitest';
import { generateQa } from './generate';
import {
  BUILTIN_TEMPLATE_FILES,
  builtinTemplates,
  fill,
  loadTemplates,
  MIN_ANSWERS,
  MIN_QUESTIONS,
  placeholders,
  SCHEMAS,
  TemplateError,
} from './template-loader';
import { randomGraph } from './testing/random-graph';

describe('template files', () => {
  it('built-ins validate: every family, every group, enough phrasings, known placeholders', () => {
    const t = builtinTemplates();
    for (const [family, schema] of Object.entries(SCHEMAS)) {
      const f = t[family]!;
      for (const [g, gs] of Object.entries(schema.questions)) {
        expect(f.questions[g]!.length, `${family}.${g}`).toBeGreaterThanOrEqual(MIN_QUESTIONS);
        for (const q of f.questions[g]!)
          for (const ph of placeholders(q)) expect(gs.allowed).toContain(ph);
      }
      for (const [g, gs] of Object.entries(schema.answers)) {
        expect(f.answers[g]!.length, `${family}.${g}`).toBeGreaterThanOrEqual(MIN_ANSWERS);
        for (const a of f.answers[g]!)
          for (const ph of placeholders(a)) expect(gs.allowed).toContain(ph);
      }
    }
    expect(Object.keys(t).sort()).toEqual(Object.keys(SCHEMAS).sort());
  });

  it('rejects unknown placeholders, missing required ones, unknown families and too few phrasings', () => {
    const bad = {
      version: 1,
      families: {
        left_right: { questions: { predicate: ['Is {A} {rel} {Z}?'] } },
        width: { answers: { default: ['It is wide.'] } },
        nonsense: { questions: {} },
      },
    };
    try {
      loadTemplates([...BUILTIN_TEMPLATE_FILES, bad]);
      throw new Error('expected a TemplateError');
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      const problems = (e as TemplateError).problems.join('\n');
      expect(problems).toContain('unknown placeholder {Z}');
      expect(problems).toContain('missing {B}');
      expect(problems).toContain('missing {value}');
      expect(problems).toContain('unknown family "nonsense"');
    }
    expect(() =>
      loadTemplates([
        { version: 1, families: { width: { questions: { default: ['How wide is {A}?'] } } } },
      ]),
    ).toThrow(/width\.questions\.default: 1 phrasings, need >= 10/);
  });

  it('user templates extend the built-ins and are used', () => {
    const extra = {
      version: 1,
      families: {
        width: {
          questions: {
            default: Array.from({ length: 200 }, (_, i) => `Custom ${i}: how wide is {A}?`),
          },
        },
      },
    };
    const g = randomGraph(3, { objects: 6 });
    const r = generateQa(g, {
      extraTemplates: [extra],
      families: ['width'],
      maxPerFamily: Infinity,
    });
    expect(r.pairs.length).toBeGreaterThan(0);
    expect(r.pairs.some((p) => p.question.startsWith('Custom '))).toBe(true);
  });

  it('fills in one pass: a value containing {B} is not expanded; sentence starts are capitalised', () => {
    expect(fill('{A} is {rel} {B}.', { A: 'the {B}', B: 'x', rel: 'left of' })).toBe(
      'The {B} is left of x.',
    );
    expect(fill('No. {A} is here.', { A: 'the cup' })).toBe('No. The cup is here.');
    expect(fill('Is {A} here?', { A: '<region0>' })).toBe('Is <region0> here?');
  });
});
