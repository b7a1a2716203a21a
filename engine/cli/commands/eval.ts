import type { Command } from 'commander';
import { CliError, createOutput } from '../output';

interface EvalFlags {
  bench: string;
  predictions: string;
  items?: boolean;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      "score a model's free-form answers against a spatialrgpt-bench export (deterministic parser, no LLM judge)",
    )
    .requiredOption('--bench <file>', 'bench.json from `sqw export --format spatialrgpt-bench`')
    .requiredOption('--predictions <file>', 'JSON Lines, one {"id", "answer"} per line')
    .option('--items', 'with --json: add the per-item evidence (parsed value, correct, error)')
    .option('--json', 'print {categories, overall, unparsed} as JSON')
    .action(async (flags: EvalFlags) => {
      const out = createOutput(Boolean(flags.json));
      const [{ loadBench, loadPredictions, EvalInputError }, { scoreBench }, { reportTable }] =
        await Promise.all([
          import('../../eval/load'),
          import('../../eval/score'),
          import('../../eval/report-table'),
        ]);
      let bench;
      let predictions;
      try {
        bench = await loadBench(flags.bench);
        predictions = await loadPredictions(flags.predictions);
      } catch (err) {
        if (err instanceof EvalInputError) throw new CliError(err.message);
        throw err;
      }
      const known = new Set(bench.map((b) => b.id));
      const unknown = [...predictions.keys()].filter((id) => !known.has(id));
      if (predictions.size > 0 && unknown.length === predictions.size)
        throw new CliError('no prediction id matches a bench id: are these the right files?');
      if (unknown.length)
        out.info(`ignored ${unknown.length} predictions with ids not in the bench`);
      const report = scoreBench(bench, predictions);
      const { items: _items, ...summary } = report;
      out.result(reportTable(report), flags.items ? report : summary);
    });
}
