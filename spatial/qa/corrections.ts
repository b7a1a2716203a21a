// A reviewer's corrected answer read back as a machine value, so that every phrasing of the fact
// can say it (phrasings.ts applyCorrection): a length in metres, a count, a clock hour, yes/no.
// Anything else (an answer naming another object, a list) reads as null and the edited answer is
// exported as the reviewer wrote it.

import { clockHour, NUMBER_WORDS, parseLength } from './units';

/** The first count an answer states, in digits or as a word up to twelve; null when none. */
export function readCount(text: string): number | null {
  const digits = /\b(\d+)\b/.exec(text);
  if (digits) return Number(digits[1]);
  const lower = text.toLowerCase();
  const word = NUMBER_WORDS.findIndex((w) => new RegExp(`\\b${w}\\b`).test(lower));
  return word >= 0 ? word : null;
}

/** The clock hour an answer states ("4 o'clock"), 1-12; null when none. */
export function readClockHour(text: string): number | null {
  const m = /\b(\d{1,2})\s*o'?\s*clock/i.exec(text);
  return m ? clockHour(Number(m[1])) : null;
}

/** The value a corrected answer states, in the kind the QA's record measures; null when unread. */
export function readCorrection(
  edited: string,
  record: { unit?: unknown; valueType?: unknown },
): number | boolean | null {
  if (record.unit === 'm') return parseLength(edited);
  if (record.unit === 'count') return readCount(edited);
  if (record.unit === 'oclock') return readClockHour(edited);
  if (record.valueType === 'boolean') {
    const m = /^\s*(yes|no)\b/i.exec(edited);
    return m ? m[1]!.toLowerCase() === 'yes' : null;
  }
  return null;
}
