// Labels and attributes are untrusted text. They are never interpreted: no markup, no template
// syntax, no region-token look-alikes, bounded length. A rejected label only removes the node from
// referring-expression QA (region tokens do not use labels).

export type LabelCheck = { ok: true; text: string } | { ok: false; reason: string };

// Markup, HTML entities, template braces, region-token brackets and control characters.
const MARKUP = /[<>{}[\]`]|&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function checkLabel(raw: unknown, maxLength: number): LabelCheck {
  if (typeof raw !== 'string') return { ok: false, reason: 'label-missing' };
  if (raw.length > maxLength) return { ok: false, reason: 'label-too-long' };
  if (CONTROL.test(raw)) return { ok: false, reason: 'label-control-chars' };
  if (MARKUP.test(raw)) return { ok: false, reason: 'label-markup' };
  const text = raw.replace(/\s+/g, ' ').trim();
  if (text.length === 0) return { ok: false, reason: 'label-empty' };
  if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, reason: 'label-no-letters' };
  return { ok: true, text };
}

/** Lower-case, single-spaced. */
export function normalizeLabel(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The head noun used to find near-identical labels: the last word, lower-cased, with a plural "s"
 * dropped ("office chair" and "chairs" both give "chair"). Over-grouping is safe: it only makes
 * disambiguation more careful.
 */
export function headNoun(text: string): string {
  const words = normalizeLabel(text).split(' ');
  let w = words[words.length - 1] ?? '';
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  return w;
}
