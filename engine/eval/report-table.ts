// The plain-text table `sqw eval` prints: one row per category, then the overall rows.
import type { EvalReport } from './score';

const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`;
const num = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '-' : x.toFixed(digits);

export function reportTable(r: EvalReport): string {
  const rows: string[][] = [['category', 'n', 'score', 'error']];
  for (const [name, c] of Object.entries(r.categories)) {
    if ('accuracy' in c) rows.push([name, String(c.n), `acc ${pct(c.accuracy)}`, '']);
    else if ('abs_rel_error' in c)
      rows.push([
        name,
        String(c.n),
        `success ${pct(c.success_rate)}`,
        `abs rel ${num(c.abs_rel_error)}`,
      ]);
    else
      rows.push([
        name,
        String(c.n),
        `success ${pct(c.success_rate)}`,
        `${num(c.error_deg, 1)} deg`,
      ]);
  }
  const o = r.overall;
  rows.push(['', '', '', '']);
  rows.push(['qualitative', String(o.qualitative.n), `acc ${pct(o.qualitative.accuracy)}`, '']);
  rows.push([
    'quantitative',
    String(o.quantitative.n),
    `success ${pct(o.quantitative.success_rate)}`,
    `abs rel ${num(o.quantitative.abs_rel_error)}`,
  ]);
  rows.push([
    'direction',
    String(o.direction.n),
    `success ${pct(o.direction.success_rate)}`,
    `${num(o.direction.error_deg, 1)} deg`,
  ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push(
    '',
    `unparsed or missing: ${r.unparsed.length} of ${o.n}${r.unparsed.length ? ` (${r.unparsed.slice(0, 10).join(', ')}${r.unparsed.length > 10 ? ', ...' : ''})` : ''}`,
  );
  return lines.join('\n');
}
