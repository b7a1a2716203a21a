// A deterministic reader of free-form model answers, in place of SpatialRGPT-Bench's GPT-4 judge:
// lengths with metric or imperial units (converted to metres), clock directions, yes/no, ties,
// counts, and which region(s) a choice answer names. Each returns null when the answer does not
// say it clearly; the scorer lists those ids as unparsed. No I/O.
import { normalizeNumbers } from './numbers';

const NUM = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
/** Unit spellings -> metres per unit. Short forms must stand alone (see the lookaheads). */
const UNITS: Array<[RegExp, number]> = [
  [/^(?:millimet(?:er|re)s?|mm)$/, 0.001],
  [/^(?:centimet(?:er|re)s?|cm|cms)$/, 0.01],
  [/^(?:kilomet(?:er|re)s?|km|kms)$/, 1000],
  [/^(?:met(?:er|re)s?|m)$/, 1],
  [/^(?:inch(?:es)?|in|"|'')$/, 0.0254],
  [/^(?:feet|foot|ft|')$/, 0.3048],
  [/^(?:yards?|yds?)$/, 0.9144],
  [/^(?:miles?|mi)$/, 1609.344],
];
const UNIT = String.raw`(millimet(?:er|re)s?|centimet(?:er|re)s?|kilomet(?:er|re)s?|met(?:er|re)s?|inch(?:es)?|feet|foot|yards?|miles?|mm|cms?|kms?|m|ft|yds?|mi|in(?=\s*(?:[.,;:!?)]|$))|''|"|')(?![a-z])`;
const LENGTH = new RegExp(
  String.raw`${NUM}(?:\s*(?:-|–|to|and|or)\s*${NUM})?\s*${UNIT}(?:\s*(?:and\s*)?${NUM}\s*(inch(?:es)?|in\b|"|''))?`,
  'g',
);

function unitScale(unit: string): number | null {
  for (const [re, scale] of UNITS) if (re.test(unit)) return scale;
  return null;
}

/**
 * Words that point at the final figure of an answer that states several: "... about 1 meter
 * altogether" / "about 5 meters in total (...)" (the figure before), "so the total is ...",
 * "adding ... gives ..." (the figure after).
 */
const TOTAL =
  /\b(in total|altogether|in all|combined)\b|\b(total|totals|gives|giving|sum|comes to|adds up to)\b/g;
/** An answer that says "no distance": touching, on the floor. */
const ZERO =
  /\b(?:touch(?:es|ing)?|in contact|no (?:space|gap|distance)|directly on|on the (?:floor|ground)|at floor level|not raised)\b/;

/**
 * The length the answer states, in metres: the first one; when the answer adds up several, the one
 * a TOTAL word points at; a range "1 to 2 meters" gives its middle; "touching" or "on the floor"
 * without a number gives 0.
 */
export function parseLength(text: string): number | null {
  const s = normalizeNumbers(text);
  const found = lengths(s);
  const totals = [...s.matchAll(TOTAL)];
  if (found.length > 1 && totals.length > 0) {
    const last = totals[totals.length - 1]!;
    const at = last.index!;
    const after = found.find((f) => f.at >= at);
    const before = found.filter((f) => f.at < at).pop();
    return (last[1] !== undefined ? (before ?? after) : (after ?? before))!.metres;
  }
  if (found.length > 0) return found[0]!.metres;
  return ZERO.test(s) ? 0 : null;
}

function lengths(s: string): Array<{ at: number; metres: number }> {
  const out: Array<{ at: number; metres: number }> = [];
  for (const m of s.matchAll(LENGTH)) {
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const scale = unitScale(m[3]!);
    if (scale === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    let metres = ((a + b) / 2) * scale;
    // Feet followed by inches: 5 feet 3 inches, 5'3".
    if (m[4] !== undefined && scale === 0.3048) metres += Number(m[4]) * 0.0254;
    out.push({ at: m.index!, metres });
  }
  return out;
}

/** The clock hour (1..12) of "3 o'clock", "three o'clock", "at 3:00", "the 11 o'clock direction". */
export function parseClock(text: string): number | null {
  const s = normalizeNumbers(text);
  const m = /(\d{1,2})(?::00)?\s*(?:o\s*'?\s*clock|oclock)\b/.exec(s) ?? /\b(\d{1,2}):00\b/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  if (!Number.isInteger(h) || h < 0 || h > 12) return null;
  return h === 0 ? 12 : h;
}

const YES =
  /\b(yes|yeah|yep|correct|true|indeed|affirmative|certainly|definitely|exactly|(?:that's|that is|you're|you are) right)\b/;
const NO =
  /\b(no|nope|not|incorrect|false|isn't|aren't|doesn't|don't|wasn't|cannot|can't|neither)\b|^\s*in fact\b/;

/** Hedges are no answer, though they contain "not" / "don't". */
const HEDGE =
  /\b(not sure|unsure|don't know|do not know|can't tell|cannot tell|can't say|hard to say|unclear|no idea|not certain)\b/;

/** Yes (true) or no (false): whichever polarity word comes first ("In fact, ..." opens a no). */
export function parseYesNo(text: string): boolean | null {
  const s = text.toLowerCase().replace(/\u2019/g, "'");
  if (HEDGE.test(s) && !/^\W*(yes|no)\b/.test(s)) return null;
  const y = YES.exec(s);
  const n = NO.exec(s);
  if (!y && !n) return null;
  if (y && (!n || y.index < n.index)) return true;
  return false;
}

/** True when the answer says the two are about the same (a tie). */
export function parseSame(text: string): boolean | null {
  const s = text.toLowerCase();
  if (/\b(same|similar|equal|equally|identical|roughly as|about as|just as)\b/.test(s)) return true;
  return null;
}

/** A count: the first whole number, or 0 for "none", "no ...", "zero", "nothing". */
export function parseCount(text: string): number | null {
  const s = normalizeNumbers(text);
  const m = /(?<![\d.])(\d+)(?![\d.])/.exec(s);
  if (m) return Number(m[1]);
  if (/\b(none|nothing|no)\b/.test(s)) return 0;
  return null;
}

export interface ChoiceOptions {
  /** Label of each turn-local region (index = region), for answers that name objects by label. */
  labels?: ReadonlyArray<string | undefined>;
}

/** Region indices an answer names, in order of first mention ("Region [1]", "<region1>", labels). */
export function regionMentions(text: string, opts: ChoiceOptions = {}): number[] {
  const s = text.toLowerCase();
  const hits: Array<{ at: number; region: number }> = [];
  for (const m of s.matchAll(/(?:<region(\d+)>|\bregion\s*\[?\s*(\d+)\s*\]?)/g))
    hits.push({ at: m.index!, region: Number(m[1] ?? m[2]) });
  const labels = opts.labels ?? [];
  const distinct = new Set(labels.filter(Boolean));
  // A label names a region only when no other region shares it.
  if (distinct.size === labels.filter(Boolean).length)
    labels.forEach((label, region) => {
      if (!label) return;
      const re = new RegExp(`\\b${label.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
      const m = re.exec(s);
      if (m) hits.push({ at: m.index, region });
    });
  if (hits.length === 0) {
    const first = /\b(first|former)\b/.exec(s);
    const second = /\b(second|latter)\b/.exec(s);
    if (first && (!second || first.index < second.index)) return [0];
    if (second) return [1];
  }
  hits.sort((a, b) => a.at - b.at);
  const out: number[] = [];
  for (const h of hits) if (!out.includes(h.region)) out.push(h.region);
  return out;
}

/**
 * The one region a choice answer picks: the first one it names, or the first named after a
 * conclusion ("From left to right: A, C, B. So C is in the middle.").
 */
export function parseChoice(text: string, opts: ChoiceOptions = {}): number | null {
  const conclusions = [...text.toLowerCase().matchAll(/\b(?:so|therefore|thus|hence)\b/g)];
  if (conclusions.length) {
    const tail = text.slice(conclusions[conclusions.length - 1]!.index!);
    const named = regionMentions(tail, opts);
    if (named.length) return named[0]!;
  }
  const mentions = regionMentions(text, opts);
  return mentions.length ? mentions[0]! : null;
}
