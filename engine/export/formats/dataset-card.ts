// The `hf` dataset card: YAML front matter that tells `datasets` where each split is, then what the
// dataset holds (images, objects, QA per family and kind, units), how it was reviewed (approval
// rates over the whole project) and which engines and models produced it.
import type { ExportOptions } from '../../../contract/exports';
import type { StageModelRow } from '../../../db/store/export-store';
import type { ExportQa } from '../project-source';
import { SPLITS, type SplitName } from './splits';

export class DatasetStats {
  readonly images: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  readonly qa: Record<SplitName, number> = { train: 0, validation: 0, test: 0 };
  objects = 0;
  readonly families = new Map<string, number>();
  readonly kinds = new Map<string, number>();
  readonly units = new Map<string, number>();
  readonly statuses = new Map<string, number>();

  add(split: SplitName, objects: number, qa: ExportQa[]): void {
    this.images[split]++;
    this.qa[split] += qa.length;
    this.objects += objects;
    for (const q of qa) {
      inc(this.families, q.record.family);
      inc(this.kinds, q.record.kind);
      inc(this.statuses, q.status);
      const unit = q.record.unit ?? 'none';
      inc(this.units, q.record.display ? `${unit} (spoken ${q.record.display.system})` : unit);
    }
  }

  /** Adds another's counts (a shard's, after structured cloning: same fields, no methods). */
  merge(
    other: Pick<
      DatasetStats,
      'images' | 'qa' | 'objects' | 'families' | 'kinds' | 'units' | 'statuses'
    >,
  ): void {
    for (const s of SPLITS) {
      this.images[s] += other.images[s];
      this.qa[s] += other.qa[s];
    }
    this.objects += other.objects;
    for (const key of ['families', 'kinds', 'units', 'statuses'] as const)
      for (const [k, n] of other[key]) this[key].set(k, (this[key].get(k) ?? 0) + n);
  }
}

function inc(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function table(header: [string, string], rows: Array<[string, string | number]>): string {
  if (rows.length === 0) return '_none_\n';
  return (
    [
      `| ${header[0]} | ${header[1]} |`,
      '| --- | ---: |',
      ...rows.map(([k, v]) => `| ${md(k)} | ${v} |`),
    ].join('\n') + '\n'
  );
}

/** Text for a Markdown table cell: no pipes, no HTML, one line. */
function md(s: string): string {
  return s.replace(/[|<>\n\r]/g, ' ');
}

const sorted = (m: Map<string, number>) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

export function datasetCard(input: {
  projectName: string;
  opts: ExportOptions;
  stats: DatasetStats;
  projectStatuses: Record<string, number>;
  models: StageModelRow[];
}): string {
  const { stats, opts } = input;
  const splits = SPLITS.filter((s) => stats.images[s] > 0);
  const totalImages = SPLITS.reduce((n, s) => n + stats.images[s], 0);
  const totalQa = SPLITS.reduce((n, s) => n + stats.qa[s], 0);
  const ps = input.projectStatuses;
  const reviewed = (ps.approved ?? 0) + (ps.edited ?? 0) + (ps.rejected ?? 0);
  const allQa = Object.values(ps).reduce((a, b) => a + b, 0);
  const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
  const yaml = [
    '---',
    'task_categories:',
    '- visual-question-answering',
    'tags:',
    '- spatial-reasoning',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...splits.flatMap((s) => [`  - split: ${s}`, `    path: "${s}/**"`]),
    '---',
  ].join('\n');
  const filters = [
    `statuses: approved, edited${opts.include.length ? `, ${opts.include.join(', ')}` : ''}`,
    opts.families.length ? `families: ${opts.families.join(', ')}` : null,
    opts.labels.length ? `labels: ${opts.labels.join(', ')}` : null,
    opts.reviewers.length ? `reviewers: ${opts.reviewers.join(', ')}` : null,
    `naming: ${opts.naming}`,
    `split seed: ${opts.seed} (train ${opts.splits.train}, validation ${opts.splits.validation}, test ${opts.splits.test}, by image)`,
  ].filter((x): x is string => x !== null);
  return `${yaml}

# ${md(input.projectName)}: spatial question answering

Exported by the Spatial QA Workstation (\`sqw export --format hf\`) on ${new Date().toISOString()}.
Images with \`metadata.jsonl\` per split (Hugging Face \`imagefolder\`): \`messages\` holds the
conversation, \`qa\` the machine answer of each turn (value in metres, boolean, clock hour, object
id(s) or count, as JSON text), \`objects\` the objects the turns are about.

## Contents

${table(
  ['split', 'images / QA'],
  splits.map((s) => [s, `${stats.images[s]} / ${stats.qa[s]}`]),
)}
- images: ${totalImages}
- objects referenced: ${stats.objects}
- QA pairs: ${totalQa}

### QA per family

${table(['family', 'QA'], sorted(stats.families))}
### QA per kind

${table(['kind', 'QA'], sorted(stats.kinds))}
### Units

${table(['unit', 'QA'], sorted(stats.units))}
## Review

Exported QA by status:

${table(['status', 'QA'], sorted(stats.statuses))}
Over the whole project (${allQa} QA): ${reviewed} reviewed (${pct(reviewed, allQa)}), approval rate
${pct((ps.approved ?? 0) + (ps.edited ?? 0), reviewed)} of reviewed (edited answers count as approved),
rejected ${pct(ps.rejected ?? 0, reviewed)}.

Export filters: ${filters.join('; ')}.

## Engines and models

${table(
  ['stage: engine / model (version)', 'images'],
  input.models.map((m) => [
    `${m.stage}: ${[m.engine, m.model].filter(Boolean).join(' / ') || 'unrecorded'}${m.version ? ` (${m.version})` : ''}`,
    m.images,
  ]),
)}`;
}
