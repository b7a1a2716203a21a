// Human-aligned lengths. The machine value stays in metres on every QA; these functions only write
// the text a person would say: rounded to a human step, metric or imperial, feet and inches.
//
// Every text is within 10 % of its machine value (SpatialRGPT-Bench counts an answer right within
// ±25 %, so our own ground truth must pass it with room to spare). Each band's step is chosen so
// that half a step is at most 10 % of the band's smallest value:
// Metric:   < 5 cm: two significant figures ("about 1.4 centimeters") | 5-25 cm: whole cm
//           25 cm-1 m: 5 cm (0.5-1 m may be said in metres to 0.1 m: "about 0.9 meters")
//           1-10 m: 0.1 m ("about 2 meters", "about 1.3 meters") | 10-100 m: 1 m | >= 100 m: 10 m
// Imperial: < 5 in: two significant figures ("about 1.4 inches", "about half an inch")
//           5-12 in: whole inches | 1-10 ft: feet and inches to 1 in | 10-100 ft: whole feet
//           >= 100 ft: 10 ft
// Zero is said as zero. parseLength() reads any text these functions write back into metres (used
// by tests to prove the round trip).

export type UnitSystem = 'metric' | 'imperial';
export type DisplayUnit = 'centimeters' | 'meters' | 'inches' | 'feet';

export const METERS_PER_INCH = 0.0254;

/** Number words a reviewer may type for a count (read back by corrections.ts). */
export const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
] as const;

/** A count as the count templates write it: "no objects", "two objects", digits above ten. */
export function countWord(n: number): string {
  if (n === 0) return 'no';
  return n <= 10 ? (NUMBER_WORDS[n] ?? String(n)) : String(n);
}
export const METERS_PER_FOOT = 0.3048;

export interface LengthText {
  /** "about 0.9 meters", "about 2 feet 10 inches". */
  text: string;
  system: UnitSystem;
  unit: DisplayUnit;
  /** The rounded value the text states, in metres. */
  rounded: number;
  /** The rounding step used, in metres: |rounded - value| <= step / 2. */
  step: number;
}

export interface LengthStyle {
  /** Between 0.5 m and 1 m, say "about 0.9 meters" instead of "about 85 centimeters". */
  subMeterInMeters?: boolean;
}

function num(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return decimals > 0 ? s.replace(/\.?0+$/, '') : s;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function roundTo(x: number, step: number): number {
  return Math.round(x / step) * step;
}

/** `x` rounded to two significant figures, with the step used and the decimals that show it. */
function twoFigures(x: number): { value: number; step: number; decimals: number } {
  if (x === 0) return { value: 0, step: 0, decimals: 0 };
  const exponent = Math.floor(Math.log10(x)) - 1;
  const step = 10 ** exponent;
  // toFixed() takes at most 100 decimals; nothing measured is that small.
  const decimals = Math.min(100, Math.max(0, -exponent));
  return { value: Number((Math.round(x / step) * step).toFixed(decimals)), step, decimals };
}

function metric(m: number, style: LengthStyle): LengthText {
  if (m < 1) {
    const meters = style.subMeterInMeters === true && m >= 0.5;
    if (meters) {
      const r = roundTo(m, 0.1);
      const v = Number(r.toFixed(1));
      return {
        text: `about ${num(v, 1)} ${plural(v, 'meter', 'meters')}`,
        system: 'metric',
        unit: 'meters',
        rounded: v,
        step: 0.1,
      };
    }
    const exactCm = m * 100;
    let cm: number;
    let stepCm: number;
    let decimals = 0;
    if (exactCm < 5) ({ value: cm, step: stepCm, decimals } = twoFigures(exactCm));
    else {
      stepCm = exactCm < 25 ? 1 : 5;
      cm = Math.round(exactCm / stepCm) * stepCm;
    }
    if (cm >= 100) return metricMeters(1, 0.05);
    return {
      text: `about ${num(cm, decimals)} ${plural(cm, 'centimeter', 'centimeters')}`,
      system: 'metric',
      unit: 'centimeters',
      rounded: cm / 100,
      step: stepCm / 100,
    };
  }
  if (m < 10) return metricMeters(Number(roundTo(m, 0.1).toFixed(1)), 0.1);
  if (m < 100) return metricMeters(Math.round(m), 1);
  return metricMeters(roundTo(m, 10), 10);
}

function metricMeters(v: number, step: number): LengthText {
  return {
    text: `about ${num(v, 1)} ${plural(v, 'meter', 'meters')}`,
    system: 'metric',
    unit: 'meters',
    rounded: v,
    step,
  };
}

function imperial(m: number): LengthText {
  const inches = m / METERS_PER_INCH;
  if (inches < 5) {
    const { value, step, decimals } = twoFigures(inches);
    return {
      text:
        value === 0.5
          ? 'about half an inch'
          : `about ${num(value, decimals)} ${plural(value, 'inch', 'inches')}`,
      system: 'imperial',
      unit: 'inches',
      rounded: value * METERS_PER_INCH,
      step: step * METERS_PER_INCH,
    };
  }
  if (inches < 12) {
    const r = Math.round(inches);
    if (r < 12)
      return {
        text: `about ${r} inches`,
        system: 'imperial',
        unit: 'inches',
        rounded: r * METERS_PER_INCH,
        step: METERS_PER_INCH,
      };
  }
  if (inches < 120) {
    const r = Math.round(inches);
    const ft = Math.floor(r / 12);
    const inch = r - ft * 12;
    const feetText = `${ft} ${plural(ft, 'foot', 'feet')}`;
    return {
      text:
        inch === 0
          ? `about ${feetText}`
          : `about ${feetText} ${inch} ${plural(inch, 'inch', 'inches')}`,
      system: 'imperial',
      unit: 'feet',
      rounded: r * METERS_PER_INCH,
      step: METERS_PER_INCH,
    };
  }
  const feet = inches / 12;
  const stepFt = feet < 100 ? 1 : 10;
  const r = Math.round(feet / stepFt) * stepFt;
  return {
    text: `about ${r} feet`,
    system: 'imperial',
    unit: 'feet',
    rounded: r * METERS_PER_FOOT,
    step: stepFt * METERS_PER_FOOT,
  };
}

/** Human text for a non-negative length in metres. */
export function humanLength(
  meters: number,
  system: UnitSystem,
  style: LengthStyle = {},
): LengthText {
  if (!Number.isFinite(meters) || meters < 0) throw new RangeError(`not a length: ${meters}`);
  return system === 'metric' ? metric(meters, style) : imperial(meters);
}

/** Feet and inches (inches rounded to `inchStep`), carrying 12 inches into a foot. */
export function toFeetInches(meters: number, inchStep = 1): { feet: number; inches: number } {
  const total = Math.round(meters / METERS_PER_INCH / inchStep) * inchStep;
  const feet = Math.floor(total / 12 + 1e-9);
  return { feet, inches: Number((total - feet * 12).toFixed(6)) };
}

export function fromFeetInches(feet: number, inches: number): number {
  return (feet * 12 + inches) * METERS_PER_INCH;
}

const LENGTH_RE =
  /(\d+(?:\.\d+)?)\s*(centimeters?|meters?|inch(?:es)?|foot|feet)(?:\s+(\d+(?:\.\d+)?)\s*(inch(?:es)?))?/i;

/** Reads the first length stated in `text` back into metres; null when there is none. */
export function parseLength(text: string): number | null {
  const m = LENGTH_RE.exec(text);
  if (!m) return /half an inch/i.test(text) ? METERS_PER_INCH / 2 : null;
  const v = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  let meters: number;
  if (unit.startsWith('centimeter')) meters = v / 100;
  else if (unit.startsWith('meter')) meters = v;
  else if (unit.startsWith('inch')) meters = v * METERS_PER_INCH;
  else meters = v * METERS_PER_FOOT;
  if (m[3] !== undefined) meters += Number(m[3]) * METERS_PER_INCH;
  return meters;
}

/** A clock hour 1..12 from any number (0 and 12 are both noon). Null when not finite. */
export function clockHour(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  const h = ((Math.round(value) % 12) + 12) % 12;
  return h === 0 ? 12 : h;
}

/** Circular difference between two clock hours, 0..6. */
export function clockDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 12;
  return Math.min(d, 12 - d);
}
