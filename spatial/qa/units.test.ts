import { describe, expect, it } from 'vitest';
import {
  clockDistance,
  clockHour,
  fromFeetInches,
  humanLength,
  METERS_PER_INCH,
  parseLength,
  toFeetInches,
} from './units';
import { mulberry32 } from './rng';

describe('human-aligned lengths', () => {
  it('follows the issue examples', () => {
    expect(humanLength(0.86, 'metric', { subMeterInMeters: true }).text).toBe('about 0.9 meters');
    expect(humanLength(2.04, 'metric').text).toBe('about 2 meters');
    expect(humanLength(0.86, 'metric').text).toBe('about 85 centimeters');
    expect(humanLength(0.42, 'metric', { subMeterInMeters: true }).text).toBe(
      'about 40 centimeters',
    );
    expect(humanLength(0.07, 'metric').text).toBe('about 7 centimeters');
    expect(humanLength(1.26, 'metric').text).toBe('about 1.3 meters');
    expect(humanLength(0.99, 'metric').text).toBe('about 1 meter');
    expect(humanLength(23.4, 'metric').text).toBe('about 23 meters');
    expect(humanLength(0.86, 'imperial').text).toBe('about 2 feet 10 inches'); // 33.9 in
    expect(humanLength(0.3048, 'imperial').text).toBe('about 1 foot');
    expect(humanLength(0.29, 'imperial').text).toBe('about 11 inches');
    expect(humanLength(0.301, 'imperial').text).toBe('about 1 foot'); // 11.85 in carries
    expect(humanLength(1.83, 'imperial').text).toBe('about 6 feet');
    expect(humanLength(0.0254, 'imperial').text).toBe('about 1 inch');
    expect(humanLength(5.0, 'imperial').text).toBe('about 16 feet'); // 16.4 ft
  });

  it('says small lengths finely enough to stay within 10 %', () => {
    expect(humanLength(0.0144, 'metric').text).toBe('about 1.4 centimeters');
    expect(humanLength(0.0144, 'imperial').text).toBe('about 0.57 inches');
    expect(humanLength(0.0127, 'imperial').text).toBe('about half an inch');
    expect(humanLength(0.01, 'metric').text).toBe('about 1 centimeter');
    expect(humanLength(0.004, 'metric').text).toBe('about 0.4 centimeters');
    expect(humanLength(0.124, 'metric').text).toBe('about 12 centimeters');
    expect(humanLength(0.0381, 'imperial').text).toBe('about 1.5 inches');
    expect(humanLength(0, 'metric').text).toBe('about 0 centimeters');
    expect(humanLength(0, 'imperial').text).toBe('about 0 inches');
  });

  it('every text is within 10 % of its value, over the whole range, in both unit systems', () => {
    // Log-uniform from 1 micrometre to 10 km, plus a dense sweep across every band edge.
    const values: number[] = [];
    const rng = mulberry32(11);
    for (let i = 0; i < 50000; i++) values.push(1e-6 * Math.exp(rng() * Math.log(1e10)));
    const edges = [0.05, 0.25, 0.5, 1, 10, 100]; // metric, metres
    for (const inches of [1, 5, 12, 120, 1200]) edges.push(inches * METERS_PER_INCH);
    for (const e of edges) for (let k = -500; k <= 500; k++) values.push(e * (1 + k * 2e-4));
    const bad: string[] = [];
    let worst = 0;
    for (const m of values)
      for (const system of ['metric', 'imperial'] as const)
        for (const subMeterInMeters of [false, true]) {
          const t = humanLength(m, system, { subMeterInMeters });
          const off = Math.abs(t.rounded - m) / m;
          worst = Math.max(worst, off);
          const parsed = parseLength(t.text);
          if (!(off <= 0.1) || parsed === null || Math.abs(parsed - t.rounded) > 1e-12 * m + 1e-15)
            bad.push(`${m} ${system} ${subMeterInMeters}: ${t.text} (${(off * 100).toFixed(1)} %)`);
        }
    expect(bad.slice(0, 20)).toEqual([]);
    expect(worst).toBeGreaterThan(0.09); // the bands are as coarse as the rule allows
  });

  it('feet and inches convert exactly and round-trip', () => {
    expect(fromFeetInches(1, 0)).toBeCloseTo(0.3048, 12);
    expect(toFeetInches(0.3048)).toEqual({ feet: 1, inches: 0 });
    expect(toFeetInches(1.7526)).toEqual({ feet: 5, inches: 9 });
    const rng = mulberry32(42);
    const bad: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const m = rng() * 10;
      const { feet, inches } = toFeetInches(m);
      const ok =
        inches >= 0 &&
        inches < 12 &&
        Math.abs(fromFeetInches(feet, inches) - m) <= METERS_PER_INCH / 2 + 1e-12;
      if (!ok) bad.push(m);
    }
    expect(bad).toEqual([]);
  });

  it('20000 random lengths: text parses back to the rounded value, within half a step of the truth', () => {
    const rng = mulberry32(7);
    const bad: string[] = [];
    let n = 0;
    for (let i = 0; i < 20000; i++) {
      const m = 0.01 * Math.exp(rng() * Math.log(50000)); // 1 cm .. 500 m, log-uniform
      for (const system of ['metric', 'imperial'] as const)
        for (const subMeterInMeters of [false, true]) {
          const t = humanLength(m, system, { subMeterInMeters });
          const parsed = parseLength(t.text) as number;
          n++;
          if (
            !(Math.abs(parsed - t.rounded) < 1e-9) ||
            !(Math.abs(t.rounded - m) <= t.step / 2 + 1e-9) ||
            !t.text.startsWith('about ') ||
            /\b0 (centi)?meters|\b0 inches|\b0 feet/.test(t.text)
          )
            bad.push(`${m} ${system} ${subMeterInMeters}: ${t.text}`);
        }
    }
    expect(n).toBe(80000);
    expect(bad).toEqual([]);
  });

  it('parses every unit form', () => {
    expect(parseLength('about 2 feet 10 inches')).toBeCloseTo(34 * 0.0254, 12);
    expect(parseLength('They are about 85 centimeters apart.')).toBeCloseTo(0.85, 12);
    expect(parseLength('about 1 meter')).toBe(1);
    expect(parseLength('about half an inch')).toBeCloseTo(0.0127, 12);
    expect(parseLength('no length here')).toBeNull();
  });

  it('clock hours', () => {
    expect(clockHour(0)).toBe(12);
    expect(clockHour(12)).toBe(12);
    expect(clockHour(3.4)).toBe(3);
    expect(clockHour(-1)).toBe(11);
    expect(clockHour(Number.NaN)).toBeNull();
    expect(clockDistance(11, 1)).toBe(2);
    expect(clockDistance(3, 9)).toBe(6);
  });
});
