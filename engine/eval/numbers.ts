// Number words to digits, so the answer parser reads "about two and a half meters", "twenty-five
// centimeters", "one point five feet", "half a meter" and "a foot" the same way as "2.5 m".
// Deterministic text rewriting; no I/O.

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const UNIT_WORD =
  '(?:millimet(?:er|re)s?|centimet(?:er|re)s?|kilomet(?:er|re)s?|met(?:er|re)s?|inch(?:es)?|foot|feet|yards?|miles?)';

const isNumberWord = (w: string) => w in SMALL || w in TENS || w === 'hundred' || w === 'thousand';

/** Lower-cased text with number words replaced by digits and fractions folded in. */
export function normalizeNumbers(input: string): string {
  let s = input
    .toLowerCase()
    .replace(/[\u2018\u2019\u2032]/g, "'")
    .replace(/[\u201c\u201d\u2033]/g, '"')
    .replace(/\u00bd/g, '.5')
    .replace(/(\d),(\d{3})(?!\d)/g, '$1$2') // thousands separator
    .replace(/(\d),(\d{1,2})(?!\d)/g, '$1.$2') // decimal comma
    .replace(/([a-z])-([a-z])/g, '$1 $2');
  s = s.replace(new RegExp(`\\bhalf (?:a|an) (?=${UNIT_WORD})`, 'g'), '0.5 ');
  s = s.replace(/\b(?:a|an) (?=(?:quarter|half)\b)/g, '1 ');
  s = s.replace(new RegExp(`\\b(?:a|an|one single) (?=${UNIT_WORD}\\b)`, 'g'), '1 ');
  s = wordsToDigits(s);
  // "2 and a half", "1 and 1 half" (from "one and a half"), "2 and a quarter"
  s = s.replace(/(\d+(?:\.\d+)?) and (?:a|1) (half|quarter)\b/g, (_, n: string, f: string) =>
    String(Number(n) + (f === 'half' ? 0.5 : 0.25)),
  );
  s = s.replace(/\b1 (half|quarter)\b/g, (_, f: string) => (f === 'half' ? '0.5' : '0.25'));
  return s;
}

function wordsToDigits(s: string): string {
  const parts = s.split(/([^a-z]+)/);
  const out: string[] = [];
  let i = 0;
  while (i < parts.length) {
    const w = parts[i]!;
    if (!isNumberWord(w)) {
      out.push(w);
      i++;
      continue;
    }
    // Consume a run of number words (with "and" after hundred) and an optional "point d d".
    let total = 0;
    let current = 0;
    let j = i;
    let last = i;
    while (j < parts.length) {
      const word = parts[j]!;
      if (/^\s+$/.test(word)) {
        j++;
        continue;
      }
      if (word in SMALL) current += SMALL[word]!;
      else if (word in TENS) current += TENS[word]!;
      else if (word === 'hundred') current = (current || 1) * 100;
      else if (word === 'thousand') {
        total += (current || 1) * 1000;
        current = 0;
      } else if (word === 'and' && isNumberWord(nextWord(parts, j) ?? '') && current >= 100) {
        j++;
        continue;
      } else break;
      last = j;
      j++;
    }
    let text = String(total + current);
    // "one point five"
    if (nextWord(parts, last) === 'point') {
      const digits: string[] = [];
      let k = indexOfNextWord(parts, last)! + 1;
      while (k < parts.length) {
        const word = parts[k]!;
        if (/^\s+$/.test(word)) {
          k++;
          continue;
        }
        if (word in SMALL && SMALL[word]! < 10) {
          digits.push(String(SMALL[word]));
          last = k;
          k++;
        } else break;
      }
      if (digits.length) text += `.${digits.join('')}`;
    }
    out.push(text);
    i = last + 1;
  }
  return out.join('');
}

function indexOfNextWord(parts: string[], from: number): number | undefined {
  for (let k = from + 1; k < parts.length; k++) if (!/^\s+$/.test(parts[k]!)) return k;
  return undefined;
}

function nextWord(parts: string[], from: number): string | undefined {
  const k = indexOfNextWord(parts, from);
  return k === undefined ? undefined : parts[k];
}
